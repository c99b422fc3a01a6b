package org.radlab.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.prep.synth.SynthLabels;

/**
 * The challenge flow of {@code radlab demo}, entirely through the control API of a running server: three synthetic
 * datasets (a training pool, a hidden test set, a final hidden set) prepared by prep jobs, reference labels for the
 * hidden sets, a challenge, and two simulated participants who annotate the pool with the second reader's labels,
 * train, evaluate their models and submit them. Returns the leaderboard.
 */
public final class ChallengeDemo {
  /**
   * Sizes and training of the demo: {@code annotations} is how many pool studies each participant labels, and the
   * challenge's minimum before a submission (the server must accept training on that many).
   */
  public record Options(int poolStudies, int hiddenStudies, long seed, int epochs, int annotations) {
    public Options {
      if (annotations < 1 || annotations > poolStudies) {
        throw new IllegalArgumentException("participants label 1 to " + poolStudies + " pool studies, not "
            + annotations);
      }
    }
  }

  /** One leaderboard row, with the kappa and AUC the hidden evaluation job itself wrote. */
  public record Standing(int rank, String participant, double kappa, double auc, double evaluationKappa,
      double evaluationAuc) {}

  /** The StudyDescription of each set in the PACS, so one query finds one set. */
  private static final Map<String, String> DESCRIPTIONS = Map.of("pool", "RADLAB-DEMO-POOL", "test",
      "RADLAB-DEMO-TEST", "final", "RADLAB-DEMO-FINAL", "new", "RADLAB-DEMO-NEW");
  /** New studies that reach the PACS after the challenge, for the watched deployment. */
  static final int NEW_STUDIES = 4;

  private final DemoSteps steps;
  private final ApiClient api;
  private final String admin;
  private final PrintStream out;
  private final DemoPacs pacs;

  public ChallengeDemo(int port, String adminToken, Path home, Path data, PrintStream out) {
    this(port, adminToken, home, data, out, null);
  }

  /**
   * With a PACS, the studies are stored in it and the datasets prepared from PACS queries, and after the challenge
   * the leading model is deployed watching the PACS for new studies, which it predicts and reports back.
   */
  public ChallengeDemo(int port, String adminToken, Path home, Path data, PrintStream out, DemoPacs pacs) {
    this.steps = new DemoSteps(port, adminToken, home, data, out, pacs == null ? 8 : 10);
    this.api = steps.api;
    this.admin = adminToken;
    this.out = out;
    this.pacs = pacs;
  }

