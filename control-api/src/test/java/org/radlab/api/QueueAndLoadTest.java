package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.parquet.ParquetFile;
import org.radlab.core.testing.DicomTools;

/**
 * The server under concurrent annotators, and the job queue with real child jobs: training preconditions, label
 * snapshots, train and evaluate, cancel, the concurrency limit and fairness between users.
 */
class QueueAndLoadTest {
  static final List<String> CODES = List.of("A", "B", "C", "D");
  static final String PREDICTIONS = "study,date,read,benign,malignant\ns1,2024-01-03,malignant,0.1,0.9\n"
      + "s2,2024-01-10,benign,0.8,0.2\ns3,2024-02-10,benign,0.3,0.7\n";
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static long dataset;
  static List<String> studies;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    dataset = Fixtures.dataset(http, admin, "load", Fixtures.synth(tmp.resolve("dicom"), 44, 9));
    studies = Fixtures.studies(http, admin, dataset);
  }

  @AfterAll
  static void stop() {
    Fixtures.cancelRunningAndStop(api, http, admin);
  }

  static String label(String study) {
    return "/api/annotate/1/" + dataset + "/studies/" + study;
  }

  @Test
  void fiftyConcurrentAnnotatorsLoseAndDuplicateNothing() throws Exception {
    int users = 50;
    int each = 20;
    List<String> tokens = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      tokens.add(Fixtures.participant(http, admin, "annotator" + u));
    }
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(users);
    Map<Integer, Map<String, String>> sent = new java.util.concurrent.ConcurrentHashMap<>();
    for (int u = 0; u < users; u++) {
      int user = u;
      pool.submit(() -> {
        Random random = new Random(user);
        Map<String, String> mine = new LinkedHashMap<>();
        try {
          go.await();
          for (int i = 0; i < each; i++) {
            Http.Response next = http.get("/api/annotate/1/" + dataset + "/next", tokens.get(user));
            String study = next.json().path("studyUid").asText();
            String code = CODES.get(random.nextInt(4));
            Http.Response r = http.post(label(study), tokens.get(user), Map.of("code", code));
            if (r.status() != 201) {
              problems.add("user " + user + ": " + r.status() + " " + r.body());
            }
            mine.put(study, code);
          }
        } catch (Exception e) {
          problems.add("user " + user + ": " + e);
        }
        sent.put(user, mine);
      });
    }
    go.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES));
    assertEquals(List.of(), new ArrayList<>(problems));

    for (int u = 0; u < users; u++) {
      JsonNode list = http.get("/api/annotations?useCaseId=1&limit=1000", tokens.get(u)).expect(200).json();
      assertEquals(each, list.path("total").asInt(), "annotator" + u);
      Map<String, String> stored = new LinkedHashMap<>();
      list.path("annotations").forEach(a -> stored.put(a.path("studyUid").asText(), a.path("code").asText()));
      assertEquals(sent.get(u), new java.util.TreeMap<>(stored).equals(new java.util.TreeMap<>(sent.get(u)))
          ? sent.get(u) : stored, "annotator" + u + " stored exactly what was sent");
      assertEquals(new HashSet<>(studies.subList(0, each)), stored.keySet(), "each got the first studies in order");
    }
    // In the SQLite file: one row per (user, study), one history row each, and nothing else.
    var jdbi = api.database().jdbi();
    int rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM annotation a JOIN app_user u ON "
        + "u.id = a.user_id WHERE u.name LIKE 'annotator%'").mapTo(Integer.class).one());
    int distinct = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM (SELECT DISTINCT user_id, study_uid "
        + "FROM annotation a JOIN app_user u ON u.id = a.user_id WHERE u.name LIKE 'annotator%')")
        .mapTo(Integer.class).one());
    int history = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM annotation_history hi JOIN annotation a "
        + "ON a.id = hi.annotation_id JOIN app_user u ON u.id = a.user_id WHERE u.name LIKE 'annotator%'")
        .mapTo(Integer.class).one());
    assertEquals(users * each, rows);
    assertEquals(users * each, distinct);
    assertEquals(users * each, history);
    JsonNode board = http.get("/api/use-cases/1/board?limit=1000", admin).json();
    int onBoard = 0;
    for (JsonNode row : board) {
      if (row.path("userName").asText().startsWith("annotator")) {
        assertEquals(each, row.path("annotations").asInt());
        onBoard++;
      }
    }
    assertEquals(users, onBoard);
  }

  @Test
  void theSameLabelPostedTenTimesAtOnceIsOneAnnotation() throws Exception {
    String token = Fixtures.participant(http, admin, "eager");
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(pool.submit(() -> {
        go.await();
        return http.post(label(studies.get(7)), token, Map.of("code", "C")).status();
      }));
    }
    go.countDown();
    int created = 0;
    for (var s : statuses) {
      int status = s.get(1, TimeUnit.MINUTES);
      assertTrue(status == 201 || status == 200, "status " + status);
      created += status == 201 ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(1, created, "exactly one request created it");
    JsonNode list = http.get("/api/annotations?useCaseId=1", token).json();
    assertEquals(1, list.path("total").asInt());
    long id = list.path("annotations").get(0).path("id").asLong();
    assertEquals(1, http.get("/api/annotations/" + id, token).json().path("history").size());
  }

  @Test
  void trainingChecksItsRulesSnapshotsTheLabelsAndRunsWithEvaluation() throws Exception {
    String trainer = Fixtures.participant(http, admin, "trainer");
    // Labels: the first 5 studies D, the rest cycling A, B, C (so D has too few for equal-class sampling).
    int min = 40; // over the minimum to train, with at least 10 of each of A, B and C
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < min; i++) {
      given.put(studies.get(i), i < 5 ? "D" : CODES.get(i % 3));
    }
    List<String> order = new ArrayList<>(given.keySet());
    for (String s : order.subList(0, Fixtures.MIN_LABELS - 1)) {
      http.post(label(s), trainer, Map.of("code", given.get(s))).expect(201);
    }
    Map<String, Object> config = Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 1,
        "batchSize", 16, "validationFraction", 0.2);
    Map<String, Object> submit = Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1, "labels", "mine",
        "config", config);
    assertEquals(Fixtures.MIN_LABELS, http.get("/api/settings", trainer).expect(200).json()
        .path("minTrainingLabels").asInt(), "the server's minimum, as the pages read it");
    Http.Response tooFew = http.post("/api/jobs", trainer, submit).expect(400);
    assertEquals("rule_violated", tooFew.json().path("error").asText());
    assertTrue(tooFew.detail().contains("at least " + Fixtures.MIN_LABELS)
        && tooFew.detail().contains("have " + (Fixtures.MIN_LABELS - 1)), tooFew.detail());

    // Enough labels, but of one class only: refused before any job runs.
    String oneClass = Fixtures.participant(http, admin, "one-class");
    for (String s : order.subList(0, Fixtures.MIN_LABELS)) {
      http.post(label(s), oneClass, Map.of("code", "B")).expect(201);
    }
    Http.Response missing = http.post("/api/jobs", oneClass, submit).expect(400);
    assertEquals("rule_violated", missing.json().path("error").asText());
    assertTrue(missing.detail().contains("class A has no labelled studies"), missing.detail());

    for (String s : order.subList(Fixtures.MIN_LABELS - 1, min)) {
      http.post(label(s), trainer, Map.of("code", given.get(s))).expect(201);
    }
    Map<String, Object> equalClass = new LinkedHashMap<>(config);
    equalClass.put("sampling", "equal_class");
    Http.Response unequal = http.post("/api/jobs", trainer, Map.of("kind", "train", "datasetId", dataset, "useCaseId",
        1, "config", equalClass)).expect(400);
    assertTrue(unequal.detail().contains("class D has 5"), unequal.detail());
    Path labelsDir = tmp.resolve("home").resolve("labels");
    long snapshotsBefore = Files.isDirectory(labelsDir) ? Files.list(labelsDir).count() : 0;
    Map<String, Object> badArch = new LinkedHashMap<>(config);
    badArch.put("architecture", "resnet19");
    assertTrue(http.post("/api/jobs", trainer, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1, "config",
        badArch)).expect(400).detail().contains("resnet19"));
    assertEquals(snapshotsBefore, Files.isDirectory(labelsDir) ? Files.list(labelsDir).count() : 0,
        "a refused job leaves no label snapshot behind");

    JsonNode job = http.post("/api/jobs", trainer, submit).expect(201).json();
    long trainJob = job.path("id").asLong();
    // The participant sees the snapshot in the workspace, never the server's path; the admin sees the file.
    assertTrue(job.path("config").path("labels").asText().startsWith("$RADLAB_HOME/labels/snapshot-"), job.toString());
    Path snapshot = Path.of(http.get("/api/jobs/" + trainJob, admin).json().path("config").path("labels").asText());
    assertEquals(given, LabelSnapshot.read(snapshot), "the snapshot holds exactly the labels at submission");
    // A later change does not reach the snapshot the job trains on.
    http.post(label(order.get(0)), trainer, Map.of("code", "A")).expect(200);
    assertEquals(given, LabelSnapshot.read(snapshot));
    assertFalse(Files.getPosixFilePermissions(snapshot).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
        "snapshots are read-only");

    JsonNode done = Fixtures.awaitJob(http, trainer, trainJob, Duration.ofMinutes(8));
    assertEquals("SUCCEEDED", done.path("status").asText(), done + "\n" + http.get("/api/jobs/" + trainJob + "/log",
        trainer).body());
    JsonNode progress = http.get("/api/jobs/" + trainJob + "/progress", trainer).expect(200).json();
    Set<String> events = new HashSet<>();
    progress.path("events").forEach(e -> events.add(e.path("event").asText()));
    assertTrue(events.containsAll(List.of("start", "epoch", "finished")), events.toString());
    assertTrue(http.get("/api/jobs/" + trainJob + "/log", trainer).expect(200).body().length() > 0);

    checkRegistryAndRun(trainer, trainJob, min);
    checkPublish(trainer, http.get("/api/models?useCaseId=1", trainer).json().get(0).path("id").asLong());

    // Someone else cannot evaluate the trainer's model; the trainer can.
    String other = Fixtures.participant(http, admin, "other");
    for (String s : order.subList(0, 3)) {
      http.post(label(s), other, Map.of("code", "A")).expect(201);
    }
    long model = http.get("/api/models", trainer).json().get(0).path("id").asLong();
    assertTrue(http.post("/api/jobs", other, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
        "models", List.of(model), "config", Map.of("bootstrap", 20))).expect(400).detail()
        .contains("not one of your models"));
    long eval = http.post("/api/jobs", trainer, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
        "models", List.of(model), "config", Map.of("bootstrap", 20))).expect(201).json().path("id").asLong();
    JsonNode evaluated = Fixtures.awaitJob(http, trainer, eval, Duration.ofMinutes(5));
    assertEquals("SUCCEEDED", evaluated.path("status").asText(), evaluated + "\n" + http.get("/api/jobs/" + eval
        + "/log", trainer).body());
    Path results = Path.of(http.get("/api/jobs/" + eval, admin).json().path("config").path("output").asText());
    JsonNode comparison = Http.JSON.readTree(results.resolve("comparison.json").toFile());
    assertEquals(1, comparison.size(), "one model compared");
    assertEquals(min, comparison.get(0).path("studies").asInt(), "every labelled study evaluated");

    // Run's probabilities for dataset images are EvaluateJob's, read from its predictions table.
    Map<String, Map<String, Double>> evaluatedImages = new LinkedHashMap<>();
    try (var files = Files.walk(results.resolve("predictions.parquet").resolve("level=image"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList()) {
        ParquetFile table = ParquetFile.open(f);
        for (int g = 0; g < table.rowGroups(); g++) {
          List<Object> ids = table.column(g, "image_id");
          for (String code : CODES) {
            List<Object> p = table.column(g, "p_" + code);
            for (int i = 0; i < ids.size(); i++) {
              evaluatedImages.computeIfAbsent(new String((byte[]) ids.get(i), StandardCharsets.UTF_8),
                  k -> new LinkedHashMap<>()).put(code, (Double) p.get(i));
            }
          }
        }
      }
    }
    assertEquals(given.size() * 4, evaluatedImages.size(), "four views per labelled study");
    for (var e : runPredictions.entrySet()) {
      Map<String, Double> fromJob = evaluatedImages.get(e.getKey());
      assertTrue(fromJob != null, "image " + e.getKey() + " was evaluated");
      for (String code : CODES) {
        assertEquals(fromJob.get(code), e.getValue().path(code).asDouble(), 1e-5, "image " + e.getKey() + " "
            + code + ": Run " + e.getValue() + ", EvaluateJob " + fromJob);
      }
    }
  }

  /** Run's probabilities per dataset image, to compare with EvaluateJob's. */
  private static final Map<String, JsonNode> runPredictions = new LinkedHashMap<>();

  private static void assertClose(JsonNode expected, JsonNode actual, double tolerance, String what) {
    assertEquals(CODES.size(), actual.size(), what + ": " + actual);
    for (String code : CODES) {
      assertEquals(expected.path(code).asDouble(), actual.path(code).asDouble(-1), tolerance, what + " " + code
          + ": expected " + expected + ", got " + actual);
    }
  }


  /** The dataset image prep made from {@code dicom}, from the dataset's private id map. */
  private static String imageIdOf(Path dicom) throws Exception {
    Path map = tmp.resolve("home").resolve("datasets").resolve(String.valueOf(dataset))
        .resolve("private").resolve("id-map.parquet");
    try (var files = Files.walk(map)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
        ParquetFile table = ParquetFile.open(f);
        for (int g = 0; g < table.rowGroups(); g++) {
          List<Object> sources = table.column(g, "source_path");
          List<Object> images = table.column(g, "image_id");
          for (int i = 0; i < sources.size(); i++) {
            String source = new String((byte[]) sources.get(i), StandardCharsets.UTF_8);
            if (java.net.URI.create(source).getPath().equals(dicom.toAbsolutePath().toUri().getPath())) {
              return new String((byte[]) images.get(i), StandardCharsets.UTF_8);
            }
          }
        }
      }
    }
    throw new AssertionError(dicom + " is not in the id map of dataset " + dataset);
  }

  /** The finished training is in the registry; it runs on dataset images and uploads, with report text. */
  private static void checkRegistryAndRun(String trainer, long trainJob, int labelled) throws Exception {
    JsonNode list = http.get("/api/models?useCaseId=1", trainer).expect(200).json();
    assertEquals(1, list.size(), list.toString());
    JsonNode model = list.get(0);
    assertEquals(trainJob, model.path("jobId").asLong());
    assertEquals("resnet18", model.path("architecture").asText());
    long id = model.path("id").asLong();
    String stranger = Fixtures.participant(http, admin, "stranger");
    assertEquals(0, http.get("/api/models", stranger).json().size());
    http.get("/api/models/" + id, stranger).expect(404);

    JsonNode detail = http.get("/api/models/" + id, trainer).expect(200).json();
    assertEquals(1, detail.path("card").path("curves").size(), "one epoch, one curve point");
    assertTrue(detail.path("card").path("validation").has("kappaLinear"));
    assertEquals(labelled, detail.path("labelSnapshot").path("studies").asInt());
    assertEquals(trainJob, detail.path("job").path("id").asLong());

    JsonNode image = http.get("/api/datasets/" + dataset + "/images?limit=1", trainer).json().get(0);
    JsonNode byId = http.post("/api/models/" + id + "/predict", trainer, Map.of("datasetId", dataset, "imageId",
        image.path("imageId").asText())).expect(200).json();
    double sum = 0;
    String best = null;
    for (String code : CODES) {
      double p = byId.path("probabilities").path(code).asDouble(-1);
      assertTrue(p >= 0 && p <= 1, byId.toString());
      sum += p;
      best = best == null || p > byId.path("probabilities").path(best).asDouble() ? code : best;
    }
    assertEquals(1.0, sum, 1e-4);
    assertEquals(best, byId.path("predicted").asText());
    JsonNode useCase = http.get("/api/use-cases/1", trainer).json();
    String description = null;
    for (JsonNode c : useCase.path("categories")) {
      if (c.path("code").asText().equals(best)) {
        description = c.path("description").asText();
      }
    }
    assertEquals(description, byId.path("reportText").asText(), "the default report text is the description");

    // The same image uploaded as PNG (8-bit) gives nearly the same answer; a dataset image is predicted from the
    // float32 tensor training and evaluation read (compared with EvaluateJob's predictions after the evaluation).
    byte[] png = http.bytes("/api/datasets/" + dataset + "/images/" + image.path("imageId").asText() + "/png",
        trainer).body();
    JsonNode byPng = http.upload("/api/models/" + id + "/predict", trainer, png, "image/png").expect(200).json();
    assertClose(byId.path("probabilities"), byPng.path("probabilities"), 0.01, "8-bit PNG upload");
    for (String study : List.of(studies.get(0), studies.get(1))) {
      for (JsonNode img : http.get("/api/datasets/" + dataset + "/images?study=" + study, trainer).json()) {
        String imageId = img.path("imageId").asText();
        runPredictions.put(imageId, http.post("/api/models/" + id + "/predict", trainer, Map.of("datasetId",
            dataset, "imageId", imageId)).expect(200).json().path("probabilities"));
      }
    }
    assertEquals(8, runPredictions.size(), "two studies of four views");

    // The original DICOM of a right-breast MONOCHROME1 dataset image (found with dcmtk), uploaded, goes through
    // prep's pixel pipeline (window, inversion, mirroring, resize) and predicts like its prepared image.
    Path dicom = DicomTools.firstWith(tmp.resolve("dicom"), Map.of("PhotometricInterpretation", "MONOCHROME1",
        "ImageLaterality", "R")).orElse(null);
    assertTrue(dicom != null, "synth wrote a right-breast MONOCHROME1 image");
    String dicomImage = imageIdOf(dicom);
    JsonNode prepared = http.post("/api/models/" + id + "/predict", trainer, Map.of("datasetId", dataset,
        "imageId", dicomImage)).expect(200).json();
    JsonNode byDicom = http.upload("/api/models/" + id + "/predict", trainer, Files.readAllBytes(dicom),
        "application/dicom").expect(200).json();
    assertEquals("uploaded DICOM", byDicom.path("input").asText());
    assertClose(prepared.path("probabilities"), byDicom.path("probabilities"), 1e-5, "DICOM upload " + dicom);
    http.upload("/api/models/" + id + "/predict", trainer, "not an image".getBytes(), "image/png").expect(415);
    http.upload("/api/models/" + id + "/predict", trainer, new byte[9 << 20], "application/dicom").expect(413);
    http.upload("/api/models/" + id + "/predict", trainer, "x".getBytes(), "text/plain").expect(415);
    http.post("/api/models/" + id + "/predict", stranger, Map.of("datasetId", dataset, "imageId", "x")).expect(404);

    // A site's own sentences reach every prediction.
    StringBuilder xml = new StringBuilder("<assistModule xmlns=\"urn:radlab:assist-module:1\" useCase=\"x\">");
    for (String code : CODES) {
      xml.append("<finding category=\"").append(code).append("\" cde=\"radlab.breast_density.")
          .append(code.toLowerCase(java.util.Locale.ROOT)).append("\"><reportText>Site sentence ").append(code)
          .append(".</reportText></finding>");
    }
    http.method("PUT", "/api/use-cases/1/assist-module", admin, xml.append("</assistModule>").toString(),
        "application/xml").expect(200);
    JsonNode custom = http.post("/api/models/" + id + "/predict", trainer, Map.of("datasetId", dataset, "imageId",
        image.path("imageId").asText())).expect(200).json();
    assertEquals("Site sentence " + best + ".", custom.path("reportText").asText());
  }

  /** Publishing to a directory and to a real local HTTP receiver, each attempt recorded, tokens never stored. */
  private static void checkPublish(String trainer, long model) throws Exception {
    String publish = "/api/models/" + model + "/publish";
    JsonNode toDir = http.post(publish, trainer, Map.of("directory", "site-a")).expect(201).json();
    String destination = toDir.path("destination").asText();
    assertTrue(destination.startsWith("$RADLAB_HOME/published/site-a/"), destination);
    Path dir = tmp.resolve("home").resolve(destination.substring("$RADLAB_HOME/".length()));
    assertEquals("radlab-model-" + model, dir.getFileName().toString());
    Process check = new ProcessBuilder("sha256sum", "-c", "SHA256SUMS").directory(dir.toFile())
        .redirectErrorStream(true).start();
    String checked = new String(check.getInputStream().readAllBytes());
    assertEquals(0, check.waitFor(), checked);
    assertTrue(checked.contains("model.json: OK") && checked.contains("MODEL_CARD.md: OK"), checked);
    assertTrue(Files.readString(dir.resolve("MODEL_CARD.md")).contains("linear-weighted kappa"));
    assertTrue(http.post(publish, trainer, Map.of("directory", "site-a")).expect(409).detail()
        .contains("exists already"), "the same folder again: refused and recorded");
    http.post(publish, trainer, Map.of("directory", "/tmp/elsewhere")).expect(400);
    http.post(publish, trainer, Map.of("directory", "x", "url", "http://127.0.0.1:1/")).expect(400);

    java.util.concurrent.atomic.AtomicReference<byte[]> received = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<String> declaredSha = new java.util.concurrent.atomic.AtomicReference<>();
    com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/models", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean allowed = "Bearer secret-123".equals(exchange.getRequestHeaders().getFirst("Authorization"));
      if (allowed) {
        received.set(body);
        declaredSha.set(exchange.getRequestHeaders().getFirst("X-RadLab-SHA256"));
      }
      byte[] answer = (allowed ? "stored" : "wrong token").getBytes();
      exchange.sendResponseHeaders(allowed ? 200 : 401, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    receiver.start();
    try {
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/models";
      // A local receiver: only once an admin allowed it, private addresses included (PublishGuardTest attacks this).
      http.post("/api/publish-destinations", admin, Map.of("url", url, "allowPrivate", true)).expect(201);
      String refused = http.post(publish, trainer, Map.of("url", url, "token", "wrong")).expect(502).detail();
      assertTrue(refused.startsWith("HTTP 401 ") && !refused.contains("wrong token"), "the status only: " + refused);
      JsonNode sent = http.post(publish, trainer, Map.of("url", url, "token", "secret-123")).expect(201).json();
      assertEquals("published", sent.path("status").asText());
      byte[] zip = received.get();
      assertEquals(ModelPackageCheck.sha256(zip), declaredSha.get());
      assertEquals(ModelPackageCheck.sha256(zip), sent.path("sha256").asText());
      Map<String, byte[]> entries = ModelPackageCheck.unzip(zip);
      assertTrue(entries.keySet().containsAll(List.of("radlab-model-" + model + "/model.json",
          "radlab-model-" + model + "/weights.params", "radlab-model-" + model + "/MODEL_CARD.md")), entries.keySet()
          .toString());
      ModelPackageCheck.verifySums(entries, "radlab-model-" + model + "/");
    } finally {
      receiver.stop(0);
    }
    http.post("/api/publish-destinations", admin, Map.of("url", "http://127.0.0.1:9/", "allowPrivate", true))
        .expect(201);
    String unreachable = http.post(publish, trainer, Map.of("url", "http://127.0.0.1:9/models")).expect(502).detail();
    assertTrue(unreachable.startsWith("no HTTP answer from the endpoint"), unreachable);

    List<String> statuses = new ArrayList<>();
    http.get("/api/models/" + model + "/publications", trainer).expect(200).json()
        .forEach(p -> statuses.add(p.path("kind").asText() + ":" + p.path("status").asText()));
    assertEquals(List.of("http:failed", "http:published", "http:failed", "directory:failed", "directory:published"),
        statuses, "every attempt, newest first");
    String stored = api.database().jdbi().withHandle(h -> h.createQuery("SELECT * FROM publication")
        .mapToMap().list().toString());
    assertFalse(stored.contains("secret-123"), "tokens are never stored");
    http.post(publish, Fixtures.participant(http, admin, "outsider"), Map.of("directory", "x")).expect(404);
  }

  @Test
  void cancelStopsAQueuedJobAndARunningOne() throws Exception {
    String canceller = Fixtures.participant(http, admin, "canceller");
    for (int i = 0; i < Fixtures.MIN_LABELS; i++) {
      http.post(label(studies.get(i)), canceller, Map.of("code", CODES.get(i % 4))).expect(201);
    }
    long running = http.post("/api/jobs", canceller, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
        "config", Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 500))).expect(201)
        .json().path("id").asLong();
    long queued = http.post("/api/jobs", canceller, Map.of("kind", "assess", "predictionsCsv", PREDICTIONS,
        "config", Map.of("positive", List.of("malignant"), "bootstrap", 10))).expect(201).json().path("id").asLong();
    JsonNode started = Fixtures.awaitJob(http, canceller, running, Duration.ofMinutes(5),
        j -> j.path("status").asText().equals("RUNNING") && j.path("pid").isNumber());
    long pid = started.path("pid").asLong();
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertEquals("QUEUED", http.get("/api/jobs/" + queued, canceller).json().path("status").asText(),
        "one job at a time");

    JsonNode cancelledQueued = http.post("/api/jobs/" + queued + "/cancel", canceller, "").expect(200).json();
    assertEquals("CANCELLED", cancelledQueued.path("status").asText());
    assertNull(cancelledQueued.get("startedAt"), "it never started");
    JsonNode cancelled = http.post("/api/jobs/" + running + "/cancel", canceller, "").expect(200).json();
    assertEquals("CANCELLED", cancelled.path("status").asText());
    assertTrue(cancelled.path("reason").asText().contains("canceller"));
    http.post("/api/jobs/" + running + "/cancel", canceller, "").expect(409);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Fixtures.sleep(200);
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the job's process is gone");
    Fixtures.sleep(1500);
    assertEquals("CANCELLED", http.get("/api/jobs/" + running, canceller).json().path("status").asText(),
        "the process ending afterwards does not overwrite the status");
  }

  @Test
  void theQueueRunsOneJobAtATimeAndTakesTurnsBetweenUsers() {
    String alice = Fixtures.participant(http, admin, "queue-alice");
    String bob = Fixtures.participant(http, admin, "queue-bob");
    Map<String, Object> assess = Map.of("kind", "assess", "predictionsCsv", PREDICTIONS, "config",
        Map.of("positive", List.of("malignant"), "bootstrap", 10));
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(http.post("/api/jobs", alice, assess).expect(201).json().path("id").asLong());
    }
    long bobs = http.post("/api/jobs", bob, assess).expect(201).json().path("id").asLong();
    List<JsonNode> done = new ArrayList<>();
    for (long id : jobs) {
      done.add(Fixtures.awaitJob(http, alice, id, Duration.ofMinutes(5)));
    }
    JsonNode bobDone = Fixtures.awaitJob(http, bob, bobs, Duration.ofMinutes(5));
    List<JsonNode> all = new ArrayList<>(done);
    all.add(bobDone);
    for (JsonNode j : all) {
      assertEquals("SUCCEEDED", j.path("status").asText(), j.toString());
    }
    all.sort((a, b) -> a.path("startedAt").asText().compareTo(b.path("startedAt").asText()));
    List<Long> started = all.stream().map(j -> j.path("id").asLong()).toList();
    assertEquals(List.of(jobs.get(0), bobs, jobs.get(1), jobs.get(2)), started,
        "bob's job runs before alice's second and third");
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i).path("startedAt").asText().compareTo(all.get(i - 1).path("finishedAt").asText()) >= 0,
          "never two at once");
    }
  }
}
