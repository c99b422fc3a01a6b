package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset registered with a PACS query as its source ({@code dicomweb://SOURCE?...}) reaches prep unchanged, which
 * pulls first; on a server whose workspace names no PACS, the prep job fails with the reason in its log and the
 * dataset is marked failed. (The pull itself, against a real Orthanc, is cli's PullTest.)
 */
class PacsDatasetSourceTest {
  @TempDir Path tmp;

  @Test
  void aPacsQueryReachesPrepAndAMissingSourcesFileFailsTheJobWithItsReason() {
    ControlApi api = Fixtures.server(tmp.resolve("home"));
    try {
      Http http = new Http(api.port());
      String admin = api.firstAdminToken().orElseThrow();
      JsonNode r = http.post("/api/datasets", admin, Map.of("name", "from-pacs", "useCaseId", 1, "source",
          "dicomweb://main?modality=MG&from=2024-01-01")).expect(202).json();
      long job = r.path("job").path("id").asLong();
      JsonNode done = Fixtures.awaitJob(http, admin, job, Duration.ofMinutes(5));
      String log = http.get("/api/jobs/" + job + "/log", admin).body();
      assertEquals("FAILED", done.path("status").asText(), log);
      assertTrue(log.contains("no PACS sources file at") && log.contains("pacs.json"), log);
      assertEquals("failed", http.get("/api/datasets/" + r.path("dataset").path("id").asLong(), admin).json()
          .path("status").asText());
    } finally {
      api.stop();
    }
  }
}
