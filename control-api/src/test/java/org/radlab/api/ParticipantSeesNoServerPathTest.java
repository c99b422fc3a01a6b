package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A participant with a dataset, annotations, a trained model, an evaluation, a publication and an assessed
 * deployment walks every GET endpoint the API lists (GET /api), with real ids, every job's log, progress and every
 * artifact: no answer holds the workspace's path or any other absolute path of the server. An admin walking the same
 * endpoints does see them, which shows the check can find a path where there is one. The same fixture (a prepared
 * dataset whose studies are all labelled, as many as the test servers need to train, and a model) serves two more
 * attacks on job submission: pretrained weights as a probe of the server's files, and training and evaluation sizes
 * out of range.
 */
class ParticipantSeesNoServerPathTest {
  /**
   * An absolute path with at least two parts, standing on its own (not an API path, not the tail of a URL, not the
   * rest of an API path template after a parameter such as {@code {deploymentId}/watch/remove}).
   */
  static final Pattern ABSOLUTE = Pattern.compile("(?<![\\w.:/$~}-])(?:file:)?/(?!api/)[\\w.+-]+/[\\w.+-]+");
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String alice;
  static long dataset;
  static final Map<String, String> ids = new LinkedHashMap<>();
  static final List<Long> jobs = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    dataset = Fixtures.dataset(http, admin, "walk", Fixtures.synth(tmp.resolve("dicom"), Fixtures.MIN_LABELS, 41));
    alice = Fixtures.participant(http, admin, "alice");
    List<String> studies = Fixtures.studies(http, alice, dataset);
    List<String> codes = List.of("A", "B", "C", "D");
    for (int i = 0; i < studies.size(); i++) {
      http.post("/api/annotate/1/" + dataset + "/studies/" + studies.get(i), alice, Map.of("code", codes.get(i % 4)))
          .expect(201);
    }
    long train = http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
        "config", Map.of("inputSize", 32, "width", 0.125, "maxEpochs", 1, "batchSize", 16))).expect(201).json()
        .path("id").asLong();
    awaitSuccess(train);
    long model = http.get("/api/models", alice).expect(200).json().get(0).path("id").asLong();
    long evaluate = http.post("/api/jobs", alice, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
        "models", List.of(model), "config", Map.of("bootstrap", 5))).expect(201).json().path("id").asLong();
    http.post("/api/models/" + model + "/publish", alice, Map.of("directory", "walk")).expect(201);
    long deployment = http.post("/api/deployments", alice, Map.of("name", "walk", "useCaseId", 1, "modelId", model))
        .expect(201).json().path("deployment").path("id").asLong();
    http.post("/api/deployments/" + deployment + "/predictions", alice, Map.of("cases", List.of(
        Map.of("caseId", "c1", "date", "2027-01-01", "probabilities", Map.of("A", 0.7, "B", 0.1, "C", 0.1, "D", 0.1)),
        Map.of("caseId", "c2", "date", "2027-02-01", "probabilities", Map.of("A", 0.1, "B", 0.1, "C", 0.1, "D", 0.7)))))
        .expect(200);
    http.post("/api/deployments/" + deployment + "/reads", alice, Map.of("reads", List.of(
        Map.of("caseId", "c1", "read", "A"), Map.of("caseId", "c2", "read", "C")))).expect(200);
    long assess = http.post("/api/deployments/" + deployment + "/assess", alice, Map.of("bootstrap", 5)).expect(201)
        .json().path("id").asLong();
    awaitSuccess(evaluate);
    awaitSuccess(assess);
    jobs.addAll(List.of(train, evaluate, assess));
    ids.put("{useCaseId}", "1");
    ids.put("{datasetId}", String.valueOf(dataset));
    ids.put("{studyUid}", studies.get(0));
    ids.put("{imageId}", http.get("/api/datasets/" + dataset + "/images?limit=1", alice).json().get(0)
        .path("imageId").asText());
    ids.put("{annotationId}", http.get("/api/annotations?useCaseId=1&limit=1", alice).json().path("annotations")
        .get(0).path("id").asText());
    ids.put("{modelId}", String.valueOf(model));
    ids.put("{deploymentId}", String.valueOf(deployment));
    ids.put("{challengeId}", "1");
  }

  private static void awaitSuccess(long job) {
    JsonNode done = Fixtures.awaitJob(http, admin, job, Duration.ofMinutes(15));
    assertEquals("SUCCEEDED", done.path("status").asText(), done + "\n" + http.get("/api/jobs/" + job + "/log",
        admin).body());
  }

  @AfterAll
  static void stop() {
    Fixtures.cancelRunningAndStop(api, http, admin);
  }

  /** Every GET endpoint of the API's own list, with real ids; each job's endpoints for each job and artifact. */
  static List<String> urls(String token) {
    List<String> urls = new ArrayList<>();
    for (JsonNode e : http.get("/api", null).expect(200).json()) {
      if (!"GET".equals(e.path("method").asText())) {
        continue;
      }
      String path = e.path("path").asText();
      for (Map.Entry<String, String> id : ids.entrySet()) {
        path = path.replace(id.getKey(), URLEncoder.encode(id.getValue(), StandardCharsets.UTF_8));
      }
      if (!path.contains("{jobId}")) {
        urls.add(path);
        continue;
      }
      for (long job : jobs) {
        String p = path.replace("{jobId}", String.valueOf(job));
        if (!p.endsWith("/artifact")) {
          urls.add(p);
          continue;
        }
        for (JsonNode f : http.get("/api/jobs/" + job + "/artifacts", token).expect(200).json().path("files")) {
          urls.add(p + "?path=" + URLEncoder.encode(f.path("path").asText(), StandardCharsets.UTF_8));
        }
      }
    }
    assertFalse(urls.stream().anyMatch(u -> u.contains("{")), "every placeholder has an id: " + urls);
    return urls;
  }

  /** The server paths in an answer: the workspace, the test's folders, the working directory, any absolute path. */
  static List<String> serverPaths(Http.Response r) {
    List<String> found = new ArrayList<>();
    if (r.contentType().startsWith("image/png")) {
      return found;
    }
    for (String known : List.of(tmp.toAbsolutePath().toString(), System.getProperty("user.dir"),
        System.getProperty("java.home"))) {
      if (r.body().contains(known)) {
        found.add(known);
      }
    }
    Matcher m = ABSOLUTE.matcher(r.body());
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  @Test
  void noAnswerToAParticipantHoldsAServerPath() {
    List<String> urls = urls(alice);
    assertTrue(urls.size() > 40, urls.toString());
    assertTrue(urls.stream().anyMatch(u -> u.contains("/artifact?path=")), urls.toString());
    Map<String, List<String>> leaks = new LinkedHashMap<>();
    int ok = 0;
    for (String url : urls) {
      Http.Response r = http.get(url, alice);
      ok += r.status() == 200 ? 1 : 0;
      List<String> found = serverPaths(r);
      if (!found.isEmpty()) {
        leaks.put(url, found);
      }
    }
    assertEquals(Map.of(), leaks);
    assertTrue(ok > 30, "most endpoints answered the participant: " + ok);
  }

  @Test
  void anAdminSeesThePathsTheCheckLooksFor() {
    String home = tmp.resolve("home").toAbsolutePath().toString();
    List<String> withPaths = new ArrayList<>();
    for (String url : urls(admin)) {
      Http.Response r = http.get(url, admin);
      if (r.body().contains(home) && !serverPaths(r).isEmpty()) {
        withPaths.add(url);
      }
    }
    for (String expected : List.of("/api/datasets", "/api/models/" + ids.get("{modelId}"), "/api/jobs/" + jobs.get(0))) {
      assertTrue(withPaths.contains(expected), expected + " shows an admin the workspace path: " + withPaths);
    }
  }

  @Test
  void trainingAndEvaluationSizesOutsideTheirRangeAreRefused() throws Exception {
    Map<String, Object> ok = Map.of("inputSize", 32, "width", 0.125, "maxEpochs", 1, "batchSize", 8);
    Object[][] cases = {{"batchSize", 4097, "4097", "between 1 and 4096"}, {"batchSize", -5, "-5", "between 1 and 4096"},
        {"maxEpochs", 10001, "10001", "between 1 and 10000"}, {"patience", 0, "0", "between 1 and 1000"},
        {"syncEvery", 2147483647, "2147483647", "between 1 and 10000"},
        {"trainingStudies", -1, "-1", "between 0 and 10000000"}, {"inputSize", 1025, "1025", "between 16 and 1024"},
        {"learningRate", "NaN", "NaN", "(0, 10)"}, {"learningRate", 0, "0.0", "(0, 10)"},
        {"learningRate", -0.1, "-0.1", "(0, 10)"}, {"focalGamma", "Infinity", "Infinity", "[0, 10]"},
        {"validationFraction", 1, "1.0", "(0, 1)"}};
    int before = Fixtures.jobCount(http, admin);
    long snapshots = snapshots();
    for (Object[] bad : cases) {
      Map<String, Object> config = new LinkedHashMap<>(ok);
      config.put((String) bad[0], bad[1]);
      Fixtures.refused(http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
          "config", config)), (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    for (Object[] bad : new Object[][] {{"bootstrap", 20001, "20001", "between 0 and 20000"},
        {"bootstrap", -1, "-1", "between 0 and 20000"}, {"bootstrap", 2147483647, "2147483647", "between 0 and 20000"},
        {"threshold", 1.5, "1.5", "[0, 1]"}, {"threshold", "NaN", "NaN", "[0, 1]"}}) {
      Fixtures.refused(http.post("/api/jobs", alice, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
          "models", List.of(Long.parseLong(ids.get("{modelId}"))), "config", Map.of((String) bad[0], bad[1]))),
          (String) bad[0], (String) bad[2], (String) bad[3]);
    }
    assertEquals(before, Fixtures.jobCount(http, admin), "no refused job was queued");
    assertEquals(snapshots, snapshots(), "a refused job leaves no label snapshot");
  }

  private static long snapshots() throws java.io.IOException {
    try (var s = Files.list(tmp.resolve("home").resolve("labels"))) {
      return s.count();
    }
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
    int before = Fixtures.jobCount(http, admin);
    for (String probe : probes) {
      Map<String, Object> config = new LinkedHashMap<>(base);
      config.put("weights", probe);
      String detail = http.post("/api/jobs", alice, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
          "config", config)).expect(400).detail();
      // The name is echoed (an absolute one cut to its last part, as every path a participant sees).
      String shape = detail.replaceAll("called '.*' that", "called 'NAME' that");
      assertTrue(shape.contains("called 'NAME' that"), detail);
      first = first == null ? shape : first;
      assertEquals(first, shape, "every refused name gets the same answer");
    }
    assertEquals(before, Fixtures.jobCount(http, admin));

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
