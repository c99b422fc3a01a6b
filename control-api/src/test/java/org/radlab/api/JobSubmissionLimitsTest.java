package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on job submission against a real server: sizes out of range (assessments; training and evaluation sizes
 * are in {@link ParticipantSeesNoServerPathTest}, which has a prepared dataset), another user's unpublished use case,
 * deployment names.
 */
class JobSubmissionLimitsTest {
  static final String PREDICTIONS = "case,date,read,A,B\nc1,2027-01-03,B,0.1,0.9\nc2,2027-01-10,A,0.8,0.2\n";
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String alice;
  /** No dataset is needed: the use case is checked first, and an assessment needs none. */
  static final long dataset = 1;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    alice = Fixtures.participant(http, admin, "alice");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      for (JsonNode job : http.get("/api/jobs", admin).json()) {
        http.post("/api/jobs/" + job.path("id").asLong() + "/cancel", admin, "");
      }
      api.stop();
    }
  }


  @Test
  void assessSizesOutsideTheirRangeAreRefusedBeforeAnythingRuns() {
    int before = Fixtures.jobCount(http, admin);
    for (Object[] bad : new Object[][] {{"bootstrap", 2147483647, "2147483647", "between 0 and 20000"},
        {"bootstrap", -5, "-5", "between 0 and 20000"}, {"bootstrap", 20001, "20001", "between 0 and 20000"},
        {"threshold", "NaN", "NaN", "[0, 1]"}, {"threshold", -1, "-1", "[0, 1]"}}) {
      Fixtures.refused(http.post("/api/jobs", alice, Map.of("kind", "assess", "predictionsCsv", PREDICTIONS, "config",
          Map.of((String) bad[0], bad[1]))), (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    // One past the end of an int is not a number the config can hold at all.
    assertTrue(http.post("/api/jobs", alice, "{\"kind\":\"assess\",\"predictionsCsv\":\"x\",\"config\":"
        + "{\"bootstrap\":2147483648}}").expect(400).detail().contains("bootstrap"));
    assertEquals(before, Fixtures.jobCount(http, admin), "no refused job was queued");

    // The same through a deployment's assess endpoint.
    long d = http.post("/api/deployments", alice, Map.of("name", "limits", "useCaseId", 1)).expect(201).json()
        .path("deployment").path("id").asLong();
    http.post("/api/deployments/" + d + "/predictions", alice, Map.of("cases", List.of(
        Map.of("caseId", "c1", "date", "2027-01-01", "probabilities", Map.of("A", 0.7, "B", 0.1, "C", 0.1, "D", 0.1)),
        Map.of("caseId", "c2", "date", "2027-01-02", "probabilities", Map.of("A", 0.1, "B", 0.1, "C", 0.1, "D", 0.7)))))
        .expect(200);
    http.post("/api/deployments/" + d + "/reads", alice, Map.of("reads", List.of(Map.of("caseId", "c1", "read", "A"),
        Map.of("caseId", "c2", "read", "D")))).expect(200);
    Fixtures.refused(http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", 2147483647)),
        "bootstrap", "2147483647", "between 0 and 20000");
    Fixtures.refused(http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", -5)), "bootstrap", "-5",
        "between 0 and 20000");
    assertEquals(before, Fixtures.jobCount(http, admin), "no refused job was queued");
    // The largest allowed is taken (and cancelled at once: only the acceptance matters here).
    long job = http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", 20000)).expect(201).json()
        .path("id").asLong();
    http.post("/api/jobs/" + job + "/cancel", alice, "");
  }

  @Test
  void someoneElsesUnpublishedUseCaseIsAsMissingAsOneThatDoesNotExist() {
    String bob = Fixtures.participant(http, admin, "bob");
    JsonNode secret = http.post("/api/use-cases", bob, Map.of("title", "Bob's secret study", "bodyArea", "Breast",
        "modality", "MG", "categories", List.of(
            Map.of("code", "zeta-1", "name", "Zeta", "description", "z", "cdeId", "x.1"),
            Map.of("code", "omega-2", "name", "Omega", "description", "o", "cdeId", "x.2")))).expect(201).json();
    assertEquals("in_review", secret.path("status").asText());
    long id = secret.path("id").asLong();
    long missing = id + 1000;
    String[][] requests = {
        {"/api/deployments", "{\"name\":\"probe\",\"useCaseId\":%d}"},
        {"/api/jobs", "{\"kind\":\"train\",\"datasetId\":" + dataset + ",\"useCaseId\":%d}"},
        {"/api/jobs", "{\"kind\":\"train\",\"datasetId\":" + dataset + ",\"useCaseId\":%d,\"config\":"
            + "{\"sampling\":\"equal_class\"}}"},
        {"/api/jobs", "{\"kind\":\"evaluate\",\"datasetId\":" + dataset + ",\"useCaseId\":%d,\"models\":[1]}"}};
    for (String[] r : requests) {
      Http.Response hidden = http.post(r[0], alice, String.format(r[1], id)).expect(404);
      Http.Response absent = http.post(r[0], alice, String.format(r[1], missing)).expect(404);
      assertEquals(absent.body().replace(String.valueOf(missing), "ID"), hidden.body().replace(String.valueOf(id),
          "ID"), r[0] + ": the same answer as for a use case that does not exist");
      assertFalse(hidden.body().contains("zeta") || hidden.body().contains("omega"), hidden.body());
    }
    // Its author may use it.
    http.post("/api/deployments", bob, Map.of("name", "probe", "useCaseId", id)).expect(201);
  }

  @Test
  void deploymentNamesAreUniquePerOwner() {
    String carol = Fixtures.participant(http, admin, "carol");
    String dave = Fixtures.participant(http, admin, "dave");
    http.post("/api/deployments", carol, Map.of("name", "ward-3", "useCaseId", 1)).expect(201);
    http.post("/api/deployments", dave, Map.of("name", "ward-3", "useCaseId", 1)).expect(201);
    assertTrue(http.post("/api/deployments", carol, Map.of("name", "ward-3", "useCaseId", 1)).expect(409).detail()
        .contains("ward-3"));
    assertEquals(1, http.get("/api/deployments", dave).json().size(), "dave sees only his own");
  }
}
