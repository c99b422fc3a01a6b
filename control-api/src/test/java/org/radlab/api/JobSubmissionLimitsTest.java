package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.prep.synth.SynthLabels;

/**
 * Attacks on job submission, against a real server with a real prepared dataset: sizes out of range, another
 * user's unpublished use case, deployment names, and pretrained weights as a probe of the server's files.
 */
class JobSubmissionLimitsTest {
  static final String PREDICTIONS = "case,date,read,A,B\nc1,2027-01-03,B,0.1,0.9\nc2,2027-01-10,A,0.8,0.2\n";
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String alice;
  static long dataset;

  @BeforeAll
  static void start() throws Exception {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    Path dicom = Fixtures.synth(tmp.resolve("dicom"), 100, 31);
    dataset = Fixtures.dataset(http, admin, "limits", dicom);
    StringBuilder csv = new StringBuilder("study_uid,label\n");
    SynthLabels.byStudy(dicom.resolve("labels.csv"), SynthLabels.READER_1)
        .forEach((uid, code) -> csv.append(uid).append(',').append(code).append('\n'));
    http.method("POST", "/api/datasets/" + dataset + "/reference-labels?useCaseId=1&keys=original", admin,
        csv.toString(), "text/csv").expect(200);
    alice = Fixtures.participant(http, admin, "alice");
    for (String study : Fixtures.studies(http, alice, dataset)) {
      http.post("/api/annotate/1/" + dataset + "/studies/" + study, alice, Map.of("code", "A")).expect(201);
    }
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

  /** A 400 whose detail names the field, the value sent and the allowed range. */
  private static void refused(Http.Response r, String field, String value, String range) {
    String detail = r.expect(400).detail();
    assertTrue(detail.contains(field) && detail.contains(value) && detail.contains(range), detail);
  }

  private static int jobCount() {
    return http.get("/api/jobs?limit=1000", admin).json().size();
  }

  @Test
  void assessSizesOutsideTheirRangeAreRefusedBeforeAnythingRuns() {
    int before = jobCount();
    for (Object[] bad : new Object[][] {{"bootstrap", 2147483647, "2147483647", "between 0 and 20000"},
        {"bootstrap", -5, "-5", "between 0 and 20000"}, {"bootstrap", 20001, "20001", "between 0 and 20000"},
        {"threshold", "NaN", "NaN", "[0, 1]"}, {"threshold", -1, "-1", "[0, 1]"}}) {
      refused(http.post("/api/jobs", alice, Map.of("kind", "assess", "predictionsCsv", PREDICTIONS, "config",
          Map.of((String) bad[0], bad[1]))), (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    // One past the end of an int is not a number the config can hold at all.
    assertTrue(http.post("/api/jobs", alice, "{\"kind\":\"assess\",\"predictionsCsv\":\"x\",\"config\":"
        + "{\"bootstrap\":2147483648}}").expect(400).detail().contains("bootstrap"));
    assertEquals(before, jobCount(), "no refused job was queued");

    // The same through a deployment's assess endpoint.
    long d = http.post("/api/deployments", alice, Map.of("name", "limits", "useCaseId", 1)).expect(201).json()
        .path("deployment").path("id").asLong();
    http.post("/api/deployments/" + d + "/predictions", alice, Map.of("cases", List.of(
        Map.of("caseId", "c1", "date", "2027-01-01", "probabilities", Map.of("A", 0.7, "B", 0.1, "C", 0.1, "D", 0.1)),
        Map.of("caseId", "c2", "date", "2027-01-02", "probabilities", Map.of("A", 0.1, "B", 0.1, "C", 0.1, "D", 0.7)))))
        .expect(200);
    http.post("/api/deployments/" + d + "/reads", alice, Map.of("reads", List.of(Map.of("caseId", "c1", "read", "A"),
        Map.of("caseId", "c2", "read", "D")))).expect(200);
    refused(http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", 2147483647)), "bootstrap",
        "2147483647", "between 0 and 20000");
    refused(http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", -5)), "bootstrap", "-5",
        "between 0 and 20000");
    assertEquals(before, jobCount(), "no refused job was queued");
    // The largest allowed is taken (and cancelled at once: only the acceptance matters here).
    long job = http.post("/api/deployments/" + d + "/assess", alice, Map.of("bootstrap", 20000)).expect(201).json()
        .path("id").asLong();
    http.post("/api/jobs/" + job + "/cancel", alice, "");
  }

  @Test
  void trainingAndEvaluationSizesOutsideTheirRangeAreRefused() {
    Map<String, Object> ok = Map.of("inputSize", 32, "width", 0.125, "maxEpochs", 1, "batchSize", 8);
    Object[][] cases = {{"batchSize", 4097, "4097", "between 1 and 4096"}, {"batchSize", -5, "-5", "between 1 and 4096"},
        {"maxEpochs", 10001, "10001", "between 1 and 10000"}, {"patience", 0, "0", "between 1 and 1000"},
        {"syncEvery", 2147483647, "2147483647", "between 1 and 10000"},
        {"trainingStudies", -1, "-1", "between 0 and 10000000"}, {"inputSize", 1025, "1025", "between 16 and 1024"},
        {"learningRate", "NaN", "NaN", "(0, 10)"}, {"learningRate", 0, "0.0", "(0, 10)"},
        {"learningRate", -0.1, "-0.1", "(0, 10)"}, {"focalGamma", "Infinity", "Infinity", "[0, 10]"},
        {"validationFraction", 1, "1.0", "(0, 1)"}};
    int before = jobCount();
    for (Object[] bad : cases) {
      Map<String, Object> config = new LinkedHashMap<>(ok);
      config.put((String) bad[0], bad[1]);
      refused(http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
          "config", config)), (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    for (Object[] bad : new Object[][] {{"bootstrap", 20001, "20001", "between 0 and 20000"},
        {"bootstrap", -1, "-1", "between 0 and 20000"}, {"threshold", 1.5, "1.5", "[0, 1]"}}) {
      refused(http.post("/api/jobs", admin, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
          "labels", "reference", "config", Map.of("models", List.of("/nowhere"), (String) bad[0], bad[1]))),
          (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    assertEquals(before, jobCount(), "no refused job was queued");
    assertFalse(Files.exists(tmp.resolve("home").resolve("labels")) && listSize(tmp.resolve("home").resolve("labels"))
        > 0, "a refused job leaves no label snapshot");
  }

  private static long listSize(Path dir) {
    try (var s = Files.list(dir)) {
      return s.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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

  @Test
  void weightsAreNamesInTheWorkspaceWeightsFolderAndTellNothingAboutOtherFiles() throws Exception {
    Path weights = Files.createDirectories(tmp.resolve("home").resolve("weights"));
    Files.write(weights.resolve("tiny.pt"), new byte[] {1, 2, 3});
    Map<String, Object> base = Map.of("inputSize", 32, "width", 0.125, "maxEpochs", 1, "batchSize", 8, "init",
        "pretrained");
    // Files that exist on the server (the working directory's, absolute, relative) and one that exists nowhere.
    assertTrue(Files.exists(Path.of("pom.xml").toAbsolutePath()), "the test runs in a module folder");
    String[] probes = {"pom.xml", "nothing-here-at-all", "../pom.xml", "/etc/passwd", Path.of("pom.xml")
        .toAbsolutePath().toString(), "tiny.pt/../../radlab.db", "..", "tiny\u0000.pt"};
    String first = null;
    int before = jobCount();
    for (String probe : probes) {
      Map<String, Object> config = new LinkedHashMap<>(base);
      config.put("weights", probe);
      String detail = http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
          "config", config)).expect(400).detail();
      String shape = detail.replace(probe.replace("\u0000", "?"), "NAME");
      assertTrue(shape.contains("'NAME'"), detail);
      first = first == null ? shape : first;
      assertEquals(first, shape, "every refused name gets the same answer");
    }
    assertEquals(before, jobCount());

    Map<String, Object> config = new LinkedHashMap<>(base);
    config.put("weights", "tiny");
    JsonNode job = http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
        "config", config)).expect(201).json();
    long id = job.path("id").asLong();
    http.post("/api/jobs/" + id + "/cancel", alice, "");
    assertEquals("$RADLAB_HOME/weights/tiny.pt", job.path("config").path("weights").asText(),
        "the participant sees the name in the workspace");
    assertEquals(weights.resolve("tiny.pt").toAbsolutePath().toString(), http.get("/api/jobs/" + id, admin).json()
        .path("config").path("weights").asText(), "the job gets the file's absolute path");
  }
}