  public List<Standing> run(Options o) throws IOException {
    steps.step("synthesize DICOM studies: a training pool of " + o.poolStudies() + ", hidden test and final sets "
        + "of " + o.hiddenStudies() + " each");
    Path poolDicom = synth("pool", o.poolStudies(), o.seed());
    Path testDicom = synth("test", o.hiddenStudies(), o.seed() + 1);
    Path finalDicom = synth("final", o.hiddenStudies(), o.seed() + 2);
    if (pacs != null) {
      steps.step("store them in the demo's PACS (Orthanc with DICOMweb, " + pacs.url() + "), each set under a "
          + "study description of its own");
      for (Path dir : List.of(poolDicom, testDicom, finalDicom)) {
        out.printf("   %s: %d files stored%n", dir.getFileName(), pacs.load(dir));
      }
    }

    steps.step(pacs == null ? "register the three datasets: each one is a prep job (Spark) run by the server"
        : "register the three datasets from PACS queries: each prep job (Spark) pulls its studies (QIDO-RS, WADO-RS),"
            + " then prepares them");
    long pool = steps.dataset("pool", source("pool", poolDicom));
    long test = steps.dataset("hidden-test", source("test", testDicom));
    long fin = steps.dataset("hidden-final", source("final", finalDicom));

    steps.step("import the reference reader's density labels of the hidden sets (by original StudyInstanceUID)");
    referenceLabels(test, testDicom);
    referenceLabels(fin, finalDicom);

    steps.step("create the challenge: breast density, daily limit 3, at least " + o.annotations() + " annotations");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long challenge = api.post("/api/challenges", admin, Map.of("title", "Breast density demo " + now,
        "useCaseId", 1, "poolDatasetId", pool, "testDatasetId", test, "finalDatasetId", fin,
        "startsAt", now.minusSeconds(60).toString(), "endsAt", now.plus(7, ChronoUnit.DAYS).toString(),
        "dailyLimit", 3, "minAnnotations", o.annotations())).path("id").asLong();
    out.printf("   challenge %d; its test and final sets are now hidden from participants%n", challenge);

    List<Participant> people = List.of(new Participant("reader-1", 0.25), new Participant("reader-2", 0.125));
    Map<String, String> reader2 = secondReader(poolDicom);
    for (Participant p : people) {
      p.token = api.post("/api/users", admin, Map.of("name", p.name, "role", "participant")).path("token").asText();
    }
    steps.step("two participants annotate " + o.annotations() + " pool studies each through the API (more if a "
        + "category is still missing: training needs every one), with the second reader's labels");
    Set<String> categories = new TreeSet<>();
    api.get("/api/use-cases/1", admin).path("categories").forEach(c -> categories.add(c.path("code").asText()));
    for (Participant p : people) {
      Set<String> labelled = new TreeSet<>();
      for (int i = 0; i < o.annotations() || !labelled.containsAll(categories); i++) {
        String study = api.get("/api/annotate/1/" + pool + "/next", p.token).path("studyUid").asText();
        api.post("/api/annotate/1/" + pool + "/studies/" + study, p.token, Map.of("code", reader2.get(study)));
        labelled.add(reader2.get(study));
      }
      out.printf("   %s: %d annotations%n", p.name, api.get("/api/challenges/" + challenge, p.token).path("you")
          .path("annotations").asInt());
    }

    steps.step("each trains a ResNet-18 (width " + people.get(0).width + " and " + people.get(1).width + ", "
        + o.epochs() + " epochs) on their own annotations");
    for (Participant p : people) {
      DemoSteps.Trained t = steps.train(p.token, p.name, pool, 1, Map.of("architecture", "resnet18", "width", p.width,
          "inputSize", 128, "maxEpochs", o.epochs(), "batchSize", 16, "augmentation", "flips_rotations"));
      p.model = t.model();
      out.printf("   %s: model %d, validation kappa %.3f, AUC %.3f (job %s)%n", p.name, p.model,
          t.validation().path("kappaLinear").asDouble(), t.validation().path("auc").asDouble(), t.status());
    }

    steps.step("each evaluates their model on the pool with their own labels, then submits it to the challenge");
    for (Participant p : people) {
      JsonNode result = steps.evaluate(p.token, p.name, pool, 1, p.model);
      out.printf("   %s: on the %d pool studies they labelled, kappa %.3f (95%% CI %.3f-%.3f), AUC %.3f%n", p.name,
          result.path("studies").asInt(), result.path("kappaLinear").asDouble(),
          result.path("kappaCi").path("lower").asDouble(), result.path("kappaCi").path("upper").asDouble(),
          result.path("aucMacro").asDouble());
      api.post("/api/challenges/" + challenge + "/submissions", p.token, Map.of("modelId", p.model));
    }
    steps.awaitScored(challenge, people.size());

    steps.step("the leaderboard (each participant's latest submission on the hidden test set)");
    List<Standing> standings = new ArrayList<>();
    out.println("   rank  participant  kappa (linear)  AUC");
    for (DemoSteps.Ranked r : steps.leaderboard(challenge, people.get(0).token)) {
      JsonNode row = r.row();
      standings.add(new Standing(row.path("rank").asInt(), row.path("userName").asText(),
          row.path("kappa").asDouble(), row.path("auc").asDouble(), r.evaluation().path("kappaLinear").asDouble(),
          r.evaluation().path("aucMacro").asDouble()));
      out.printf("   %4d  %-11s  %14.3f  %.3f%n", row.path("rank").asInt(), row.path("userName").asText(),
          row.path("kappa").asDouble(), row.path("auc").asDouble());
    }
    if (pacs != null) {
      long leader = people.stream().filter(p -> p.name.equals(standings.get(0).participant())).findFirst()
          .orElseThrow().model;
      watch(leader, o);
    }
    return standings;
  }

