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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;

/**
 * The segmentation flow of {@code radlab demo --task segmentation}, entirely through the control API of a running
 * server: synthetic CT series with a liver and a lesion whose volumes are known ({@code synth --modality CT}) as a
 * training pool and two hidden sets, a liver-segmentation use case, the synthetic ground truth imported as the hidden
 * sets' reference masks, a challenge ranked by mean Dice, and two simulated participants who outline the pool's
 * slices through the annotation endpoints (one outlines liver and lesion; the other reads every lesion as liver),
 * train a U-Net each, evaluate it and submit it. The leaderboard ends it, with each model's liver volumes on the
 * hidden test set against the reference: the Bland-Altman bias and limits of agreement its evaluation measured.
 */
public final class SegmentationDemo {
  /**
   * Sizes and training: series in the pool and in each hidden set, slices per series and their side in pixels;
   * {@code annotations} is how many pool studies (one series each) each participant outlines.
   */
  public record Options(int poolStudies, int hiddenStudies, int slices, int size, long seed, int epochs,
      int annotations) {
    public Options {
      if (annotations < 1 || annotations > poolStudies) {
        throw new IllegalArgumentException("participants outline 1 to " + poolStudies + " pool studies, not "
            + annotations);
      }
      if (size % 16 != 0) {
        throw new IllegalArgumentException("the slices' side must be a multiple of 16 (the U-Net's input), not "
            + size);
      }
    }
  }

  /**
   * One leaderboard row: the mean Dice and IoU it shows and those the hidden evaluation job wrote, and the liver
   * volumes' Bland-Altman agreement with the reference on the hidden test set (mL).
   */
  public record Standing(int rank, String participant, double dice, double iou, double evaluationDice,
      double evaluationIou, double liverBias, double liverLower, double liverUpper) {}

  private static final List<Map<String, String>> CATEGORIES = List.of(
      Map.of("code", "liver", "name", "Liver", "description", "The liver.", "cdeId", "demo.liver"),
      Map.of("code", "lesion", "name", "Liver lesion", "description", "A focal liver lesion is seen.", "cdeId",
          "demo.lesion"));

  private final DemoSteps steps;
  private final ApiClient api;
  private final String admin;
  private final PrintStream out;

  public SegmentationDemo(int port, String adminToken, Path home, Path data, PrintStream out) {
    this.steps = new DemoSteps(port, adminToken, home, data, out, 8);
    this.api = steps.api;
    this.admin = adminToken;
    this.out = out;
  }

