package org.radlab.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.prep.synth.SyntheticMammography;

/**
 * The detection flow of {@code radlab demo --task detection}, entirely through the control API of a running server:
 * synthetic mammograms with masses and calcification clusters ({@code synth --lesions}) as a training pool and two
 * hidden sets, a lesion-detection use case, the synthetic ground truth imported as the hidden sets' reference boxes
 * (keyed by original SOPInstanceUID, mapped by the server), a challenge ranked by mAP, and two simulated
 * participants who draw boxes on the pool through the annotation endpoints (one draws every lesion; the other
 * misses every other calcification cluster), train a detector each, evaluate it and submit it.
 */
public final class DetectionDemo {
  /** Sizes and training; {@code annotations} is how many pool studies each participant draws boxes on. */
  public record Options(int poolStudies, int hiddenStudies, long seed, int epochs, int annotations) {
    public Options {
      if (annotations < 1 || annotations > poolStudies) {
        throw new IllegalArgumentException("participants annotate 1 to " + poolStudies + " pool studies, not "
            + annotations);
      }
    }
  }

  /** One leaderboard row, with the mAP and AP50 the hidden evaluation job itself wrote. */
  public record Standing(int rank, String participant, double map, double ap50, double evaluationMap,
      double evaluationAp50) {}

  private static final List<Map<String, String>> CATEGORIES = List.of(
      Map.of("code", "mass", "name", "Mass", "description", "A mass is seen.", "cdeId", "demo.mass"),
      Map.of("code", "calcification", "name", "Calcification cluster", "description",
          "A cluster of calcifications is seen.", "cdeId", "demo.calcification"));

  private final DemoSteps steps;
  private final ApiClient api;
  private final String admin;
  private final PrintStream out;

  public DetectionDemo(int port, String adminToken, Path home, Path data, PrintStream out) {
    this.steps = new DemoSteps(port, adminToken, home, data, out, 8);
    this.api = steps.api;
    this.admin = adminToken;
    this.out = out;
  }