  /**
   * The leading model deployed, watching the PACS: new screening studies arrive, and each is pulled, predicted,
   * recorded in the deployment and reported back to the PACS as a DICOM SR.
   */
  private void watch(long model, Options o) throws IOException {
    steps.step("deploy the leading model (" + model + ") watching the PACS; " + NEW_STUDIES + " new screening studies "
        + "arrive, and each is pulled, predicted and reported back to the PACS as a DICOM SR");
    long deployment = api.post("/api/deployments", admin, Map.of("name", "screening-watch", "useCaseId", 1,
        "modelId", model)).path("deployment").path("id").asLong();
    String watch = "/api/deployments/" + deployment + "/watch";
    api.put(watch, admin, Map.of("source", DemoPacs.SOURCE, "modality", "MG", "description", DESCRIPTIONS.get("new"),
        "from", "1900-01-01", "intervalSeconds", 5, "sendBack", true));
    Path fresh = synth("new", NEW_STUDIES, o.seed() + 3);
    out.printf("   deployment %d watches %s every 5 s; %d files of new studies stored%n", deployment,
        DemoPacs.SOURCE, pacs.load(fresh));
    JsonNode w = api.get(watch, admin);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    while (w.path("predicted").asInt() + w.path("failed").asInt() < NEW_STUDIES && System.nanoTime() < deadline) {
      sleep();
      w = api.get(watch, admin);
    }
    out.printf("   after %d polls: %d predicted, %d failed, %d reports stored in the PACS%s%n", w.path("polls").asInt(),
        w.path("predicted").asInt(), w.path("failed").asInt(), w.path("sent").asInt(),
        w.hasNonNull("lastError") ? " (last error: " + w.path("lastError").asText() + ")" : "");
    for (JsonNode c : w.path("recent")) {
      out.printf("   case %s: %s%n", c.path("caseId").asText(), c.hasNonNull("error") ? c.path("error").asText()
          : "report " + c.path("reportUid").asText() + " stored in its study");
    }
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /** A set's synthetic studies; with a PACS, under the set's own study description. */
  private Path synth(String name, int studies, long seed) {
    return pacs == null ? steps.synth(name, studies, seed)
        : steps.synth(name, studies, seed, "--description", DESCRIPTIONS.get(name));
  }

  /** Where prep reads a set: its folder, or the PACS query that finds it. */
  private String source(String name, Path dicom) {
    return pacs == null ? dicom.toString() : "dicomweb://" + DemoPacs.SOURCE + "?modality=MG&description="
        + DESCRIPTIONS.get(name);
  }

  private static final class Participant {
    final String name;
    final double width;
    String token;
    long model;

    Participant(String name, double width) {
      this.name = name;
      this.width = width;
    }
  }

  private void referenceLabels(long dataset, Path dicom) throws IOException {
    String csv = LabelSnapshot.csv(SynthLabels.byStudy(dicom.resolve("labels.csv"), SynthLabels.READER_1));
    JsonNode r = api.postText("/api/datasets/" + dataset + "/reference-labels?useCaseId=1&keys=original", admin,
        csv, "text/csv");
    out.printf("   dataset %d: %d reference labels%n", dataset, r.path("studies").asInt());
  }

  /** The second reader's labels, keyed by the pool's pseudonymous study UIDs (the server's site secret). */
  private Map<String, String> secondReader(Path dicom) throws IOException {
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(steps.home.resolve("site-secret")));
    Map<String, String> byPseudonym = new HashMap<>();
    SynthLabels.byStudy(dicom.resolve("labels.csv"), SynthLabels.READER_2).forEach((uid, code) ->
        byPseudonym.put(pseudonyms.uid(uid), code));
    return byPseudonym;
  }
}
