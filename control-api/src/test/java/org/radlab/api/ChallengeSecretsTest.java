package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A challenge keeps its secrets against a participant who attacks it with real requests: the agreement matrix
 * cannot be differenced into reference labels, annotations of a hidden set can be neither added nor changed, and
 * real hidden-set ids get a 4xx everywhere, naming nothing of the hidden sets.
 *
 * <p>Reference labels are made here: pool study i (in annotation order) has {@code CODES[i % 4]}; the test set's
 * four studies A, B, C, D; the final set's D, C, B, A. The challenge refreshes the matrix every 5 labels.
 */
class ChallengeSecretsTest {
  static final List<String> CODES = List.of("A", "B", "C", "D");
  static final int MILESTONE = 5;
  /** The fewest studies of one of your labels that a refresh adds together (AgreementDao.MIN_GROUP). */
  static final int GROUP = 5;
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static long pool;
  static long testSet;
  static long finalSet;
  static List<String> poolStudies;
  static List<String> testStudies;
  static final Set<String> hiddenIds = new TreeSet<>();
  static final List<String> hiddenImages = new ArrayList<>();
  static String eve;
  static List<Long> eveHiddenAnnotations = new ArrayList<>();
  static JsonNode eveBeforeHiding;
  static String trent;
  static long trentJob;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    pool = Fixtures.dataset(http, admin, "pool", Fixtures.synth(tmp.resolve("pool"), 44, 61));
    testSet = Fixtures.dataset(http, admin, "test", Fixtures.synth(tmp.resolve("test"), 4, 62));
    finalSet = Fixtures.dataset(http, admin, "final", Fixtures.synth(tmp.resolve("final"), 4, 63));
    poolStudies = Fixtures.studies(http, admin, pool);
    testStudies = Fixtures.studies(http, admin, testSet);
    List<String> finalStudies = Fixtures.studies(http, admin, finalSet);
    assertEquals(44, poolStudies.size());
    importReferences(pool, poolStudies, i -> CODES.get(i % 4));
    importReferences(testSet, testStudies, CODES::get);
    importReferences(finalSet, finalStudies, i -> CODES.get(3 - i));
    for (long d : List.of(testSet, finalSet)) {
      hiddenIds.addAll(Fixtures.studies(http, admin, d));
      http.get("/api/datasets/" + d + "/images?limit=1000", admin).expect(200).json()
          .forEach(i -> hiddenImages.add(i.path("imageId").asText()));
    }
    assertEquals(32, hiddenImages.size(), "four views of eight studies");
    hiddenIds.addAll(hiddenImages);

    // Before the challenge, eve labels the future test set and 21 pool studies, all A: her 25th label is the
    // default milestone (no challenge yet), so her matrix then counts all 25.
    eve = Fixtures.participant(http, admin, "eve");
    for (String s : testStudies) {
      eveHiddenAnnotations.add(http.post("/api/annotate/1/" + testSet + "/studies/" + s, eve, Map.of("code", "A"))
          .expect(201).json().path("id").asLong());
    }
    for (int i = 0; i < 21; i++) {
      http.post("/api/annotate/1/" + pool + "/studies/" + poolStudies.get(i), eve, Map.of("code", "A")).expect(201);
    }
    eveBeforeHiding = http.get("/api/use-cases/1/agreement", eve).expect(200).json();

    Instant now = Instant.now();
    Map<String, Object> body = new LinkedHashMap<>(Map.of("title", "Secrets", "useCaseId", 1, "poolDatasetId", pool,
        "testDatasetId", testSet, "finalDatasetId", finalSet, "startsAt", now.minusSeconds(60).toString(), "endsAt",
        now.plus(Duration.ofDays(1)).toString(), "agreementMilestone", 4));
    assertTrue(http.post("/api/challenges", admin, body).expect(400).detail().contains("agreementMilestone"));
    body.put("agreementMilestone", 1001);
    assertTrue(http.post("/api/challenges", admin, body).expect(400).detail().contains("agreementMilestone"));
    body.put("agreementMilestone", MILESTONE);
    JsonNode challenge = http.post("/api/challenges", admin, body).expect(201).json();
    assertEquals(MILESTONE, challenge.path("agreementMilestone").asInt());

