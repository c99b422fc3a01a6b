package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.prep.synth.SynthLabels;

/**
 * A challenge from start to final ranking, with real prep, training and evaluation child jobs: hidden sets stay
 * hidden, the rules hold, and the leaderboards rank each participant's latest submission by the kappa (then AUC)
 * its evaluation measured.
 */
class ChallengeTest {
  @TempDir static Path tmp;
  static final SettableClock clock = new SettableClock();
  static ControlApi api;
  static Http http;
  static String admin;
  static long pool;
  static long testSet;
  static long finalSet;
  static Set<String> hiddenStudies = new TreeSet<>();
  /** Studies each participant labelled (the same for both: the same order, the same classes). */
  static int labelled;

  @BeforeAll
  static void start() throws Exception {
    api = Fixtures.server(tmp.resolve("home"), clock);
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    pool = Fixtures.dataset(http, admin, "pool", Fixtures.synth(tmp.resolve("pool"), 48, 21));
    testSet = Fixtures.dataset(http, admin, "test", Fixtures.synth(tmp.resolve("test"), 16, 22));
    finalSet = Fixtures.dataset(http, admin, "final", Fixtures.synth(tmp.resolve("final"), 16, 23));
    for (long d : List.of(testSet, finalSet)) {
      Path labels = tmp.resolve(d == testSet ? "test" : "final").resolve("labels.csv");
      StringBuilder csv = new StringBuilder("study_uid,label\n");
      SynthLabels.byStudy(labels, SynthLabels.READER_1).forEach((uid, code) -> csv.append(uid).append(',').append(code).append('\n'));
      JsonNode imported = http.method("POST", "/api/datasets/" + d + "/reference-labels?useCaseId=1&keys=original",
          admin, csv.toString(), "text/csv").expect(200).json();
      assertEquals(16, imported.path("studies").asInt());
      hiddenStudies.addAll(Fixtures.studies(http, admin, d));
    }
    assertEquals(32, hiddenStudies.size());
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  /**
   * A participant labels pool studies in annotation order with the second reader's labels (or shifted ones) until
   * they have the minimum to train and every class, then trains; returns the model.
   */
  static long annotateAndTrain(String token, boolean shifted) throws Exception {
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(tmp.resolve("home").resolve("site-secret")));
    Map<String, String> reader2 = new HashMap<>();
    SynthLabels.byStudy(tmp.resolve("pool").resolve("labels.csv"), SynthLabels.READER_2)
        .forEach((uid, code) -> reader2.put(pseudonyms.uid(uid), code));
    List<String> codes = List.of("A", "B", "C", "D");
    Set<String> classes = new TreeSet<>();
    for (labelled = 0; labelled < Fixtures.MIN_LABELS || classes.size() < codes.size(); labelled++) {
      String study = http.get("/api/annotate/1/" + pool + "/next", token).expect(200).json().path("studyUid").asText();
      String code = reader2.get(study);
      assertTrue(code != null, "every pool study has a second-reader label");
      if (shifted) {
        code = codes.get((codes.indexOf(code) + 2) % 4);
      }
      http.post("/api/annotate/1/" + pool + "/studies/" + study, token, Map.of("code", code)).expect(201);
      classes.add(code);
    }
    long job = http.post("/api/jobs", token, Map.of("kind", "train", "datasetId", pool, "useCaseId", 1, "config",
        Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 2, "batchSize", 16)))
        .expect(201).json().path("id").asLong();
    JsonNode done = Fixtures.awaitJob(http, token, job, Duration.ofMinutes(6));
    assertEquals("SUCCEEDED", done.path("status").asText(), http.get("/api/jobs/" + job + "/log", token).body());
    return http.get("/api/models", token).json().get(0).path("id").asLong();
  }

  @Test
  void aChallengeFromSubmissionsToTheFinalRanking() throws Exception {
    String ana = Fixtures.participant(http, admin, "ana");
    String ben = Fixtures.participant(http, admin, "ben");
    long anaModel = annotateAndTrain(ana, false);
    long benModel = annotateAndTrain(ben, true);

    Instant now = clock.instant();
    Map<String, Object> body = new LinkedHashMap<>(Map.of("title", "Density 2027", "useCaseId", 1, "poolDatasetId",
        pool, "testDatasetId", testSet, "finalDatasetId", finalSet, "startsAt", now.minusSeconds(60).toString(),
        "endsAt", now.plusSeconds(3600).toString(), "dailyLimit", 2));
    http.post("/api/challenges", ana, body).expect(403);
    Map<String, Object> sameSets = new LinkedHashMap<>(body);
    sameSets.put("finalDatasetId", testSet);
    http.post("/api/challenges", admin, sameSets).expect(400);
    long challenge = http.post("/api/challenges", admin, body).expect(201).json().path("id").asLong();
    String base = "/api/challenges/" + challenge;

    // The hidden sets are gone for participants.
    JsonNode visible = http.get("/api/datasets", ana).json();
    assertEquals(1, visible.size(), visible.toString());
    http.get("/api/datasets/" + testSet + "/studies", ana).expect(404);
    http.get("/api/annotate/1/" + finalSet + "/next", ana).expect(404);
    JsonNode seen = http.get(base, ana).expect(200).json();
    assertTrue(seen.path("testDatasetId").isNull() || seen.path("testDatasetId").isMissingNode());
    assertEquals(labelled, seen.path("you").path("annotations").asInt());
    assertEquals(Fixtures.MIN_LABELS, seen.path("minAnnotations").asInt(), "the server's minimum by default");

    // The rules: your own model, trained on your own annotations of the pool; a daily limit.
    http.post(base + "/submissions", ana, Map.of("modelId", benModel)).expect(400);
    String carl = Fixtures.participant(http, admin, "carl");
    assertTrue(http.post(base + "/submissions", carl, Map.of("modelId", anaModel)).expect(400).detail()
        .contains("not one of your models"));
    http.post(base + "/submissions", ana, Map.of("modelId", anaModel)).expect(201);
    JsonNode latest = http.post(base + "/submissions", ana, Map.of("modelId", anaModel)).expect(201).json();
    assertNull(latest.get("jobId"), "the hidden evaluation job is not named to participants");
    assertEquals("daily_limit", http.post(base + "/submissions", ana, Map.of("modelId", anaModel)).expect(429)
        .json().path("error").asText());
    http.post(base + "/submissions", ben, Map.of("modelId", benModel)).expect(201);
    http.post(base + "/finalize", admin, "").expect(409);

    JsonNode all = awaitScored(base, 3);
    JsonNode board = http.get(base + "/leaderboard?phase=test", carl).expect(200).json();
    assertEquals(2, board.path("rows").size(), "one row per participant: " + board);
    assertLeaderboardMatchesEvaluations(board, all, "test");
    for (JsonNode row : board.path("rows")) {
      if (row.path("userName").asText().equals("ana")) {
        assertEquals(latest.path("submittedAt").asText(), row.path("submittedAt").asText(), "the latest counts");
      }
    }

    // Nothing a participant can call shows a study of the hidden sets.
    List<String> leaks = callEverything(ana, challenge, anaModel);
    assertEquals(List.of(), leaks);

    // After the end (the server's clock moves past it): the final hidden set decides.
    clock.advance(Duration.ofHours(2));
    http.post(base + "/submissions", ana, Map.of("modelId", anaModel)).expect(409);
    http.post(base + "/finalize", ana, "").expect(403);
    assertEquals(2, http.post(base + "/finalize", admin, "").expect(200).json().path("finalEvaluations").asInt());
    http.post(base + "/finalize", admin, "").expect(409);
    JsonNode withFinal = awaitScored(base, 5);
    JsonNode finalBoard = http.get(base + "/leaderboard", ana).expect(200).json();
    assertEquals("final", finalBoard.path("phase").asText());
    assertEquals(2, finalBoard.path("rows").size());
    assertLeaderboardMatchesEvaluations(finalBoard, withFinal, "final");
  }

  /** Waits until {@code n} submissions are scored; returns them as the admin sees them. */
  private static JsonNode awaitScored(String base, int n) {
    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
    JsonNode all = null;
    while (System.nanoTime() < deadline) {
      all = http.get(base + "/submissions", admin).expect(200).json();
      int scored = 0;
      for (JsonNode s : all) {
        assertFalse("failed".equals(s.path("status").asText()), all.toString());
        scored += "scored".equals(s.path("status").asText()) ? 1 : 0;
      }
      if (scored == n) {
        return all;
      }
      Fixtures.sleep(500);
    }
    throw new AssertionError("submissions not scored in time: " + all);
  }

  /** Ranks by kappa then AUC, and each row's numbers are its evaluation job's own (comparison.json). */
  private static void assertLeaderboardMatchesEvaluations(JsonNode board, JsonNode submissions, String phase)
      throws Exception {
    Map<String, JsonNode> latestByUser = new HashMap<>();
    for (JsonNode s : submissions) {
      if (s.path("phase").asText().equals(phase)) {
        latestByUser.merge(String.valueOf(s.path("userId").asLong()), s,
            (a, b) -> a.path("id").asLong() > b.path("id").asLong() ? a : b);
      }
    }
    List<double[]> scores = new ArrayList<>();
    for (JsonNode row : board.path("rows")) {
      JsonNode s = latestByUser.values().stream().filter(x -> x.path("modelId").asLong() == row.path("modelId")
          .asLong()).findFirst().orElseThrow();
      JsonNode job = http.get("/api/jobs/" + s.path("jobId").asLong(), admin).expect(200).json();
      Path output = Path.of(job.path("config").path("output").asText());
      JsonNode evaluation = Http.JSON.readTree(output.resolve("comparison.json").toFile()).get(0);
      assertEquals(evaluation.path("kappaLinear").asDouble(), row.path("kappa").asDouble(), 1e-12);
      assertEquals(evaluation.path("aucMacro").asDouble(), row.path("auc").asDouble(), 1e-12);
      assertEquals(16, evaluation.path("studies").asInt(), "the whole hidden set");
      scores.add(new double[] {row.path("kappa").asDouble(), row.path("auc").asDouble()});
    }
    for (int i = 1; i < scores.size(); i++) {
      double[] a = scores.get(i - 1);
      double[] b = scores.get(i);
      assertTrue(a[0] > b[0] || (a[0] == b[0] && a[1] >= b[1]), "ranked by kappa, then AUC: " + board);
    }
  }

  /** Calls every listed endpoint as a participant with every plausible id; returns responses naming hidden studies. */
  private static List<String> callEverything(String token, long challenge, long model) {
    List<String> leaks = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (long i = 1; i <= 12; i++) {
      ids.add(String.valueOf(i));
    }
    List<String> studies = new ArrayList<>(hiddenStudies).subList(0, 3);
    int calls = 0;
    for (JsonNode e : http.get("/api", null).json()) {
      String method = e.path("method").asText();
      String path = e.path("path").asText();
      List<String> concrete = new ArrayList<>(List.of(path));
      for (String param : List.of("{useCaseId}", "{datasetId}", "{jobId}", "{modelId}", "{challengeId}",
          "{annotationId}", "{deploymentId}")) {
        List<String> next = new ArrayList<>();
        for (String p : concrete) {
          if (p.contains(param)) {
            for (String id : ids) {
              next.add(p.replace(param, id));
            }
          } else {
            next.add(p);
          }
        }
        concrete = next;
      }
      List<String> expanded = new ArrayList<>();
      for (String p : concrete) {
        if (p.contains("{studyUid}")) {
          studies.forEach(s -> expanded.add(p.replace("{studyUid}", s)));
        } else {
          expanded.add(p.replace("{imageId}", "x").replace("{source}", "x")
              .replaceAll("\\{[A-Za-z]+Id\\}", "1")); // any other id: 1
        }
      }
      for (String p : expanded) {
        if (p.endsWith("/finalize") || p.endsWith("/cancel") || p.endsWith("/publish")) {
          continue; // side effects on others' work are refused anyway; keep the run's state intact
        }
        Http.Response r = method.equals("GET") ? http.get(p + (p.contains("?") ? "" : "?phase=test"), token)
            : http.method(method, p, token, "{}", "application/json");
        calls++;
        for (String s : hiddenStudies) {
          if (!p.contains(s) && r.body().contains(s)) { // an error may echo the UID it was asked about
            leaks.add(method + " " + p + " -> " + r.status());
            break;
          }
        }
      }
    }
    assertTrue(calls > 500, "called " + calls);
    return leaks;
  }
}
