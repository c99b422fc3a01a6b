package org.radlab.prep.pacs;

import org.radlab.core.pacs.DicomWebInput;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;
import org.radlab.core.pacs.StudyQuery;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;

/**
 * A PACS query as prep's input: {@code dicomweb://SOURCE?modality=MG&from=2024-01-01&to=2024-12-31&description=...}
 * names a source of the workspace's sources file ({@code $RADLAB_HOME/pacs.json}) and a study query. Prep first pulls
 * the matching studies (incrementally, as {@code radlab pull}) into the dataset's private folder ({@code
 * PRIVATE/pulled}: identifiable DICOM, an admin's), then converts them as any folder.
 */
public final class PacsInput {
  public static final String SCHEME = DicomWebInput.SCHEME;

  private PacsInput() {}

  /** Whether {@code input} is a PACS query rather than a path. */
  public static boolean is(String input) {
    return DicomWebInput.is(input);
  }

  /** The source's name and the query an input names; errors name the part that is wrong. */
  public record Parsed(String source, StudyQuery query) {}

  public static Parsed parse(String input) {
    DicomWebInput parsed = DicomWebInput.parse(input);
    return new Parsed(parsed.source(), parsed.query());
  }

  /**
   * The folder prep converts: {@code input} itself, or, for a PACS query, the private folder the query's studies
   * were pulled into just now.
   */
  public static String resolve(SparkSession spark, String input, DatasetLayout layout, PrintStream log)
      throws IOException {
    if (!is(input)) {
      return input;
    }
    Parsed parsed = parse(input);
    PacsSource source = PacsSources.read(PacsSources.defaultFile()).get(parsed.source());
    Path pulled = Path.of(layout.privateRoot(), "pulled");
    PullJob.Summary s = PullJob.run(spark, new PullJob.Request(source, List.of(parsed.query()), pulled, false), log);
    for (PullJob.Failure f : s.failed()) {
      log.printf("prep: study %s was not pulled (%s); the next run tries again%n", f.studyUid(), f.reason());
    }
    return pulled.toString();
  }
}