  public List<Standing> run(Options o) throws IOException {
    steps.step("synthesize mammograms with masses and calcification clusters: a training pool of "
        + o.poolStudies() + " studies, hidden test and final sets of " + o.hiddenStudies() + " each");
    Path poolDicom = steps.synth("pool", o.poolStudies(), o.seed(), "--lesions");
    Path testDicom = steps.synth("test", o.hiddenStudies(), o.seed() + 1, "--lesions");
    Path finalDicom = steps.synth("final", o.hiddenStudies(), o.seed() + 2, "--lesions");

    steps.step("register the three datasets: each one is a prep job (Spark) run by the server");
    long pool = steps.dataset("lesion-pool", poolDicom);
    long test = steps.dataset("lesion-test", testDicom);
    long fin = steps.dataset("lesion-final", finalDicom);

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    steps.step("define and publish a lesion-detection use case; import the hidden sets' reference boxes (the "
        + "synthetic ground truth, by original SOPInstanceUID and pixels)");
    long useCase = api.post("/api/use-cases", admin, Map.of("title", "Breast lesions " + now, "summary",
        "Boxes around masses and calcification clusters on screening mammograms", "bodyArea", "Breast", "modality",
        "MG", "task", "detection", "categories", CATEGORIES)).path("id").asLong();
    api.post("/api/use-cases/" + useCase + "/review", admin, Map.of("decision", "publish"));
    for (long[] set : new long[][] {{test, 0}, {fin, 1}}) {
      Path boxes = (set[1] == 0 ? testDicom : finalDicom).resolve(SyntheticMammography.BOXES_FILE);
      JsonNode r = api.postText("/api/datasets/" + set[0] + "/reference-boxes?useCaseId=" + useCase
          + "&keys=original", admin, Files.readString(boxes), "text/csv");
      out.printf("   dataset %d: %d images read, %d reference boxes%n", set[0], r.path("images").asInt(),
          r.path("boxes").asInt());
    }

    steps.step("create the challenge: ranked by mAP on the hidden test set, daily limit 3, at least "
        + o.annotations() + " annotated studies");
    long challenge = api.post("/api/challenges", admin, Map.of("title", "Lesion detection demo " + now,
        "useCaseId", useCase, "poolDatasetId", pool, "testDatasetId", test, "finalDatasetId", fin,
        "startsAt", now.minusSeconds(60).toString(), "endsAt", now.plus(7, ChronoUnit.DAYS).toString(),
        "dailyLimit", 3, "minAnnotations", o.annotations())).path("id").asLong();
    out.printf("   challenge %d; its test and final sets are now hidden from participants%n", challenge);

    List<Participant> people = List.of(new Participant("reader-1", 1), new Participant("reader-2", 2));
    for (Participant p : people) {
      p.token = api.post("/api/users", admin, Map.of("name", p.name, "role", "participant")).path("token").asText();
    }
    steps.step("two participants draw boxes on " + o.annotations() + " pool studies each through the API: "
        + "reader-1 every lesion, reader-2 misses every other calcification cluster");
    Map<String, List<Map<String, Object>>> truth = poolBoxes(pool, poolDicom);
    for (Participant p : people) {
      int boxes = 0;
      for (int i = 0; i < o.annotations(); i++) {
        String study = api.get("/api/annotate/" + useCase + "/" + pool + "/next", p.token).path("studyUid").asText();
        List<Map<String, Object>> drawn = new ArrayList<>();
        int calcifications = 0;
        for (JsonNode image : api.get("/api/datasets/" + pool + "/images?study=" + study, p.token)) {
          for (Map<String, Object> b : truth.getOrDefault(image.path("imageId").asText(), List.of())) {
            if ("calcification".equals(b.get("code")) && calcifications++ % p.calcificationsEvery != 0) {
              continue;
            }
            drawn.add(b);
          }
        }
        api.post("/api/annotate/" + useCase + "/" + pool + "/studies/" + study, p.token, Map.of("boxes", drawn));
        boxes += drawn.size();
      }
      out.printf("   %s: %d studies, %d boxes%n", p.name, api.get("/api/challenges/" + challenge, p.token)
          .path("you").path("annotations").asInt(), boxes);
    }

    steps.step("each trains a lesion detector (quarter-width ResNet-18 backbone, 256 px, " + o.epochs()
        + " epochs) on their own boxes");
    for (Participant p : people) {
      DemoSteps.Trained t = steps.train(p.token, p.name, pool, useCase, Map.of("architecture", "resnet18", "width",
          0.25, "inputSize", 256, "maxEpochs", o.epochs(), "batchSize", 16, "learningRate", 0.002, "augmentation",
          "flips_rotations", "maxRotation", 0));
      p.model = t.model();
      out.printf("   %s: model %d, validation mAP %.3f, AP50 %.3f (job %s)%n", p.name, p.model,
          t.validation().path("map").asDouble(), t.validation().path("ap50").asDouble(), t.status());
    }

    steps.step("each evaluates their detector on the pool with their own boxes, then submits it");
    for (Participant p : people) {
      JsonNode result = steps.evaluate(p.token, p.name, pool, useCase, p.model);
      out.printf("   %s: on the %d pool images of the studies they annotated, mAP %.3f, AP50 %.3f, FROC %.3f%n",
          p.name, result.path("images").asInt(), result.path("map").asDouble(), result.path("ap50").asDouble(),
          result.path("frocMean").asDouble());
      api.post("/api/challenges/" + challenge + "/submissions", p.token, Map.of("modelId", p.model));
    }
    steps.awaitScored(challenge, people.size());

    steps.step("the leaderboard (each participant's latest submission on the hidden test set, by mAP)");
    List<Standing> standings = new ArrayList<>();
    out.println("   rank  participant    mAP   AP50");
    for (DemoSteps.Ranked r : steps.leaderboard(challenge, people.get(0).token)) {
      JsonNode row = r.row();
      standings.add(new Standing(row.path("rank").asInt(), row.path("userName").asText(), row.path("map").asDouble(),
          row.path("ap50").asDouble(), r.evaluation().path("map").asDouble(), r.evaluation().path("ap50").asDouble()));
      out.printf("   %4d  %-11s  %.3f  %.3f%n", row.path("rank").asInt(), row.path("userName").asText(),
          row.path("map").asDouble(), row.path("ap50").asDouble());
    }
    return standings;
  }

  private static final class Participant {
    final String name;
    /** Draws one calcification cluster in this many (1: all of them). */
    final int calcificationsEvery;
    String token;
    long model;

    Participant(String name, int calcificationsEvery) {
      this.name = name;
      this.calcificationsEvery = calcificationsEvery;
    }
  }

  /**
   * The pool's synthetic lesions as Annotate boxes ({@code imageId, x, y, width, height, code} in the prepared PNG's
   * pixels) by image id: pseudonymized with the server's site secret and mapped as prep mapped each image.
   */
  private Map<String, List<Map<String, Object>>> poolBoxes(long pool, Path dicom) throws IOException {
    Path dataset = Path.of(api.get("/api/datasets/" + pool, admin).path("path").asText());
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(steps.home.resolve("site-secret")));
    BoxTable original = BoxTable.readReference(dicom.resolve(SyntheticMammography.BOXES_FILE),
        SyntheticMammography.IMAGE_COLUMN);
    Map<String, List<Map<String, Object>>> byImage = new HashMap<>();
    for (BoxTable.Box b : original.boxes()) {
      ImageList.Entry e = catalog.get(pseudonyms.imageId(b.image(), 0));
      BoxTable.Box png = e == null ? null : BoxTable.originalToPng(b, e);
      if (png != null) {
        byImage.computeIfAbsent(png.image(), k -> new ArrayList<>()).add(Map.of("imageId", png.image(),
            "x", png.xMin(), "y", png.yMin(), "width", png.xMax() - png.xMin(), "height", png.yMax() - png.yMin(),
            "code", png.label()));
      }
    }
    return byImage;
  }
}
