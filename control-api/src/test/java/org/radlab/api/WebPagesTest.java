package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.http.Json;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.prep.synth.SynthLabels;

/**
 * The web pages in a real browser: Debian's Chromium driven by playwright-core (the scripts in {@code web/e2e}),
 * against this server with real prep, training, evaluation and assess child jobs. Each scenario checks what the page
 * shows against what the API answers. Screenshots go to {@code target/screenshots}; a failure prints the scenario's
 * output with the browser console.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPagesTest {
  static final Path WEB = Path.of("web").toAbsolutePath();
  static final Path SHOTS = Path.of("target", "screenshots").toAbsolutePath();

  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String ana;
  static String ben;
  static long pool;
  static long testSet;
  static long finalSet;
  static List<Long> benModels = new ArrayList<>();
  static long challenge;
  static long deployment;
  static long assessJob;
  static long detection;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isRegularFile(WEB.resolve("node_modules/playwright-core/package.json")),
        "the web pages' npm packages are missing: run bin/bootstrap");
    assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "Chromium is missing: run bin/bootstrap");
    assertTrue(WebPagesTest.class.getResource("/web/index.html") != null,
        "the web pages are not built into the test class path: run bin/bootstrap, then the tests");
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    Path poolDicom = Fixtures.synth(tmp.resolve("pool"), 40, 41);
    pool = Fixtures.dataset(http, admin, "pool", poolDicom);
    testSet = Fixtures.dataset(http, admin, "test", Fixtures.synth(tmp.resolve("test"), 16, 42));
    finalSet = Fixtures.dataset(http, admin, "final", Fixtures.synth(tmp.resolve("final"), 16, 43));
    Map<String, Path> readers = Map.of("pool", poolDicom, "test", tmp.resolve("test"), "final", tmp.resolve("final"));
    for (Map.Entry<String, Path> e : readers.entrySet()) {
      long d = switch (e.getKey()) {
        case "pool" -> pool;
        case "test" -> testSet;
        default -> finalSet;
      };
      StringBuilder csv = new StringBuilder("study_uid,label\n");
      SynthLabels.byStudy(e.getValue().resolve("labels.csv"), SynthLabels.READER_1)
          .forEach((uid, code) -> csv.append(uid).append(',').append(code).append('\n'));
      http.method("POST", "/api/datasets/" + d + "/reference-labels?useCaseId=1&keys=original", admin,
          csv.toString(), "text/csv").expect(200);
    }
    // A detection use case, for drawing boxes on the same images.
    detection = http.post("/api/use-cases", admin, Map.of("title", "Breast lesion detection", "summary",
        "Boxes around masses and calcifications", "bodyArea", "Breast", "modality", "MG", "task", "detection",
        "categories", List.of(Map.of("code", "MASS", "name", "Mass", "description", "a mass", "cdeId", "l.mass"),
            Map.of("code", "CALC", "name", "Calcification", "description", "calcifications", "cdeId", "l.calc"))))
        .expect(201).json().path("id").asLong();
    http.post("/api/use-cases/" + detection + "/review", admin, Map.of("decision", "publish")).expect(200);
    ana = Fixtures.participant(http, admin, "ana");
    ben = Fixtures.participant(http, admin, "ben");

    // ben labels pool studies with the second reader's labels until he has 32 (over the test server's minimum to
    // train) and every class, and trains two small models on them. Every class: the annotation order follows the
    // pseudonymous study ids, which change with each server's site secret, so a rare class can miss any fixed share.
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(tmp.resolve("home").resolve("site-secret")));
    Map<String, String> reader2 = new HashMap<>();
    SynthLabels.byStudy(poolDicom.resolve("labels.csv"), SynthLabels.READER_2)
        .forEach((uid, code) -> reader2.put(pseudonyms.uid(uid), code));
    Set<String> classes = new TreeSet<>();
    for (int i = 0; i < 32 || classes.size() < 4; i++) {
      String study = http.get("/api/annotate/1/" + pool + "/next", ben).expect(200).json().path("studyUid").asText();
      http.post("/api/annotate/1/" + pool + "/studies/" + study, ben, Map.of("code", reader2.get(study)))
          .expect(201);
      classes.add(reader2.get(study));
    }
    for (double width : new double[] {0.125, 0.25}) {
      long job = http.post("/api/jobs", ben, Map.of("kind", "train", "datasetId", pool, "useCaseId", 1, "config",
          Map.of("architecture", "resnet18", "width", width, "inputSize", 32, "maxEpochs", 2, "batchSize", 16)))
          .expect(201).json().path("id").asLong();
      assertEquals("SUCCEEDED", Fixtures.awaitJob(http, ben, job, Duration.ofMinutes(6)).path("status").asText());
    }
    http.get("/api/models", ben).json().forEach(m -> benModels.add(m.path("id").asLong()));
    assertEquals(2, benModels.size());

    Instant now = Instant.now();
    challenge = http.post("/api/challenges", admin, Map.of("title", "Density challenge", "useCaseId", 1,
        "poolDatasetId", pool, "testDatasetId", testSet, "finalDatasetId", finalSet, "startsAt",
        now.minusSeconds(3600).toString(), "endsAt", now.plus(Duration.ofDays(7)).toString(), "dailyLimit", 5))
        .expect(201).json().path("id").asLong();

    deployment = deploy(ben, benModels.get(0));
  }

  /** A deployment with 60 cases over six months: a score that tracks the read, with noise; then its assessment. */
  static long deploy(String token, long model) {
    long id = http.post("/api/deployments", token, Map.of("name", "site-a", "useCaseId", 1, "modelId", model))
        .expect(201).json().path("deployment").path("id").asLong();
    Random random = new Random(7);
    String[] codes = {"A", "B", "C", "D"};
    List<Map<String, Object>> cases = new ArrayList<>();
    List<Map<String, Object>> reads = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int truth = random.nextInt(4);
      double[] p = new double[4];
      double sum = 0;
      for (int c = 0; c < 4; c++) {
        p[c] = random.nextDouble() + (c == truth ? 1.2 : 0);
        sum += p[c];
      }
      Map<String, Object> probabilities = new LinkedHashMap<>();
      for (int c = 0; c < 4; c++) {
        probabilities.put(codes[c], p[c] / sum);
      }
      String caseId = "case-" + i;
      cases.add(Map.of("caseId", caseId, "date", LocalDate.of(2027, 1, 1).plusDays(3L * i).toString(),
          "probabilities", probabilities));
      reads.add(Map.of("caseId", caseId, "read", codes[truth]));
    }
    String base = "/api/deployments/" + id;
    http.post(base + "/predictions", token, Map.of("cases", cases)).expect(200);
    http.post(base + "/reads", token, Map.of("reads", reads)).expect(200);
    assessJob = http.post(base + "/assess", token, Map.of("positive", List.of("C", "D"), "threshold", 0.5,
        "period", "month")).expect(201).json().path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, token, assessJob, Duration.ofMinutes(3)).path("status")
        .asText());
    return id;
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  @Test
  @Order(0)
  void thePagesAreServedFromTheJarWithTheirCaching() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + api.port();
    String index = null;
    for (String path : List.of("/", "/signin", "/define", "/define/1", "/annotate", "/create", "/evaluate", "/run",
        "/publish", "/assess", "/challenge", "/data", "/admin")) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
      assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElse(""), path);
      assertTrue(r.body().contains("<div id=\"app\">"), path + ": " + r.body());
      index = r.body();
    }
    Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index);
    assertTrue(script.find(), "index.html names its script: " + index);
    HttpResponse<String> js = client.send(HttpRequest.newBuilder(URI.create(base + script.group(1))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").contains("javascript"), js.headers().toString());
    assertTrue(js.headers().firstValue("Cache-Control").orElse("").contains("immutable"), js.headers().toString());
    // The API keeps its own answers: JSON errors, never the app's page.
    http.get("/api/no-such-endpoint", admin).expect(404);
    http.get("/api/me", null).expect(401);
  }

  @Test
  @Order(1)
  void definePages() throws Exception {
    browser("define", ana, Map.of("useCaseId", 1));
  }

  @Test
  @Order(2)
  void annotateTenStudiesWithTheKeyboardSkipOneAndComeBackThenDrawBoxes() throws Exception {
    browser("annotate", ana, Map.of("useCaseId", 1, "datasetId", pool, "detectionUseCaseId", detection));
  }

  @Test
  @Order(3)
  void createTrainAndCancelAModel() throws Exception {
    browser("create", ben, Map.of("useCaseId", 1, "datasetId", pool, "modelIds", benModels));
  }

  @Test
  @Order(4)
  void compareTwoModels() throws Exception {
    browser("evaluate", ben, Map.of("useCaseId", 1, "datasetId", pool, "modelIds", benModels));
  }

  @Test
  @Order(5)
  void runAndPublishAModel() throws Exception {
    browser("run", ben, Map.of("datasetId", pool, "modelIds", List.of(benModels.get(0))));
  }

  @Test
  @Order(6)
  void moveTheAssessThreshold() throws Exception {
    browser("assess", ben, Map.of("deploymentId", deployment, "assessJobId", assessJob));
  }

  @Test
  @Order(7)
  void challengeToTheLeaderboard() throws Exception {
    browser("challenge", ben, Map.of("challengeId", challenge, "useCaseId", 1, "datasetId", pool, "modelIds",
        benModels));
  }

  @Test
  @Order(8)
  void trainRunAndEvaluateADetector() throws Exception {
    // ana's boxes on the minimum of pool studies to train, one on the first image of three studies out of four
    for (String study : Fixtures.studies(http, ana, pool).subList(0, Fixtures.MIN_LABELS)) {
      JsonNode image = http.get("/api/datasets/" + pool + "/images?study=" + study, ana).json().get(0);
      List<Map<String, Object>> boxes = study.hashCode() % 4 == 0 ? List.of() : List.of(Map.of("imageId",
          image.path("imageId").asText(), "x", 10, "y", 12, "width", 20, "height", 16, "code", "MASS"));
      int status = http.post("/api/annotate/" + detection + "/" + pool + "/studies/" + study, ana,
          Map.of("boxes", boxes)).status(); // 200 where the annotate scenario drew boxes before
      assertTrue(status == 200 || status == 201, "saving boxes: " + status);
    }
    // a deployed detector's five cases, worked by hand in detect.mjs (the same as DetectionAssessmentTest's)
    long deployment = http.post("/api/deployments", ana, Map.of("name", "site-b-lesions", "useCaseId", detection))
        .expect(201).json().path("deployment").path("id").asLong();
    List<Map<String, Object>> cases = List.of(
        deployedCase("c1", "2027-01-05", box(0, 0, 10, 10, "MASS", 0.9), box(20, 20, 10, 10, "CALC", 0.8),
            box(50, 50, 10, 10, "MASS", 0.3)),
        deployedCase("c2", "2027-01-20", box(0, 0, 10, 5, "MASS", 0.7)),
        deployedCase("c3", "2027-02-10", box(5, 5, 10, 10, "MASS", 0.6)),
        deployedCase("c4", "2027-02-11", box(5, 0, 10, 10, "MASS", 0.55)),
        deployedCase("c5", "2027-02-12"));
    http.post("/api/deployments/" + deployment + "/predictions", ana, Map.of("cases", cases)).expect(200);
    http.post("/api/deployments/" + deployment + "/reads", ana, Map.of("reads", List.of(
        Map.of("caseId", "c1", "boxes", List.of(box(0, 0, 10, 10, "MASS", null))),
        Map.of("caseId", "c2", "boxes", List.of(box(0, 0, 10, 10, "MASS", null), box(20, 20, 10, 10, "CALC", null))),
        Map.of("caseId", "c3", "boxes", List.of()),
        Map.of("caseId", "c4", "boxes", List.of(box(0, 0, 10, 10, "MASS", null))),
        Map.of("caseId", "c5", "boxes", List.of())))).expect(200);
    // a detection challenge on the same pool: its hidden sets (the density challenge's) get reference boxes
    for (long hidden : new long[] {testSet, finalSet}) {
      StringBuilder csv = new StringBuilder("image,x_min,y_min,x_max,y_max,label\n");
      JsonNode images = http.get("/api/datasets/" + hidden + "/images?limit=8", admin).json();
      for (int i = 0; i < images.size(); i++) {
        csv.append(images.get(i).path("imageId").asText()).append(i % 2 == 0 ? ",10,12,30,28,MASS\n" : ",,,,,\n");
      }
      http.method("POST", "/api/datasets/" + hidden + "/reference-boxes?useCaseId=" + detection, admin,
          csv.toString(), "text/csv").expect(200);
    }
    long lesions = http.post("/api/challenges", admin, Map.of("title", "Lesion challenge", "useCaseId", detection,
        "poolDatasetId", pool, "testDatasetId", testSet, "finalDatasetId", finalSet,
        "startsAt", java.time.Instant.now().minusSeconds(60).toString(),
        "endsAt", java.time.Instant.now().plusSeconds(86_400).toString(), "minAnnotations", Fixtures.MIN_LABELS))
        .expect(201).json().path("id").asLong();
    browser("detect", ana, Map.of("useCaseId", detection, "datasetId", pool, "deploymentId", deployment,
        "challengeId", lesions));
  }

  private static Map<String, Object> box(int x, int y, int width, int height, String code, Double score) {
    Map<String, Object> b = new java.util.LinkedHashMap<>(Map.of("x", x, "y", y, "width", width, "height", height,
        "code", code));
    if (score != null) {
      b.put("score", score);
    }
    return b;
  }

  @SafeVarargs
  private static Map<String, Object> deployedCase(String id, String date, Map<String, Object>... boxes) {
    return Map.of("caseId", id, "date", date, "boxes", List.of(boxes));
  }

  @Test
  @Order(9)
  void anAdminMakesAUserAndATokenAndRevokesIt() throws Exception {
    browser("admin", admin, Map.of("name", "carla"));
  }

  @Test
  @Order(10)
  void paintMasksOnACtSeries() throws Exception {
    Path ct = tmp.resolve("ct");
    assertEquals(0, new picocli.CommandLine(new org.radlab.prep.synth.SynthCommand()).execute("--modality", "CT",
        "--out", ct.toString(), "--studies", "2", "--slices", "8", "--rows", "64", "--seed", "12"));
    long dataset = Fixtures.dataset(http, admin, "ct", ct);
    long segmentation = http.post("/api/use-cases", admin, Map.of("title", "Liver outline", "summary",
        "The liver and its lesions, pixel by pixel", "bodyArea", "Abdomen", "modality", "CT", "task", "segmentation",
        "categories", List.of(Map.of("code", "LIVER", "name", "Liver", "description", "the liver", "cdeId", "l.liver"),
            Map.of("code", "LESION", "name", "Lesion", "description", "a liver lesion", "cdeId", "l.lesion"))))
        .expect(201).json().path("id").asLong();
    http.post("/api/use-cases/" + segmentation + "/review", admin, Map.of("decision", "publish")).expect(200);
    // ana's deployed segmenter: SegmentationAssessmentTest's three cases, worked by hand there, at ten times the
    // spacing (volumes in whole mL)
    long deployment = http.post("/api/deployments", ana, Map.of("name", "ct-site", "useCaseId", segmentation))
        .expect(201).json().path("deployment").path("id").asLong();
    http.post("/api/deployments/" + deployment + "/predictions", ana, Map.of("cases", List.of(
        Map.of("caseId", "c1", "date", "2027-01-10", "mask", mask(4, 2, 1, 10, 10, 20, "1*2 0*3 1*1 2*2")),
        Map.of("caseId", "c2", "date", "2027-01-20", "mask", mask(2, 2, 2, 10, 10, 10, "1*3 0*5")),
        Map.of("caseId", "c3", "date", "2027-02-05", "mask", mask(2, 2, 1, 20, 20, 10, "1*3 0*1"))))).expect(200);
    http.post("/api/deployments/" + deployment + "/reads", ana, Map.of("reads", List.of(
        Map.of("caseId", "c1", "mask", mask(4, 2, 1, 10, 10, 20, "1*3 0*3 2*1 0*1")),
        Map.of("caseId", "c2", "mask", mask(2, 2, 2, 10, 10, 10, "1*2 0*2 1*1 0*3")),
        Map.of("caseId", "c3", "mask", mask(2, 2, 1, 20, 20, 10, "1*4"))))).expect(200);
    browser("segment", ana, Map.of("useCaseId", segmentation, "datasetId", dataset, "deploymentId", deployment));
  }

  @Test
  @Order(11)
  void registerAFolderFollowItsPrepAndPrepareItAgain() throws Exception {
    // two synthetic studies in explicit little endian and one deflated (four views each), and one file that is not
    // DICOM; synth's labels.csv is removed, so the junk file is the only reject
    Path folder = tmp.resolve("data-manager");
    Map<String, Integer> syntaxes = new LinkedHashMap<>();
    for (Object[] part : new Object[][] {{"explicit", 2, "explicit-le", "1.2.840.10008.1.2.1"},
        {"deflated", 1, "deflate", "1.2.840.10008.1.2.1.99"}}) {
      Path out = folder.resolve((String) part[0]);
      assertEquals(0, new picocli.CommandLine(new org.radlab.prep.synth.SynthCommand()).execute("--out",
          out.toString(), "--studies", String.valueOf(part[1]), "--seed", String.valueOf(60 + (int) part[1]),
          "--rows", "80", "--columns", "64", "--transfer-syntax", (String) part[2]));
      Files.delete(out.resolve("labels.csv"));
      syntaxes.put((String) part[3], 4 * (int) part[1]);
    }
    Files.writeString(folder.resolve("notes.dcm"), "a note someone left in the archive, not an image\n");
    // a PACS that cannot be reached: a port nothing listens on
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Path sources = tmp.resolve("home").resolve("pacs.json");
    Files.writeString(sources, Json.MAPPER.writeValueAsString(Map.of("sources", Map.of("gone", Map.of("url",
        "http://127.0.0.1:" + closed + "/dicom-web", "user", "radlab", "password", "never-shown")))));
    Files.setPosixFilePermissions(sources, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    browser("datamgr", admin, Map.of("folder", folder.toString(), "name", "data-manager", "dicomFiles",
        syntaxes.values().stream().mapToInt(Integer::intValue).sum(),
        "syntaxes", syntaxes, "rejects", Map.of("not_dicom", 1), "closedSource", "gone", "participant", ana));
  }

  private static Map<String, Object> mask(int width, int height, int slices, double row, double column, double slice,
      String runs) {
    return Map.of("width", width, "height", height, "slices", slices, "spacing", List.of(row, column, slice), "runs",
        runs);
  }

  /** Runs web/e2e/{scenario}.mjs with Node against this server; fails with its output when it fails. */
  static void browser(String scenario, String token, Map<String, Object> input) throws Exception {
    Path log = Files.createTempFile(tmp, scenario, ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "e2e/" + scenario + ".mjs").directory(WEB.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("RADLAB_URL", "http://127.0.0.1:" + api.port());
    pb.environment().put("RADLAB_TOKEN", token);
    pb.environment().put("RADLAB_ADMIN", admin);
    pb.environment().put("RADLAB_SHOTS", SHOTS.toString());
    pb.environment().put("RADLAB_E2E", Json.MAPPER.writeValueAsString(input));
    Process p = pb.start();
    boolean ended = p.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String output = read(log);
    System.out.println(output);
    assertTrue(ended, "the " + scenario + " scenario did not end in 10 minutes:\n" + output);
    assertEquals(0, p.exitValue(), "the " + scenario + " scenario failed:\n" + output);
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