    // trent labels the test server's minimum of pool studies and trains a small model on them, for predict with
    // hidden image ids.
    trent = Fixtures.participant(http, admin, "trent");
    for (int i = 0; i < Fixtures.MIN_LABELS; i++) {
      http.post("/api/annotate/1/" + pool + "/studies/" + poolStudies.get(i), trent,
          Map.of("code", CODES.get(i % 4))).expect(201);
    }
    trentJob = http.post("/api/jobs", trent, Map.of("kind", "train", "datasetId", pool, "useCaseId", 1, "config",
        Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 1, "batchSize", 16)))
        .expect(201).json().path("id").asLong();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  static void importReferences(long dataset, List<String> studies, java.util.function.IntFunction<String> code) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < studies.size(); i++) {
      labels.put(studies.get(i), code.apply(i));
    }
    assertEquals(studies.size(), http.post("/api/datasets/" + dataset + "/reference-labels?useCaseId=1", admin,
        Map.of("labels", labels)).expect(200).json().path("studies").asInt());
  }

  static int[][] matrix(JsonNode agreement) {
    int[][] m = new int[4][4];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        m[r][c] = agreement.path("matrix").get(r).get(c).asInt();
      }
    }
    return m;
  }

  /**
   * The attack, then a sharper one, then changes of counted labels; after every request the attacker reads
   * the matrix. Between milestones it never moves; no refresh adds fewer than 5 studies to a column; the
   * attacker's per-study guesses do no better than chance; and the final matrix is the hand-worked one.
   */
  @Test
  void differencingTheAgreementMatrixRevealsNoStudysReference() {
    String mallory = Fixtures.participant(http, admin, "mallory");
    JsonNode first = http.get("/api/use-cases/1/agreement", mallory).expect(200).json();
    assertEquals(MILESTONE, first.path("milestone").asInt());
    assertEquals(MILESTONE, first.path("labelsUntilRefresh").asInt());
    int[][] before = matrix(first);
    int labels = 0;
    int guessed = 0;
    int right = 0;
    List<Long> annotationIds = new ArrayList<>();
    // Phase 1, the attack: label one study, read, and take the cell that moved as its reference.
    // Phase 2, one study of each five alone in column B, so a refresh would show its reference by itself.
    for (int i = 0; i < 40; i++) {
      String mine = i < 20 || i % 5 != 4 ? "A" : "B";
      annotationIds.add(http.post("/api/annotate/1/" + pool + "/studies/" + poolStudies.get(i), mallory,
          Map.of("code", mine)).expect(201).json().path("id").asLong());
      labels++;
      JsonNode read = http.get("/api/use-cases/1/agreement", mallory).expect(200).json();
      int[][] after = matrix(read);
      assertEquals(labels, read.path("labels").asInt());
      assertEquals(MILESTONE - labels % MILESTONE, read.path("labelsUntilRefresh").asInt(), "after " + labels);
      if (labels % MILESTONE != 0) {
        assertArrayEquals(before, after, "the matrix moved between milestones, after label " + labels);
      }
      int column = CODES.indexOf(mine);
      int best = -1;
      for (int c = 0; c < 4; c++) {
        int added = 0;
        for (int r = 0; r < 4; r++) {
          assertTrue(after[r][c] >= before[r][c], "a counted study never leaves the matrix");
          added += after[r][c] - before[r][c];
          if (c == column && after[r][c] - before[r][c] > 0
              && (best < 0 || after[r][c] - before[r][c] > after[best][c] - before[best][c])) {
            best = r;
          }
        }
        assertTrue(added == 0 || added >= GROUP, "a refresh added " + added + " studies to column " + CODES.get(c));
      }
      if (best >= 0) {
        guessed++;
        right += best == i % 4 ? 1 : 0;
      }
      before = after;
    }
    // References are A, B, C, D in turn: guessing one class is right for a quarter of the studies.
    assertTrue(right <= 40 / 4, "the attacker guessed " + right + " of 40 references right (" + guessed + " tries)");
    assertTrue(guessed <= 40 / MILESTONE, "guesses are possible only at milestones: " + guessed);

    // Phase 3: change every label already counted, reading after each: nothing moves.
    for (int i = 0; i < 40; i++) {
      if (i < 20 || i % 5 != 4) {
        http.put("/api/annotations/" + annotationIds.get(i), mallory, Map.of("code", "D")).expect(200);
        assertArrayEquals(before, matrix(http.get("/api/use-cases/1/agreement", mallory).expect(200).json()));
      }
    }
    // Worked by hand: column A counts studies 0-19 and the A-labelled ones of 20-39 (their batches held 4, then
    // 8 waiting A's), each with its reference at the time; the four B-labelled studies still wait (fewer than 5).
    int[][] expected = new int[4][4];
    for (int i = 0; i < 40; i++) {
      if (i < 20 || i % 5 != 4) {
        expected[i % 4][0]++;
      }
    }
    JsonNode end = http.get("/api/use-cases/1/agreement", mallory).expect(200).json();
    assertArrayEquals(expected, matrix(end));
    assertEquals(36, end.path("studies").asInt());
    for (String s : poolStudies) {
      assertFalse(end.toString().contains(s), "no study UID in the answer");
    }
  }

  /**
   * eve labelled the test set before it became hidden. Her matrix drops those studies, her old annotations can be
   * neither read nor changed, and no new label or skip reaches the hidden sets.
   */
  @Test
  void annotationsOfAHiddenSetCanBeNeitherChangedNorAdded() throws Exception {
    // Before hiding: 21 pool studies (references 6 A, 5 B, 5 C, 5 D) and the test set (one of each), all labelled A.
    int[][] withTest = new int[4][4];
    int[][] withoutTest = new int[4][4];
    for (int r = 0; r < 4; r++) {
      withoutTest[r][0] = r == 0 ? 6 : 5;
      withTest[r][0] = withoutTest[r][0] + 1;
    }
    assertArrayEquals(withTest, matrix(eveBeforeHiding));
    assertEquals(25, eveBeforeHiding.path("studies").asInt());
    JsonNode now = http.get("/api/use-cases/1/agreement", eve).expect(200).json();
    assertArrayEquals(withoutTest, matrix(now), "the hidden set's studies are no longer counted");
    assertEquals(21, now.path("labels").asInt(), "labels of hidden sets do not count");
    assertEquals(25 + MILESTONE - 21, now.path("labelsUntilRefresh").asInt());

    String[] codes = {"B", "C", "D", "A"};
    for (int k = 0; k < eveHiddenAnnotations.size(); k++) {
      long id = eveHiddenAnnotations.get(k);
      Http.Response put = http.put("/api/annotations/" + id, eve, Map.of("code", codes[k])).expect(403);
      assertTrue(put.detail().contains("hidden"), put.body());
      http.get("/api/annotations/" + id, eve).expect(403);
      assertArrayEquals(withoutTest, matrix(http.get("/api/use-cases/1/agreement", eve).expect(200).json()));
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("home").resolve("radlab.db"));
        PreparedStatement q = db.prepareStatement("SELECT code, version FROM annotation WHERE id = ?")) {
      for (long id : eveHiddenAnnotations) {
        q.setLong(1, id);
        try (ResultSet rs = q.executeQuery()) {
          assertTrue(rs.next());
          assertEquals("A", rs.getString(1), "annotation " + id + " is unchanged");
          assertEquals(1, rs.getInt(2));
        }
      }
    }
    String hiddenStudy = testStudies.get(0);
    String base = "/api/annotate/1/" + testSet;
    http.post(base + "/studies/" + hiddenStudy, eve, Map.of("code", "C")).expect(404);
    http.post(base + "/studies/" + testStudies.get(1) + "/skip", eve, "").expect(404);
    http.post("/api/annotate/1/" + finalSet + "/studies/" + hiddenStudy, eve, Map.of("code", "C")).expect(404);
    JsonNode listed = http.get("/api/annotations?useCaseId=1", eve).expect(200).json();
    assertEquals(21, listed.path("total").asInt(), "her list shows only the pool");
    for (String id : hiddenIds) {
      assertFalse(listed.toString().contains(id), "her list names hidden study " + id);
    }
    assertEquals(0, http.get("/api/annotations?useCaseId=1&datasetId=" + testSet, eve).expect(200).json()
        .path("total").asInt());
    // The rules let an admin still label a hidden set.
    http.post(base + "/studies/" + hiddenStudy, admin, Map.of("code", "B")).expect(201);
  }

  /** Real hidden-set ids with real request bodies, from a participant who owns a trained model: all refused. */
  @Test
  void realHiddenIdsAreRefusedEverywhere() {
    JsonNode job = Fixtures.awaitJob(http, trent, trentJob, Duration.ofMinutes(6));
    assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
    long model = http.get("/api/models", trent).expect(200).json().get(0).path("id").asLong();
    String dataset = http.get("/api/datasets/" + pool + "/images?limit=1", trent).expect(200).json().get(0)
        .path("imageId").asText();
    http.post("/api/models/" + model + "/predict", trent, Map.of("datasetId", pool, "imageId", dataset)).expect(200);

    List<String> refused = new ArrayList<>();
    List<String> leaks = new ArrayList<>();
    int calls = 0;
    for (long hidden : List.of(testSet, finalSet)) {
      String d = "/api/datasets/" + hidden;
      List<String> studies = Fixtures.studies(http, admin, hidden);
      for (String path : List.of(d, d + "/summary", d + "/studies", d + "/images", d + "/images?study="
          + studies.get(0), "/api/annotate/1/" + hidden + "/next", "/api/annotate/1/" + hidden + "/skipped",
          "/api/annotate/1/" + hidden + "/studies/" + studies.get(1), "/api/annotate/1/" + pool + "/studies/"
          + studies.get(2))) {
        calls += probe(refused, leaks, "GET", path, null);
      }
      calls += probe(refused, leaks, "POST", "/api/annotate/1/" + hidden + "/studies/" + studies.get(3),
          Map.of("code", "A"));
      calls += probe(refused, leaks, "POST", "/api/annotate/1/" + hidden + "/studies/" + studies.get(3) + "/skip",
          null);
      calls += probe(refused, leaks, "POST", "/api/jobs", Map.of("kind", "train", "datasetId", hidden, "useCaseId",
          1, "config", Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 1)));
      calls += probe(refused, leaks, "POST", "/api/jobs", Map.of("kind", "evaluate", "datasetId", hidden,
          "useCaseId", 1, "models", List.of(model)));
      calls += probe(refused, leaks, "POST", "/api/jobs", Map.of("kind", "evaluate", "datasetId", hidden,
          "useCaseId", 1, "labels", "reference", "models", List.of(model)));
    }
    for (String image : hiddenImages) {
      for (long hidden : List.of(testSet, finalSet, pool)) {
        calls += probe(refused, leaks, "POST", "/api/models/" + model + "/predict", Map.of("datasetId", hidden,
            "imageId", image));
        calls += probe(refused, leaks, "GET", "/api/datasets/" + hidden + "/images/" + image + "/png", null);
      }
    }
    assertEquals(List.of(), refused, "answers that were not a 4xx");
    assertEquals(List.of(), leaks, "answers naming a hidden study or image the request did not");
    assertTrue(calls > 200, "probed " + calls + " times");

    // Nothing was queued, and the listings name nothing hidden.
    assertEquals(1, http.get("/api/jobs", trent).expect(200).json().size(), "only trent's training job");
    for (String path : List.of("/api/datasets", "/api/annotations?useCaseId=1", "/api/models", "/api/challenges",
        "/api/jobs")) {
      String body = http.get(path, trent).expect(200).body();
      hiddenIds.forEach(id -> assertFalse(body.contains(id), path + " names hidden " + id));
    }
    List<Long> listed = new ArrayList<>();
    http.get("/api/datasets", trent).json().forEach(x -> listed.add(x.path("id").asLong()));
    assertEquals(List.of(pool), listed, "participants see only the pool");
  }

  /** One request; records a status outside 4xx, and a hidden id in the answer that the request did not hold. */
  private static int probe(List<String> refused, List<String> leaks, String method, String path, Object body) {
    String text = body == null ? "{}" : Http.JSON.valueToTree(body).toString();
    Http.Response r = method.equals("GET") ? http.get(path, trent) : http.method(method, path, trent, text,
        "application/json");
    if (r.status() < 400 || r.status() >= 500) {
      refused.add(method + " " + path + " " + text + " -> " + r.status() + " " + r.body());
    } else {
      r.expect(r.status());
    }
    for (String id : hiddenIds) {
      if (r.body().contains(id) && !path.contains(id) && !text.contains(id)) {
        leaks.add(method + " " + path + " " + text + " -> " + r.body());
        break;
      }
    }
    return 1;
  }
}
