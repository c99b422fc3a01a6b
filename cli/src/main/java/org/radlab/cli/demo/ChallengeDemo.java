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

  private final DemoSteps steps;
  private final ApiClient api;
  private final String admin;
  private final PrintStream out;

  public ChallengeDemo(int port, String adminToken, Path home, Path data, PrintStream out) {
    this.steps = new DemoSteps(port, adminToken, home, data, out, 8);
    this.api = steps.api;
    this.admin = adminToken;
    this.out = out;
  }

  public List<Standing> run(Options o) throws IOException {
    steps.step("synthesize DICOM studies: a training pool of " + o.poolStudies() + ", hidden test and final sets "
        + "of " + o.hiddenStudies() + " each");
    Path poolDicom = steps.synth("pool", o.poolStudies(), o.seed());
    Path testDicom = steps.synth("test", o.hiddenStudies(), o.seed() + 1);
    Path finalDicom = steps.synth("final", o.hiddenStudies(), o.seed() + 2);

    steps.step("register the three datasets: each one is a prep job (Spark) run by the server");
    long pool = steps.dataset("pool", poolDicom);
    long test = steps.dataset("hidden-test", testDicom);
    long fin = steps.dataset("hidden-final", finalDicom);

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
    return standings;
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
