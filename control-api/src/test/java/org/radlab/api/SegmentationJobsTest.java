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
 * image's mask with each class's area. Masks cannot be drawn in Annotate yet, and saying so is a 400 naming the way in, not a 500.
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
    // Annotate cannot take masks yet: a clear refusal naming the way in
    String study = Fixtures.studies(http, dora, dataset).get(0);
    String detail = http.post("/api/annotate/" + useCase + "/" + dataset + "/studies/" + study, dora,
        Map.of("boxes", List.of())).expect(400).detail();
    assertTrue(detail.contains("reference-masks"), detail);
  }

  @Test
  @Order(2)
  void anAdminTrainsAUNetOnTheReferenceMasksAndEvaluatesItByDiceAndVolume() throws Exception {
    Map<String, Object> config = Map.of("inputSize", 64, "width", 0.125, "maxEpochs", 2, "batchSize", 8);
    String detail = http.post("/api/jobs", dora, Map.of("kind", "train", "datasetId", dataset, "useCaseId", useCase,
        "config", config)).expect(400).detail();
    assertTrue(detail.contains("reference"), "a participant has no masks of their own yet: " + detail);
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
  }
}
