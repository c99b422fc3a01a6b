package org.radlab.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-written texts and what a participant sees of them, for a workspace at /srv/radlab-home. */
class ServerPathsTest {
  private static final ServerPaths PATHS = new ServerPaths(Path.of("/srv/radlab-home"));

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      /srv/radlab-home/models/job-3                           | $RADLAB_HOME/models/job-3
      /srv/radlab-home                                        | $RADLAB_HOME
      file:/srv/radlab-home/jobs/job-1/config.json            | $RADLAB_HOME/jobs/job-1/config.json
      cannot read /srv/radlab-home/labels/s.csv: gone         | cannot read $RADLAB_HOME/labels/s.csv: gone
      /srv/radlab-home2/secret.txt                            | …/secret.txt
      Added JAR file:/opt/radlab/lib/a.jar at spark://127.0.0.1:4040/jars/a.jar | Added JAR …/a.jar at spark://127.0.0.1:4040/jars/a.jar
      see /etc/passwd and (/tmp/x)                            | see …/passwd and (…/x)
      GET /api/jobs/3/artifacts lists it; GET /api lists them | GET /api/jobs/3/artifacts lists it; GET /api lists them
      loss 3/4 on 2027/01/02 at http://example.org/a/b        | loss 3/4 on 2027/01/02 at http://example.org/a/b
      $RADLAB_HOME/weights/tiny.pt and published/site-a/      | $RADLAB_HOME/weights/tiny.pt and published/site-a/
      """)
  void aParticipantSeesNoAbsolutePath(String text, String seen) {
    assertEquals(seen, PATHS.scrub(text));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"path":"/srv/radlab-home/datasets/1","n":3,"a":["/data/dicom",{"x":"/srv/radlab-home"}]} | {"path":"$RADLAB_HOME/datasets/1","n":3,"a":["…/dicom",{"x":"$RADLAB_HOME"}]}
      """)
  void everyStringInAJsonViewIsScrubbed(String json, String seen) throws Exception {
    JsonNode node = Json.MAPPER.readTree(json);
    assertEquals(Json.MAPPER.readTree(seen), PATHS.scrub(node));
    assertEquals(Json.MAPPER.readTree(json), node, "the original is left as it was");
  }
}