  public List<Standing> run(Options o) throws IOException {
    steps.step("synthesize CT series with a liver and a lesion of known volume (" + o.slices() + " slices of "
        + o.size() + " x " + o.size() + " pixels): a training pool of " + o.poolStudies() + " series, hidden test and "
        + "final sets of " + o.hiddenStudies() + " each");
    Path poolDicom = steps.synthCt("pool", o.poolStudies(), o.slices(), o.size(), o.seed());
    Path testDicom = steps.synthCt("test", o.hiddenStudies(), o.slices(), o.size(), o.seed() + 1);
    Path finalDicom = steps.synthCt("final", o.hiddenStudies(), o.slices(), o.size(), o.seed() + 2);

    steps.step("register the three datasets: each one is a prep job (Spark) run by the server");
    long pool = steps.dataset("liver-pool", poolDicom);
    long test = steps.dataset("liver-test", testDicom);
    long fin = steps.dataset("liver-final", finalDicom);

    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    steps.step("define and publish a liver-segmentation use case; import the hidden sets' reference masks (the "
        + "synthetic ground truth, mapped onto the prepared images)");
    long useCase = api.post("/api/use-cases", admin, Map.of("title", "Liver and lesions " + now, "summary",
        "The liver and its focal lesions outlined on abdominal CT", "bodyArea", "Abdomen", "modality", "CT", "task",
        "segmentation", "categories", CATEGORIES)).path("id").asLong();
    api.post("/api/use-cases/" + useCase + "/review", admin, Map.of("decision", "publish"));
    for (long[] set : new long[][] {{test, 0}, {fin, 1}}) {
      Map<String, LabelMask> masks = groundTruth(set[0], set[1] == 0 ? testDicom : finalDicom);
      JsonNode r = api.postText("/api/datasets/" + set[0] + "/reference-masks?useCaseId=" + useCase, admin,
          new MaskTable(masks).csv(), "text/csv");
      out.printf("   dataset %d: %d slices outlined, %d liver and %d lesion pixels%n", set[0],
          r.path("images").asInt(), r.path("pixelsPerClass").path("liver").asLong(),
          r.path("pixelsPerClass").path("lesion").asLong());
    }

    steps.step("create the challenge: ranked by mean Dice on the hidden test set, daily limit 3, at least "
        + o.annotations() + " outlined studies");
    long challenge = api.post("/api/challenges", admin, Map.of("title", "Liver segmentation demo " + now,
        "useCaseId", useCase, "poolDatasetId", pool, "testDatasetId", test, "finalDatasetId", fin,
        "startsAt", now.minusSeconds(60).toString(), "endsAt", now.plus(7, ChronoUnit.DAYS).toString(),
        "dailyLimit", 3, "minAnnotations", o.annotations())).path("id").asLong();
    out.printf("   challenge %d; its test and final sets are now hidden from participants%n", challenge);

    List<Participant> people = List.of(new Participant("reader-1", false), new Participant("reader-2", true));
    for (Participant p : people) {
      p.token = api.post("/api/users", admin, Map.of("name", p.name, "role", "participant")).path("token").asText();
    }
    steps.step("two participants outline " + o.annotations() + " pool series each through the API: reader-1 the "
        + "liver and its lesion, reader-2 reads every lesion as liver");
    Map<String, LabelMask> truth = groundTruth(pool, poolDicom);
    for (Participant p : people) {
      long lesion = 0;
      for (int i = 0; i < o.annotations(); i++) {
        String study = api.get("/api/annotate/" + useCase + "/" + pool + "/next", p.token).path("studyUid").asText();
        List<Map<String, Object>> masks = new ArrayList<>();
        for (JsonNode image : api.get("/api/datasets/" + pool + "/images?study=" + study, p.token)) {
          LabelMask m = truth.get(image.path("imageId").asText());
          if (m == null || m.maxLabel() == 0) {
            continue; // a slice without liver: left out, it holds nothing
          }
          byte[] read = m.labels().clone();
          for (int k = 0; k < read.length; k++) {
            if (read[k] == 2 && p.lesionAsLiver) {
              read[k] = 1;
            }
            lesion += read[k] == 2 ? 1 : 0;
          }
          masks.add(Map.of("imageId", image.path("imageId").asText(), "runs",
              MaskTable.runs(new LabelMask(m.width(), m.height(), read))));
        }
        api.post("/api/annotate/" + useCase + "/" + pool + "/studies/" + study, p.token, Map.of("masks", masks));
      }
      out.printf("   %s: %d studies, %d lesion pixels outlined%n", p.name, api.get("/api/challenges/" + challenge,
          p.token).path("you").path("annotations").asInt(), lesion);
    }

    steps.step("each trains a U-Net (quarter width, " + o.size() + " px, " + o.epochs() + " epochs, soft Dice plus "
        + "cross-entropy) on their own masks");
    for (Participant p : people) {
      DemoSteps.Trained t = steps.train(p.token, p.name, pool, useCase, Map.of("width", 0.25, "inputSize", o.size(),
          "maxEpochs", o.epochs(), "batchSize", 16, "learningRate", 0.003, "augmentation", "flips_rotations",
          "maxRotation", 10));
      p.model = t.model();
      out.printf("   %s: model %d, validation Dice %.3f, IoU %.3f (job %s)%n", p.name, p.model,
          t.validation().path("dice").asDouble(), t.validation().path("iou").asDouble(), t.status());
    }

    steps.step("each evaluates their U-Net on the pool against their own masks, then submits it");
    for (Participant p : people) {
      JsonNode result = steps.evaluate(p.token, p.name, pool, useCase, p.model);
      out.printf("   %s: on the %d pool series they outlined, Dice %.3f, IoU %.3f, HD95 %.1f mm%n", p.name,
          result.path("series").asInt(), result.path("dice").asDouble(), result.path("iou").asDouble(),
          result.path("hd95").asDouble());
      api.post("/api/challenges/" + challenge + "/submissions", p.token, Map.of("modelId", p.model));
    }
    steps.awaitScored(challenge, people.size());

    steps.step("the leaderboard (each participant's latest submission on the hidden test set, by mean Dice), with "
        + "each model's liver volumes against the reference (Bland-Altman, mL)");
    Map<Long, Long> jobs = new HashMap<>();
    for (JsonNode s : api.get("/api/challenges/" + challenge + "/submissions", admin)) {
      jobs.put(s.path("modelId").asLong(), s.path("jobId").asLong());
    }
    List<Standing> standings = new ArrayList<>();
    out.println("   rank  participant   Dice    IoU   liver volume bias [95% limits of agreement]");
    for (DemoSteps.Ranked r : steps.leaderboard(challenge, people.get(0).token)) {
      JsonNode row = r.row();
      String model = r.evaluation().path("model").asText();
      JsonNode agreement = api.get("/api/jobs/" + jobs.get(row.path("modelId").asLong()) + "/artifact?path="
          + model + "/metrics.json", admin).path("volumes").path("liver").path("agreement");
      standings.add(new Standing(row.path("rank").asInt(), row.path("userName").asText(), row.path("dice").asDouble(),
          row.path("iou").asDouble(), r.evaluation().path("dice").asDouble(), r.evaluation().path("iou").asDouble(),
          agreement.path("bias").asDouble(), agreement.path("lower").asDouble(), agreement.path("upper").asDouble()));
      out.printf("   %4d  %-11s  %.3f  %.3f   %+.1f mL [%+.1f, %+.1f]%n", row.path("rank").asInt(),
          row.path("userName").asText(), row.path("dice").asDouble(), row.path("iou").asDouble(),
          agreement.path("bias").asDouble(), agreement.path("lower").asDouble(), agreement.path("upper").asDouble());
    }
    return standings;
  }

  private static final class Participant {
    final String name;
    /** Reads every lesion as liver. */
    final boolean lesionAsLiver;
    String token;
    long model;

    Participant(String name, boolean lesionAsLiver) {
      this.name = name;
      this.lesionAsLiver = lesionAsLiver;
    }
  }

  /**
   * A dataset's synthetic masks ({@code _masks/<SOPInstanceUID>.png}) by image id: pseudonymized with the server's
   * site secret and mapped onto each prepared PNG as prep mapped its image.
   */
  private Map<String, LabelMask> groundTruth(long dataset, Path dicom) throws IOException {
    Path dir = Path.of(api.get("/api/datasets/" + dataset, admin).path("path").asText());
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dir.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(steps.home.resolve("site-secret")));
    Map<String, LabelMask> byImage = new LinkedHashMap<>();
    try (var files = Files.list(dicom.resolve("_masks"))) {
      for (Path png : files.sorted().toList()) {
        String id = pseudonyms.imageId(png.getFileName().toString().replaceAll("\\.png$", ""), 0);
        ImageList.Entry e = catalog.get(id);
        if (e != null) {
          byImage.put(id, MaskTable.originalToPng(LabelMask.readPng(png), e));
        }
      }
    }
    return byImage;
  }
}
