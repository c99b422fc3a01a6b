package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.http.Json;
import org.radlab.core.dataset.BoxTable;
import org.radlab.prep.synth.SynthCommand;

/**
 * A detection use case through the API: boxes drawn in Annotate become the training job's snapshot, the job trains
 * a detector, the registry keeps its mAP, and an evaluation scores it by mAP. Requests that would mix the tasks are
 * refused naming the problem.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetectionJobsTest {
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String dora;
  static long dataset;
  static long useCase;
  /** What dora posted: study -> boxes, as the API took them. */
  static final Map<String, List<Map<String, Object>>> posted = new LinkedHashMap<>();

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    dora = Fixtures.participant(http, admin, "dora");
    Path dicom = tmp.resolve("dicom");
    assertEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--out", dicom.toString(), "--studies", "14",
        "--seed", "3", "--rows", "128", "--columns", "96", "--lesions"));
    dataset = Fixtures.dataset(http, admin, "lesions", dicom);
    useCase = http.post("/api/use-cases", admin, Map.of("title", "Lesion finder", "bodyArea", "Breast", "modality",
        "MG", "task", "detection", "categories", List.of(
            Map.of("code", "mass", "name", "Mass", "description", "A mass", "cdeId", "local.mass"),
            Map.of("code", "calc", "name", "Calcifications", "description", "A cluster", "cdeId", "local.calc"))))
        .expect(201).json().path("id").asLong();
    http.post("/api/use-cases/" + useCase + "/review", admin, Map.of("decision", "publish")).expect(200);
    List<String> studies = Fixtures.studies(http, dora, dataset);
    for (int s = 0; s < Fixtures.MIN_LABELS; s++) {
      JsonNode images = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(s), dora).json();
      List<Map<String, Object>> boxes = new ArrayList<>();
      if (s % 4 != 3) { // every fourth study read as holding nothing
        JsonNode image = images.get(s % images.size());
        int w = image.path("pngWidth").asInt();
        int h = image.path("pngHeight").asInt();
        boxes.add(Map.of("imageId", image.path("imageId").asText(), "x", w / 4, "y", h / 3, "width", w / 5,
            "height", h / 6, "code", s % 2 == 0 ? "mass" : "calc"));
      }
      http.post("/api/annotate/" + useCase + "/" + dataset + "/studies/" + studies.get(s), dora,
          Map.of("boxes", boxes)).expect(201);
      posted.put(studies.get(s), boxes);
    }
  }

  @AfterAll
  static void stop() {
    Fixtures.cancelRunningAndStop(api, http, admin);
  }

  @Test
  @Order(1)
  void boxesTrainADetectorThatIsEvaluatedByMap() throws Exception {
    Map<String, Object> config = Map.of("inputSize", 32, "width", 0.125, "maxEpochs", 1, "batchSize", 8);
    long job = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "config", config)).expect(201).json().path("id").asLong();
    JsonNode done = Fixtures.awaitJob(http, dora, job, Duration.ofMinutes(6));
    assertEquals("SUCCEEDED", done.path("status").asText(), http.get("/api/jobs/" + job + "/log", dora).body());

    // the snapshot is every image of each annotated study, with dora's boxes as corners in PNG pixels
    JsonNode asAdmin = http.get("/api/jobs/" + job, admin).json();
    assertEquals("detection", asAdmin.path("config").path("task").asText());
    BoxTable snapshot = BoxTable.readReference(Path.of(asAdmin.path("config").path("labels").asText()),
        BoxTable.IMAGE);
    List<String> images = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (var e : posted.entrySet()) {
      http.get("/api/datasets/" + dataset + "/images?study=" + e.getKey(), dora).json()
          .forEach(i -> images.add(i.path("imageId").asText()));
      for (Map<String, Object> b : e.getValue()) {
        int x = (Integer) b.get("x");
        int y = (Integer) b.get("y");
        expected.add(b.get("imageId") + " " + b.get("code") + " " + x + " " + y + " " + (x + (Integer) b.get("width"))
            + " " + (y + (Integer) b.get("height")));
      }
    }
    assertEquals(images.stream().sorted().toList(), snapshot.images().stream().sorted().toList());
    assertEquals(expected.stream().sorted().toList(), snapshot.boxes().stream().map(b -> b.image() + " " + b.label()
        + " " + (int) b.xMin() + " " + (int) b.yMin() + " " + (int) b.xMax() + " " + (int) b.yMax()).sorted().toList());

    JsonNode model = http.get("/api/models?useCaseId=" + useCase, dora).json().get(0);
    assertTrue(model.path("map").isNumber(), "a detector is registered with its mAP: " + model);
    assertTrue(model.path("kappa").isMissingNode() || model.path("kappa").isNull(), "no kappa: " + model);
    long eval = http.post("/api/jobs", dora, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", useCase,
        "models", List.of(model.path("id").asLong()), "config", Map.of("bootstrap", 20))).expect(201).json()
        .path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, dora, eval, Duration.ofMinutes(6)).path("status").asText(),
        http.get("/api/jobs/" + eval + "/log", dora).body());
    JsonNode comparison = http.get("/api/jobs/" + eval + "/artifact?path=comparison.json", dora).expect(200).json();
    assertTrue(comparison.get(0).path("map").isNumber() && comparison.get(0).path("images").asInt() == images.size(),
        comparison.toString());

    // Run: the boxes of a dataset image in its PNG's pixels, as the evaluation found them
    long modelId = model.path("id").asLong();
    BoxTable evaluated = BoxTable.readPredictions(Path.of(http.get("/api/jobs/" + eval, admin).json().path("config")
        .path("output").asText()).resolve("job-" + job).resolve("predictions.csv"), BoxTable.IMAGE);
    String image = evaluated.boxes().isEmpty() ? images.get(0) : evaluated.boxes().get(0).image();
    JsonNode run = http.post("/api/models/" + modelId + "/predict", dora, Map.of("datasetId", dataset, "imageId",
        image)).expect(200).json();
    assertEquals("detection", run.path("task").asText());
    // boxes do not come as a DICOM SEG: asked for one, a detector refuses with the reason
    var seg = http.postFor("/api/models/" + modelId + "/predict", dora, Map.of("datasetId", dataset, "imageId",
        image), "application/json", "application/dicom");
    assertEquals(406, seg.statusCode());
    assertTrue(new String(seg.body(), java.nio.charset.StandardCharsets.UTF_8).contains("segmenter"));
    List<BoxTable.Box> fromEvaluation = evaluated.boxes().stream().filter(b -> b.image().equals(image)).toList();
    assertEquals(fromEvaluation.size(), run.path("boxes").size(), "Run and the evaluation find as many boxes");
    // the report text: the default assist module's sentence (the category's description) of each category found at
    // a score of 0.5 or more, in the order first found
    Map<String, String> sentence = Map.of("mass", "A mass", "calc", "A cluster");
    List<String> strong = new ArrayList<>();
    run.path("boxes").forEach(b -> {
      if (b.path("score").asDouble() >= 0.5 && !strong.contains(b.path("code").asText())) {
        strong.add(b.path("code").asText());
      }
    });
    assertEquals(strong.isEmpty() ? null : String.join(" ", strong.stream().map(sentence::get).toList()),
        run.path("reportText").isMissingNode() || run.path("reportText").isNull() ? null
            : run.path("reportText").asText(), "report text of " + run.path("boxes"));
    // the same boxes, up to libtorch's rounding with other thread counts (the job runs one thread per task)
    run.path("boxes").forEach(b -> assertTrue(fromEvaluation.stream().anyMatch(e -> e.label().equals(
        b.path("code").asText()) && Math.abs(e.xMin() - b.path("x").asDouble()) < 0.01
        && Math.abs(e.yMin() - b.path("y").asDouble()) < 0.01
        && Math.abs(e.xMax() - b.path("x").asDouble() - b.path("width").asDouble()) < 0.01
        && Math.abs(e.yMax() - b.path("y").asDouble() - b.path("height").asDouble()) < 0.01), "Run's " + b
        + " is among the evaluation's boxes"));
    // an uploaded PNG (the dataset's own): boxes inside its pixels
    byte[] png = http.bytes("/api/datasets/" + dataset + "/images/" + image + "/png", dora).body();
    java.awt.image.BufferedImage decoded = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    JsonNode uploaded = http.upload("/api/models/" + modelId + "/predict", dora, png, "image/png").expect(200).json();
    uploaded.path("boxes").forEach(b -> assertTrue(b.path("x").asDouble() >= 0 && b.path("y").asDouble() >= 0
        && b.path("x").asDouble() + b.path("width").asDouble() <= decoded.getWidth() + 1e-9
        && b.path("y").asDouble() + b.path("height").asDouble() <= decoded.getHeight() + 1e-9, b.toString()));
    // an uploaded DICOM: the boxes of its prepared image (same tensor), in the file's own pixels: scaled from the
    // PNG's by columns / PNG width and rows / PNG height, and mirrored back for a right breast that prep mirrored
    Path dicom;
    try (var files = Files.walk(tmp.resolve("dicom"))) {
      dicom = files.filter(f -> f.getFileName().toString().startsWith("R_")).findFirst().orElseThrow();
    }
    byte[] file = Files.readAllBytes(dicom);
    var stored = org.radlab.core.dicom.DicomReader.decode(file);
    String dicomImage = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        tmp.resolve("home").resolve("site-secret"))).key("image", stored.header().sopInstanceUid() + "/0", 10);
    JsonNode asPng = http.post("/api/models/" + modelId + "/predict", dora, Map.of("datasetId", dataset, "imageId",
        dicomImage)).expect(200).json();
    JsonNode asDicom = http.upload("/api/models/" + modelId + "/predict", dora, file, "application/dicom")
        .expect(200).json();
    JsonNode meta = null;
    for (JsonNode i : http.get("/api/datasets/" + dataset + "/images?limit=1000", dora).json()) {
      meta = i.path("imageId").asText().equals(dicomImage) ? i : meta;
    }
    assertEquals("R", meta.path("laterality").asText(), "a right breast, which prep mirrors");
    double sx = (double) stored.width() / meta.path("pngWidth").asInt();
    double sy = (double) stored.height() / meta.path("pngHeight").asInt();
    assertEquals(asPng.path("boxes").size(), asDicom.path("boxes").size(), "as many boxes as on the prepared image");
    for (JsonNode p : asPng.path("boxes")) {
      double x0 = stored.width() - (p.path("x").asDouble() + p.path("width").asDouble()) * sx;
      double y0 = p.path("y").asDouble() * sy;
      boolean matched = false;
      for (JsonNode d : asDicom.path("boxes")) {
        matched |= d.path("code").asText().equals(p.path("code").asText())
            && Math.abs(d.path("x").asDouble() - x0) < 0.05 * sx && Math.abs(d.path("y").asDouble() - y0) < 0.05 * sy
            && Math.abs(d.path("width").asDouble() - p.path("width").asDouble() * sx) < 0.05 * sx;
      }
      assertTrue(matched, "the PNG's box " + p + " mirrored and scaled into the DICOM's pixels: " + asDicom);
    }
    assertTrue(asDicom.path("input").asText().contains("uploaded DICOM"), asDicom.toString());

    // published, the package's card reports the detector's scores, not a classifier's
    String destination = http.post("/api/models/" + modelId + "/publish", dora, Map.of("directory", "det"))
        .expect(201).json().path("destination").asText();
    String card = Files.readString(tmp.resolve("home").resolve(destination.substring("$RADLAB_HOME/".length()))
        .resolve("MODEL_CARD.md"));
    double map = http.get("/api/models/" + modelId, dora).json().path("card").path("validation").path("map")
        .asDouble();
    assertTrue(card.contains("| task | detection |") && card.contains(String.format(java.util.Locale.ROOT,
        "| mAP (IoU 0.5 to 0.95) | %.4f |", map)) && !card.contains("kappa"), card);
  }

  @Test
  @Order(2)
  void referenceBoxesAreCheckedKeptAndScoredAgainst() throws Exception {
    String study = Fixtures.studies(http, admin, dataset).get(0);
    JsonNode images = http.get("/api/datasets/" + dataset + "/images?study=" + study, admin).json();
    String a = images.get(0).path("imageId").asText();
    String b = images.get(1).path("imageId").asText();
    String c = images.get(2).path("imageId").asText();
    int width = images.get(0).path("pngWidth").asInt();
    String csv = "image,x_min,y_min,x_max,y_max,label\n" + a + ",1,2,11,12,mass\n" + b + ",3,4,13,14,calc\n" + c
        + ",,,,,\n";
    String path = "/api/datasets/" + dataset + "/reference-boxes?useCaseId=" + useCase;
    http.method("POST", path, dora, csv, "text/csv").expect(403);
    for (String[] bad : new String[][] {{csv.replace(a, "nope"), "nope"}, {csv.replace(",mass", ",tumour"), "tumour"},
        {csv.replace("1,2,11,12", "1,2," + (width + 5) + ",12"), "leaves"}, {"image,x_min\n", "no column"}}) {
      String detail = http.method("POST", path, admin, bad[0], "text/csv").expect(400).detail();
      assertTrue(detail.contains(bad[1]), detail);
    }
    assertTrue(http.method("POST", "/api/datasets/" + dataset + "/reference-boxes?useCaseId=1", admin, csv,
        "text/csv").expect(400).detail().contains("classification"));
    JsonNode kept = http.method("POST", path, admin, csv, "text/csv").expect(200).json();
    assertEquals(3, kept.path("images").asInt());
    assertEquals(2, kept.path("boxes").asInt());

    // an admin scores dora's detector against them: three images, two reference boxes
    long model = http.get("/api/models?useCaseId=" + useCase, admin).json().get(0).path("id").asLong();
    long eval = http.post("/api/jobs", admin, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", useCase,
        "labels", "reference", "models", List.of(model), "config", Map.of("bootstrap", 0))).expect(201).json()
        .path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, admin, eval, Duration.ofMinutes(6)).path("status").asText(),
        http.get("/api/jobs/" + eval + "/log", admin).body());
    JsonNode row = http.get("/api/jobs/" + eval + "/artifact?path=comparison.json", admin).expect(200).json().get(0);
    assertEquals(3, row.path("images").asInt(), row.toString());
    assertEquals(2, row.path("references").asInt(), row.toString());
  }

  @Test
  @Order(3)
  void requestsThatMixTheTasksAreRefusedNamingTheProblem() {
    int before = Fixtures.jobCount(http, admin);
    String detail = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "config", Map.of("task", "classification"))).expect(400).detail();
    assertTrue(detail.contains("detection use case"), detail);
    detail = http.post("/api/jobs", admin, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "labels", "theirs")).expect(400).detail();
    assertTrue(detail.contains("'mine' or 'reference'"), detail);
    detail = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
        "config", Map.of("task", "detection"))).expect(400).detail();
    assertTrue(detail.contains("classification use case"), detail);
    assertEquals(before, Fixtures.jobCount(http, admin), "no refused job was queued");

    // a box must lie on an image of the study it is saved with, and inside that image
    List<String> studies = Fixtures.studies(http, dora, dataset);
    JsonNode own = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(0), dora).json().get(0);
    JsonNode other = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(1), dora).json().get(0);
    String path = "/api/annotate/" + useCase + "/" + dataset + "/studies/" + studies.get(0);
    String saved = http.get(path, dora).json().path("annotation").path("boxes").asText();
    detail = http.post(path, dora, Map.of("boxes", List.of(Map.of("imageId", other.path("imageId").asText(), "x", 1,
        "y", 1, "width", 4, "height", 4, "code", "mass")))).expect(400).detail();
    assertTrue(detail.contains("an image of study " + studies.get(0)), detail);
    int w = own.path("pngWidth").asInt();
    detail = http.post(path, dora, Map.of("boxes", List.of(Map.of("imageId", own.path("imageId").asText(), "x",
        w - 3, "y", 1, "width", 4, "height", 4, "code", "mass")))).expect(400).detail();
    assertTrue(detail.contains("leaves its image"), detail);
    assertEquals(saved, http.get(path, dora).json().path("annotation").path("boxes").asText(),
        "the refused boxes changed nothing");
  }

  /**
   * A detection challenge: its hidden sets need reference boxes; a submission is evaluated on them and ranked by
   * mAP. The reference boxes are the synthetic lesions' ground truth, mapped here by hand into each prepared PNG
   * (scaled by PNG size over DICOM size, mirrored for a right breast); the leaderboard's mAP must be what numpy's
   * COCO evaluation computes from those boxes and the hidden evaluation's predictions.
   */
  @Test
  @Order(4)
  void aDetectionChallengeRanksSubmissionsByMapOnHiddenReferenceBoxes() throws Exception {
    Path home = tmp.resolve("home");
    var pseudonyms = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        home.resolve("site-secret")));
    long[] hidden = new long[2];
    Map<Long, Path> truths = new LinkedHashMap<>();
    Map<Long, Integer> boxCounts = new LinkedHashMap<>();
    for (int k = 0; k < 2; k++) {
      Path dicom = tmp.resolve("hidden-" + k);
      assertEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--out", dicom.toString(), "--studies",
          "3", "--seed", String.valueOf(40 + k), "--rows", "128", "--columns", "96", "--lesions"));
      hidden[k] = Fixtures.dataset(http, admin, "hidden-" + k, dicom);
      Map<String, JsonNode> byId = new LinkedHashMap<>();
      http.get("/api/datasets/" + hidden[k] + "/images?limit=1000", admin).json()
          .forEach(i -> byId.put(i.path("imageId").asText(), i));
      // boxes.csv: SOPInstanceUID,x_min,y_min,x_max,y_max,label in the DICOM's 96 x 128 pixels (empty: no lesion)
      StringBuilder truth = new StringBuilder("image,x_min,y_min,x_max,y_max,label\n");
      int boxes = 0;
      List<String> lines = Files.readAllLines(dicom.resolve("boxes.csv"));
      assertEquals("SOPInstanceUID,x_min,y_min,x_max,y_max,label", lines.get(0));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        String image = pseudonyms.key("image", f[0] + "/0", 10);
        JsonNode meta = byId.get(image);
        assertTrue(meta != null, "image " + image + " of " + f[0] + " is in the catalog");
        if (f[1].isEmpty()) {
          truth.append(image).append(",,,,,\n");
          continue;
        }
        double sx = meta.path("pngWidth").asDouble() / 96;
        double sy = meta.path("pngHeight").asDouble() / 128;
        double x0 = Double.parseDouble(f[1]) * sx;
        double x1 = Double.parseDouble(f[3]) * sx;
        if ("R".equals(meta.path("laterality").asText())) {
          double w = meta.path("pngWidth").asDouble();
          double t = w - x1;
          x1 = w - x0;
          x0 = t;
        }
        truth.append(String.join(",", image, Double.toString(x0), Double.toString(Double.parseDouble(f[2]) * sy),
            Double.toString(x1), Double.toString(Double.parseDouble(f[4]) * sy), Map.of("mass", "mass", "calcification", "calc").get(f[5])))
            .append('\n');
        boxes++;
      }
      assertTrue(boxes > 0, "the synthetic hidden set holds lesions");
      truths.put(hidden[k], Files.writeString(tmp.resolve("truth-" + k + ".csv"), truth));
      boxCounts.put(hidden[k], boxes);
    }
    Map<String, Object> body = new LinkedHashMap<>(Map.of("title", "Find the lesions", "useCaseId", useCase,
        "poolDatasetId", dataset, "testDatasetId", hidden[0], "finalDatasetId", hidden[1],
        "startsAt", java.time.Instant.now().minusSeconds(3600).toString(),
        "endsAt", java.time.Instant.now().plusSeconds(86_400).toString(), "minAnnotations", Fixtures.MIN_LABELS));
    String detail = http.post("/api/challenges", admin, body).expect(400).detail();
    assertTrue(detail.contains("no reference boxes"), detail);
    // the test set's boxes as synth wrote them (original SOPInstanceUIDs and pixels), mapped by the server; the
    // final set's as mapped here
    String raw = Files.readString(tmp.resolve("hidden-0").resolve("boxes.csv"));
    String original = "/api/datasets/" + hidden[0] + "/reference-boxes?useCaseId=" + useCase + "&keys=original";
    detail = http.method("POST", original, admin, raw, "text/csv").expect(400).detail();
    assertTrue(detail.contains("calcification"), "the use case's codes are mass and calc: " + detail);
    detail = http.method("POST", original, admin, raw.replace("calcification", "calc") + "1.2.3.4,1,1,5,5,mass\n",
        "text/csv").expect(400).detail();
    assertTrue(detail.contains("1.2.3.4"), detail);
    http.method("POST", original, admin, raw.replace("calcification", "calc"), "text/csv").expect(200);
    http.method("POST", "/api/datasets/" + hidden[1] + "/reference-boxes?useCaseId=" + useCase, admin,
        Files.readString(truths.get(hidden[1])), "text/csv").expect(200);
    long challenge = http.post("/api/challenges", admin, body).expect(201).json().path("id").asLong();
    String base = "/api/challenges/" + challenge;
    JsonNode seen = http.get(base, dora).expect(200).json();
    assertEquals("detection", seen.path("task").asText(), seen.toString());
    detail = http.get("/api/use-cases/" + useCase + "/agreement", dora).expect(409).detail();
    assertTrue(detail.contains("detection use case"), detail);

    long model = http.get("/api/models?useCaseId=" + useCase, dora).json().get(0).path("id").asLong();
    JsonNode submitted = http.post(base + "/submissions", dora, Map.of("modelId", model)).expect(201).json();
    assertTrue(submitted.path("jobId").isMissingNode() || submitted.path("jobId").isNull(), submitted.toString());
    JsonNode scored = null;
    for (int i = 0; i < 600 && scored == null; i++) {
      JsonNode s = http.get(base + "/submissions", admin).json().get(0);
      if (Set.of("scored", "failed").contains(s.path("status").asText())) {
        scored = s;
      } else {
        Fixtures.sleep(1000);
      }
    }
    assertTrue(scored != null, "the submission was scored in time");
    long job = scored.path("jobId").asLong();
    assertEquals("scored", scored.path("status").asText(), http.get("/api/jobs/" + job + "/log", admin).body());
    assertTrue(scored.path("kappa").isMissingNode() && scored.path("auc").isMissingNode(), scored.toString());

    // the hidden evaluation scored every image of the test set against its boxes, and the leaderboard holds numpy's
    // mAP and AP50 of its predictions against the hand-mapped ground truth
    JsonNode hiddenJob = http.get("/api/jobs/" + job, admin).json();
    // the server's mapping of the original boxes is the one worked here
    BoxTable mapped = BoxTable.readReference(Path.of(hiddenJob.path("config").path("labels").asText()), BoxTable.IMAGE);
    BoxTable expected = BoxTable.readReference(truths.get(hidden[0]), BoxTable.IMAGE);
    assertEquals(expected.images().stream().sorted().toList(), mapped.images().stream().sorted().toList());
    java.util.function.Function<BoxTable, List<String>> rounded = t -> t.boxes().stream().map(x -> String.format(
        java.util.Locale.ROOT, "%s %s %.6f %.6f %.6f %.6f", x.image(), x.label(), x.xMin(), x.yMin(), x.xMax(),
        x.yMax())).sorted().toList();
    assertEquals(rounded.apply(expected), rounded.apply(mapped));
    Path output = Path.of(hiddenJob.path("config").path("output").asText());
    JsonNode row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(output.resolve("comparison.json").toFile()).get(0);
    assertEquals((int) http.get("/api/datasets/" + hidden[0] + "/images?limit=1000", admin).json().size(),
        row.path("images").asInt(), row.toString());
    assertEquals((long) boxCounts.get(hidden[0]), row.path("references").asLong(), row.toString());
    Path predictions;
    try (var files = Files.walk(output)) {
      predictions = files.filter(f -> f.getFileName().toString().equals("predictions.csv")).findFirst()
          .orElseThrow();
    }
    JsonNode numpy = org.radlab.core.testing.DetectionReference.run(truths.get(hidden[0]), predictions, tmp, false);
    JsonNode board = http.get(base + "/leaderboard", dora).expect(200).json().path("rows");
    assertEquals(1, board.size(), board.toString());
    assertEquals(1, board.get(0).path("rank").asInt());
    assertEquals(numpy.get("mAP").asDouble(), board.get(0).path("map").asDouble(), 1e-9, board.toString());
    assertEquals(numpy.get("AP50").asDouble(), board.get(0).path("ap50").asDouble(), 1e-9, board.toString());
    assertTrue(board.get(0).path("kappa").isMissingNode(), board.toString());
  }

  /**
   * A deployed detector followed in Assess: Run's answers are recorded as the deployment's predictions (with, on
   * every other case, a box one pixel off the radiologist's at score 0.8, so the measures are not all zero), the
   * boxes dora drew as the reads. The assessment's mAP and AP50 are numpy's COCO evaluation of the same boxes,
   * written out here from what was posted; its read boxes and cases are counted here.
   */
  @Test
  @Order(5)
  void aDeployedDetectorIsAssessedByMapAndIouOverTime() throws Exception {
    long model = http.get("/api/models?useCaseId=" + useCase, dora).json().get(0).path("id").asLong();
    String base = "/api/deployments/" + http.post("/api/deployments", dora, Map.of("name", "site-a-lesions",
        "useCaseId", useCase, "modelId", model)).expect(201).json().path("deployment").path("id").asLong();
    List<Map<String, Object>> cases = new ArrayList<>();
    List<Map<String, Object>> reads = new ArrayList<>();
    StringBuilder truth = new StringBuilder("image,x_min,y_min,x_max,y_max,label\n");
    StringBuilder predicted = new StringBuilder("image,x_min,y_min,x_max,y_max,label,score\n");
    int readBoxes = 0;
    int n = 0;
    for (var e : posted.entrySet()) {
      String image = e.getValue().isEmpty()
          ? http.get("/api/datasets/" + dataset + "/images?study=" + e.getKey(), dora).json().get(0)
              .path("imageId").asText()
          : (String) e.getValue().get(0).get("imageId");
      List<Map<String, Object>> boxes = new ArrayList<>();
      http.post("/api/models/" + model + "/predict", dora, Map.of("datasetId", dataset, "imageId", image))
          .expect(200).json().path("boxes").forEach(b -> boxes.add(Json.MAPPER.convertValue(b, Map.class)));
      List<Map<String, Object>> read = new ArrayList<>();
      for (Map<String, Object> b : e.getValue()) {
        read.add(Map.of("x", b.get("x"), "y", b.get("y"), "width", b.get("width"), "height", b.get("height"),
            "code", b.get("code")));
        truth.append(row(image, b, null));
        readBoxes++;
        if (n % 2 == 0) {
          Map<String, Object> near = new LinkedHashMap<>(read.get(read.size() - 1));
          near.put("x", ((Integer) b.get("x")) + 1);
          near.put("score", 0.8);
          boxes.add(near);
        }
      }
      if (e.getValue().isEmpty()) {
        truth.append(image).append(",,,,,\n");
      }
      boxes.forEach(b -> predicted.append(row(image, b, ((Number) b.get("score")).doubleValue())));
      if (boxes.isEmpty()) {
        predicted.append(image).append(",,,,,,\n");
      }
      cases.add(Map.of("caseId", image, "date", n < 6 ? "2027-01-1" + n : "2027-02-1" + (n - 6), "boxes", boxes));
      reads.add(Map.of("caseId", image, "boxes", read));
      n++;
    }
    // refused, naming the problem; nothing recorded
    for (Object[] bad : new Object[][] {
        {"/predictions", Map.of("cases", List.of(Map.of("caseId", "x", "date", "2027-01-01", "probabilities",
            Map.of("mass", 0.5, "calc", 0.5)))), "detection use case"},
        {"/predictions", Map.of("cases", List.of(Map.of("caseId", "x", "date", "2027-01-01", "boxes", List.of(
            Map.of("x", 1, "y", 1, "width", 0, "height", 3, "code", "mass", "score", 0.5))))), "width and height"},
        {"/predictions", Map.of("cases", List.of(Map.of("caseId", "x", "date", "2027-01-01", "boxes", List.of(
            Map.of("x", 1, "y", 1, "width", 2, "height", 3, "code", "tumour", "score", 0.5))))), "tumour"},
        {"/reads", Map.of("reads", List.of(Map.of("caseId", "x", "boxes", List.of(Map.of("x", 1, "y", 1, "width", 2,
            "height", 3, "code", "mass", "score", 0.5))))), "no score"},
        {"/reads", Map.of("reads", List.of(Map.of("caseId", "x", "read", "mass"))), "detection use case"}}) {
      String detail = http.post(base + bad[0], dora, bad[1]).expect(400).detail();
      assertTrue(detail.contains((String) bad[2]), detail);
    }
    assertEquals(0, http.get(base, dora).json().path("cases").asInt(), "a refused call records nothing");
    http.post(base + "/predictions", dora, Map.of("cases", cases)).expect(200);
    JsonNode counts = http.post(base + "/reads", dora, Map.of("reads", reads)).expect(200).json();
    assertEquals(posted.size(), counts.path("assessable").asInt(), counts.toString());
    http.post(base + "/assess", dora, Map.of("task", "classification")).expect(400);

    long job = http.post(base + "/assess", dora, Map.of("bootstrap", 20, "threshold", 0.5)).expect(201).json()
        .path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, dora, job, Duration.ofMinutes(3)).path("status").asText(),
        http.get("/api/jobs/" + job + "/log", dora).body());
    JsonNode a = http.get("/api/jobs/" + job + "/artifact?path=assessment.json", dora).expect(200).json();
    assertEquals("detection", a.path("task").asText());
    assertEquals(posted.size(), a.path("overall").path("cases").asInt());
    assertEquals(readBoxes, a.path("overall").path("operating").path("readBoxes").asInt());
    assertEquals(List.of("2027-01", "2027-02"), List.of(a.path("drift").get(0).path("period").asText(),
        a.path("drift").get(1).path("period").asText()));
    JsonNode numpy = org.radlab.core.testing.DetectionReference.run(Files.writeString(tmp.resolve("reads.csv"), truth),
        Files.writeString(tmp.resolve("deployed.csv"), predicted), tmp, false);
    assertEquals(numpy.get("mAP").asDouble(), a.path("overall").path("metrics").path("mAP").asDouble(), 1e-9);
    assertEquals(numpy.get("AP50").asDouble(), a.path("overall").path("metrics").path("AP50").asDouble(), 1e-9);
    assertTrue(a.path("overall").path("metrics").path("AP50").asDouble() > 0, "the near boxes are found: " + a);
    double iou = a.path("overall").path("operating").path("meanIou").asDouble();
    assertTrue(iou > 0 && iou < 1, "mean IoU " + iou);
  }

  private static String row(String image, Map<String, Object> b, Double score) {
    double x = ((Number) b.get("x")).doubleValue();
    double y = ((Number) b.get("y")).doubleValue();
    return image + "," + x + "," + y + "," + (x + ((Number) b.get("width")).doubleValue()) + ","
        + (y + ((Number) b.get("height")).doubleValue()) + "," + b.get("code") + (score == null ? "" : "," + score)
        + "\n";
  }
}
