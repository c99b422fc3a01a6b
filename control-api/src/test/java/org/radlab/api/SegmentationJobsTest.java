package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.prep.synth.SynthCommand;

/**
 * A segmentation use case through the API: the reference reader's masks are imported (and bad ones refused naming
 * the problem), an admin trains a U-Net on them and evaluates it by Dice and volume, and Run returns a dataset
 * image's mask with each class's area. A participant's masks from Annotate train their own U-Net, which a challenge
 * on hidden reference masks ranks by mean Dice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SegmentationJobsTest {
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String dora;
  static long dataset;
  static long useCase;
  static Path ct;
  /** The snapshot uploaded: synth's masks under the dataset's image ids (the PNGs keep the slices' 64 pixels). */
  static MaskTable reference;

  @BeforeAll
  static void start() throws Exception {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    dora = Fixtures.participant(http, admin, "dora");
    ct = tmp.resolve("ct");
    assertEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", ct.toString(),
        "--studies", String.valueOf(Fixtures.MIN_LABELS + 2), "--slices", "8", "--rows", "64", "--seed", "6"));
    dataset = Fixtures.dataset(http, admin, "ct", ct);
    useCase = http.post("/api/use-cases", admin, Map.of("title", "Liver outline", "bodyArea", "Abdomen", "modality",
        "CT", "task", "segmentation", "categories", List.of(
            Map.of("code", "liver", "name", "Liver", "description", "The liver", "cdeId", "local.liver"),
            Map.of("code", "lesion", "name", "Liver lesion", "description", "A lesion", "cdeId", "local.lesion"))))
        .expect(201).json().path("id").asLong();
    http.post("/api/use-cases/" + useCase + "/review", admin, Map.of("decision", "publish")).expect(200);
    var pseudonyms = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        tmp.resolve("home").resolve("site-secret")));
    Map<String, LabelMask> masks = new LinkedHashMap<>();
    try (var files = Files.list(ct.resolve("_masks"))) {
      for (Path png : files.sorted().toList()) {
        String sop = png.getFileName().toString().replaceAll("\\.png$", "");
        masks.put(pseudonyms.imageId(sop, 0), LabelMask.readPng(png));
      }
    }
    reference = new MaskTable(masks);
  }

  @AfterAll
  static void stop() {
    Fixtures.cancelRunningAndStop(api, http, admin);
  }

  @Test
  @Order(1)
  void referenceMasksAreImportedAndBadOnesRefused() {
    String path = "/api/datasets/" + dataset + "/reference-masks?useCaseId=" + useCase;
    JsonNode images = http.get("/api/datasets/" + dataset + "/images?limit=1000", admin).json();
    assertEquals(reference.masks().size(), images.size());
    images.forEach(i -> assertEquals(64, i.path("pngWidth").asInt(), "the PNGs keep the slices' size"));
    // the pixels of each class, counted here from synth's own mask files
    long[] pixels = new long[3];
    reference.masks().values().forEach(m -> {
      for (byte b : m.labels()) {
        pixels[b]++;
      }
    });
    JsonNode ok = http.method("POST", path, admin, reference.csv(), "text/csv").expect(200).json();
    assertEquals(reference.masks().size(), ok.path("images").asInt());
    assertEquals(pixels[1], ok.path("pixelsPerClass").path("liver").asLong());
    assertEquals(pixels[2], ok.path("pixelsPerClass").path("lesion").asLong());
    assertTrue(pixels[2] > 0, "the lesions show");

    String first = reference.images().get(0);
    String small = MaskTable.HEADER + "\n" + first + ",8,8,0*64\n";
    assertTrue(http.method("POST", path, admin, small, "text/csv").expect(400).detail().contains("64 x 64"));
    String three = MaskTable.HEADER + "\n" + first + ",64,64,3*4096\n";
    assertTrue(http.method("POST", path, admin, three, "text/csv").expect(400).detail().contains("class index 3"));
    String unknown = MaskTable.HEADER + "\nnot-an-image,64,64,0*4096\n";
    assertTrue(http.method("POST", path, admin, unknown, "text/csv").expect(400).detail().contains("not-an-image"));
    String shortRuns = MaskTable.HEADER + "\n" + first + ",64,64,0*4000\n";
    assertTrue(http.method("POST", path, admin, shortRuns, "text/csv").expect(400).detail().contains("4000"));
    http.method("POST", path, admin, reference.csv(), "text/plain").expect(415);
    http.method("POST", path, dora, reference.csv(), "text/csv").expect(403);
  }

  @Test
  @Order(2)
  void anAdminTrainsAUNetOnTheReferenceMasksAndEvaluatesItByDiceAndVolume() throws Exception {
    Map<String, Object> config = Map.of("inputSize", 64, "width", 0.125, "maxEpochs", 2, "batchSize", 8);
    String detail = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "config", config)).expect(400).detail();
    assertTrue(detail.contains("annotated studies"), "dora has outlined nothing yet: " + detail);
    long job = http.post("/api/jobs", admin, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "labels", "reference", "config", config)).expect(201).json().path("id").asLong();
    JsonNode done = Fixtures.awaitJob(http, admin, job, Duration.ofMinutes(6));
    assertEquals("SUCCEEDED", done.path("status").asText(), http.get("/api/jobs/" + job + "/log", admin).body());
    JsonNode asAdmin = http.get("/api/jobs/" + job, admin).json();
    assertEquals("segmentation", asAdmin.path("config").path("task").asText());
    assertEquals(List.of("liver", "lesion"), List.of(asAdmin.path("config").path("classes").get(0).asText(),
        asAdmin.path("config").path("classes").get(1).asText()));
    MaskTable snapshot = MaskTable.read(Path.of(asAdmin.path("config").path("labels").asText()));
    assertEquals(reference.csv().lines().sorted().toList(), snapshot.csv().lines().sorted().toList(),
        "the job's snapshot holds the uploaded masks, row for row");

    JsonNode model = http.get("/api/models?useCaseId=" + useCase, admin).json().get(0);
    long modelId = model.path("id").asLong();
    long eval = http.post("/api/jobs", admin, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", useCase,
        "labels", "reference", "models", List.of(modelId), "config", Map.of("bootstrap", 20))).expect(201).json()
        .path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, admin, eval, Duration.ofMinutes(6)).path("status").asText(),
        http.get("/api/jobs/" + eval + "/log", admin).body());
    JsonNode comparison = http.get("/api/jobs/" + eval + "/artifact?path=comparison.json", admin).expect(200).json();
    assertEquals(reference.masks().size(), comparison.get(0).path("images").asInt());
    assertEquals(Fixtures.MIN_LABELS + 2, comparison.get(0).path("series").asInt(), "one series per synthetic study");
    double dice = comparison.get(0).path("dice").asDouble();
    assertTrue(dice >= 0 && dice <= 1, comparison.toString());

    // Run: a dataset image's mask in its PNG's pixels, each class's area from the slice's spacing (slices.csv)
    String image = reference.images().get(reference.images().size() / 2);
    JsonNode run = http.post("/api/models/" + modelId + "/predict", admin, Map.of("datasetId", dataset, "imageId",
        image)).expect(200).json();
    assertEquals("segmentation", run.path("task").asText());
    assertEquals(64, run.path("width").asInt());
    LabelMask found = MaskTable.mask(64, run.path("height").asInt(), run.path("runs").asText(), "Run");
    double[] spacing = null;
    var pseudonyms = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        tmp.resolve("home").resolve("site-secret")));
    for (String line : Files.readAllLines(ct.resolve("slices.csv")).subList(1, reference.masks().size() + 1)) {
      String[] f = line.split(",");
      if (pseudonyms.imageId(f[0], 0).equals(image)) {
        spacing = new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4])};
      }
    }
    assertTrue(spacing != null, "slices.csv lists the image");
    for (JsonNode c : run.path("classes")) {
      int index = c.path("index").asInt();
      long counted = 0;
      for (byte b : found.labels()) {
        counted += b == index ? 1 : 0;
      }
      assertEquals(counted, c.path("pixels").asLong(), c.toString());
      // slices.csv holds the spacing to 6 decimals
      assertEquals(counted * spacing[0] * spacing[1], c.path("areaMm2").asDouble(), 1e-5 * Math.max(1, counted), c
          .toString());
    }
    assertEquals(List.of("liver", "lesion"), List.of(run.path("classes").get(0).path("code").asText(),
        run.path("classes").get(1).path("code").asText()));

    // the same answer as a DICOM SEG: dcmdump reads it without a warning, it holds the mask Run showed, and it
    // references the image as 2.25. + the first 128 bits of its id's SHA-256 (worked here from the definition)
    var seg = http.postFor("/api/models/" + modelId + "/predict", admin, Map.of("datasetId", dataset, "imageId",
        image), "application/json", "application/dicom");
    assertEquals(200, seg.statusCode(), new String(seg.body(), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("application/dicom", seg.headers().firstValue("Content-Type").orElse(""));
    Path segFile = tmp.resolve("run-seg.dcm");
    Files.write(segFile, seg.body());
    var dump = org.radlab.core.testing.DicomTools.run(tmp, "/usr/bin/dcmdump", segFile.toString());
    assertTrue(dump.ok() && dump.output().lines().noneMatch(l -> l.startsWith("W:") || l.startsWith("E:")),
        dump.output());
    assertTrue(dump.output().contains("[SEG]"), dump.output());
    String imageUid = "2.25." + new java.math.BigInteger(1, java.util.Arrays.copyOf(java.security.MessageDigest
        .getInstance("SHA-256").digest(image.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 16));
    var read = org.radlab.core.dicom.SegmentationReader.read(segFile, List.of("liver", "lesion"));
    assertEquals(1, read.masks().size(), "one frame group: the one image");
    var only = read.masks().entrySet().iterator().next();
    assertEquals(imageUid, only.getKey().sopInstanceUid());
    org.junit.jupiter.api.Assertions.assertArrayEquals(found.labels(), only.getValue().labels());
    // a DICOM SEG of an upload, or of a model that does not segment, is refused with a reason
    java.awt.image.BufferedImage gray = new java.awt.image.BufferedImage(64, 64,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(gray, "png", png);
    var refused = http.postFor("/api/models/" + modelId + "/predict", admin, png.toByteArray(), "image/png",
        "application/dicom");
    assertEquals(406, refused.statusCode());
    assertTrue(new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8).contains("dataset image"));
  }

  @Test
  @Order(3)
  void aParticipantsMasksTrainAUNetThatAChallengeRanksByDice() throws Exception {
    // dora outlines the liver of each study and reads every lesion as liver: her masks are synth's, lesion -> liver
    List<String> studies = Fixtures.studies(http, dora, dataset);
    String base = "/api/annotate/" + useCase + "/" + dataset + "/studies/";
    Map<String, LabelMask> expected = new java.util.TreeMap<>();
    for (int s = 0; s < Fixtures.MIN_LABELS; s++) {
      List<Map<String, Object>> masks = new java.util.ArrayList<>();
      for (JsonNode i : http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(s), dora).json()) {
        String id = i.path("imageId").asText();
        byte[] liver = reference.masks().get(id).labels().clone();
        for (int p = 0; p < liver.length; p++) {
          liver[p] = (byte) (liver[p] == 0 ? 0 : 1);
        }
        LabelMask m = new LabelMask(64, 64, liver);
        expected.put(id, m);
        if (m.maxLabel() > 0) { // a slice without liver is left out: it holds nothing
          masks.add(Map.of("imageId", id, "runs", MaskTable.runs(m)));
        }
      }
      http.post(base + studies.get(s), dora, Map.of("masks", masks)).expect(201);
    }
    // refused, naming the problem: a box, a class beyond the categories, runs short of the image, another study's
    // image, an image twice
    String other = studies.get(Fixtures.MIN_LABELS); // a study dora has not annotated
    String image = http.get("/api/datasets/" + dataset + "/images?study=" + other, dora).json().get(0)
        .path("imageId").asText();
    String study0Image = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(0), dora).json().get(0)
        .path("imageId").asText();
    Map<String, Object[]> bad = new LinkedHashMap<>();
    bad.put("boxes", new Object[] {Map.of("boxes", List.of()), "send 'masks'"});
    bad.put("class", new Object[] {Map.of("masks", List.of(Map.of("imageId", image, "runs", "3*4096"))), "class 3"});
    bad.put("short", new Object[] {Map.of("masks", List.of(Map.of("imageId", image, "runs", "0*4000"))), "4000"});
    bad.put("study", new Object[] {Map.of("masks", List.of(Map.of("imageId", study0Image, "runs", "0*4096"))),
        "study " + other});
    bad.put("twice", new Object[] {Map.of("masks", List.of(Map.of("imageId", image, "runs", "0*4096"),
        Map.of("imageId", image, "runs", "1*4096"))), "twice"});
    for (var e : bad.entrySet()) {
      String detail = http.post(base + other, dora, e.getValue()[0]).expect(400).detail();
      assertTrue(detail.contains((String) e.getValue()[1]), e.getKey() + ": " + detail);
    }

    Map<String, Object> config = Map.of("inputSize", 64, "width", 0.125, "maxEpochs", 2, "batchSize", 8);
    long job = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "config", config)).expect(201).json().path("id").asLong();
    JsonNode done = Fixtures.awaitJob(http, dora, job, Duration.ofMinutes(6));
    assertEquals("SUCCEEDED", done.path("status").asText(), http.get("/api/jobs/" + job + "/log", dora).body());
    MaskTable snapshot = MaskTable.read(Path.of(http.get("/api/jobs/" + job, admin).json().path("config")
        .path("labels").asText()));
    assertEquals(expected.keySet(), new java.util.TreeSet<>(snapshot.images()),
        "every image of each annotated study, those left out too");
    expected.forEach((id, m) -> assertEquals(MaskTable.runs(m), MaskTable.runs(snapshot.masks().get(id)), id));

    // a challenge on two hidden sets with reference masks ranks dora's U-Net by its mean Dice there
    long[] hidden = new long[2];
    var pseudonyms = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        tmp.resolve("home").resolve("site-secret")));
    for (int k = 0; k < 2; k++) {
      Path dicom = tmp.resolve("hidden-" + k);
      assertEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--modality", "CT", "--out",
          dicom.toString(), "--studies", "2", "--slices", "8", "--rows", "64", "--seed", String.valueOf(60 + k)));
      hidden[k] = Fixtures.dataset(http, admin, "hidden-" + k, dicom);
    }
    Map<String, Object> body = new LinkedHashMap<>(Map.of("title", "Outline the liver", "useCaseId", useCase,
        "poolDatasetId", dataset, "testDatasetId", hidden[0], "finalDatasetId", hidden[1],
        "startsAt", java.time.Instant.now().minusSeconds(3600).toString(),
        "endsAt", java.time.Instant.now().plusSeconds(86_400).toString(), "minAnnotations", Fixtures.MIN_LABELS));
    String detail = http.post("/api/challenges", admin, body).expect(400).detail();
    assertTrue(detail.contains("no reference masks"), detail);
    for (int k = 0; k < 2; k++) {
      Map<String, LabelMask> truth = new LinkedHashMap<>();
      try (var files = Files.list(tmp.resolve("hidden-" + k).resolve("_masks"))) {
        for (Path png : files.sorted().toList()) {
          truth.put(pseudonyms.imageId(png.getFileName().toString().replaceAll("\\.png$", ""), 0),
              LabelMask.readPng(png));
        }
      }
      http.method("POST", "/api/datasets/" + hidden[k] + "/reference-masks?useCaseId=" + useCase, admin,
          new MaskTable(truth).csv(), "text/csv").expect(200);
    }
    long challenge = http.post("/api/challenges", admin, body).expect(201).json().path("id").asLong();
    long modelId = http.get("/api/models?useCaseId=" + useCase, dora).json().get(0).path("id").asLong();
    long submission = http.post("/api/challenges/" + challenge + "/submissions", dora, Map.of("modelId", modelId))
        .expect(201).json().path("id").asLong();
    JsonNode scored = null;
    for (int tries = 0; tries < 600 && (scored == null || "evaluating".equals(scored.path("status").asText()));
        tries++) {
      Thread.sleep(500);
      for (JsonNode s : http.get("/api/challenges/" + challenge + "/submissions", admin).json()) {
        scored = s.path("id").asLong() == submission ? s : scored;
      }
    }
    assertEquals("scored", scored.path("status").asText(), scored.toString());
    JsonNode comparison = http.get("/api/jobs/" + scored.path("jobId").asLong() + "/artifact?path=comparison.json",
        admin).expect(200).json().get(0);
    assertEquals(comparison.path("dice").asDouble(), scored.path("dice").asDouble(), 1e-12);
    assertEquals(comparison.path("iou").asDouble(), scored.path("iou").asDouble(), 1e-12);
    JsonNode board = http.get("/api/challenges/" + challenge + "/leaderboard", dora).expect(200).json();
    assertEquals(1, board.path("rows").get(0).path("rank").asInt());
    assertEquals(scored.path("dice").asDouble(), board.path("rows").get(0).path("dice").asDouble(), 1e-12);
    assertTrue(board.path("rows").get(0).path("kappa").isMissingNode(), board.toString());
  }

  @Test
  @Order(4)
  void aDeployedSegmentersMasksAreAssessedByDiceAndVolume() throws Exception {
    // the three cases of SegmentationAssessmentTest, worked by hand there: liver Dice (2/3 + 2/3 + 6/7) / 3, the
    // liver volumes' bias -0.004/3 mL
    long deployment = http.post("/api/deployments", dora, Map.of("name", "ct-ward", "useCaseId", useCase))
        .expect(201).json().path("deployment").path("id").asLong();
    String base = "/api/deployments/" + deployment;
    List<Map<String, Object>> predictions = List.of(
        maskCase("c1", "2027-01-10", 4, 2, 1, List.of(1.0, 1.0, 2.0), "1*2 0*3 1*1 2*2"),
        maskCase("c2", "2027-01-20", 2, 2, 2, List.of(1.0, 1.0, 1.0), "1*3 0*5"),
        maskCase("c3", "2027-02-05", 2, 2, 1, List.of(2.0, 2.0, 1.0), "1*3 0*1"));
    // refused, recording nothing: a class beyond the categories, runs short of the voxels, probabilities
    List<Map<String, Object>> bad = new java.util.ArrayList<>(predictions);
    bad.set(1, maskCase("c2", "2027-01-20", 2, 2, 2, List.of(1.0, 1.0, 1.0), "3*8"));
    assertTrue(http.post(base + "/predictions", dora, Map.of("cases", bad)).expect(400).detail().contains("class 3"));
    bad.set(1, maskCase("c2", "2027-01-20", 2, 2, 2, List.of(1.0, 1.0, 1.0), "1*7"));
    assertTrue(http.post(base + "/predictions", dora, Map.of("cases", bad)).expect(400).detail().contains("7"));
    String detail = http.post(base + "/predictions", dora, Map.of("cases", List.of(Map.of("caseId", "x", "date",
        "2027-01-01", "probabilities", Map.of("liver", 0.5, "lesion", 0.5))))).expect(400).detail();
    assertTrue(detail.contains("send 'mask'"), detail);
    assertEquals(0, http.get(base, dora).json().path("cases").asInt(), "nothing recorded");

    http.post(base + "/predictions", dora, Map.of("cases", predictions)).expect(200);
    http.post(base + "/reads", dora, Map.of("reads", List.of(
        read("c1", 4, 2, 1, List.of(1.0, 1.0, 2.0), "1*3 0*3 2*1 0*1"),
        read("c2", 2, 2, 2, List.of(1.0, 1.0, 1.0), "1*2 0*2 1*1 0*3"),
        read("c3", 2, 2, 1, List.of(2.0, 2.0, 1.0), "1*4")))).expect(200);
    assertEquals(3, http.get(base, dora).json().path("assessable").asInt());
    long job = http.post(base + "/assess", dora, Map.of("period", "month", "bootstrap", 50)).expect(201).json()
        .path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, dora, job, Duration.ofMinutes(3)).path("status").asText(),
        http.get("/api/jobs/" + job + "/log", dora).body());
    JsonNode a = http.get("/api/jobs/" + job + "/artifact?path=assessment.json", dora).expect(200).json();
    assertEquals("segmentation", a.path("task").asText());
    assertEquals((2.0 / 3 + 2.0 / 3 + 6.0 / 7) / 3, a.path("overall").path("perClass").path("liver").path("dice")
        .asDouble(), 1e-12);
    assertEquals(-0.004 / 3, a.path("overall").path("volumes").path("liver").path("agreement").path("bias")
        .asDouble(), 1e-12);
    assertEquals(2, a.path("drift").size(), "two months");
    // a read over other voxels than the prediction cannot be assessed: a 400 naming the case
    http.post(base + "/reads", dora, Map.of("reads", List.of(read("c3", 4, 1, 1, List.of(2.0, 2.0, 1.0),
        "1*4")))).expect(200);
    detail = http.post(base + "/assess", dora, Map.of()).expect(400).detail();
    assertTrue(detail.contains("case c3"), detail);
  }

  private static Map<String, Object> maskCase(String id, String date, int w, int h, int slices, List<Double> spacing,
      String runs) {
    return Map.of("caseId", id, "date", date, "mask", Map.of("width", w, "height", h, "slices", slices, "spacing",
        spacing, "runs", runs));
  }

  private static Map<String, Object> read(String id, int w, int h, int slices, List<Double> spacing, String runs) {
    return Map.of("caseId", id, "mask", Map.of("width", w, "height", h, "slices", slices, "spacing", spacing, "runs",
        runs));
  }
}
