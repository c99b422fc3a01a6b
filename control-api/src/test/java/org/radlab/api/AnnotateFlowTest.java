package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The annotate workflow and use-case catalog through a real server on a random port, a real SQLite file and a
 * dataset made by a real prep child job.
 */
class AnnotateFlowTest {
  static final List<String> CODES = List.of("A", "B", "C", "D");
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String alice;
  static String bob;
  static long dataset;
  static List<String> studies;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    alice = Fixtures.participant(http, admin, "alice");
    bob = Fixtures.participant(http, admin, "bob");
    dataset = Fixtures.dataset(http, admin, "flow", Fixtures.synth(tmp.resolve("dicom"), 12, 5));
    studies = Fixtures.studies(http, admin, dataset);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  static String annotate(String tail) {
    return "/api/annotate/1/" + dataset + tail;
  }

  @Test
  void datasetHoldsEveryStudyAndServesItsPngsOnlyToSignedInUsers() throws Exception {
    assertEquals(12, studies.size());
    JsonNode d = http.get("/api/datasets/" + dataset, bob).expect(200).json();
    assertEquals(48, d.path("images").asInt(), "four views per synthetic study");
    JsonNode summary = http.get("/api/datasets/" + dataset + "/summary", bob).expect(200).json();
    assertEquals(48, summary.path("images").asInt());
    assertEquals(1, summary.path("rejected").asInt(), "synth's labels.csv is not DICOM: " + summary);
    JsonNode images = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(3), bob).expect(200).json();
    assertEquals(4, images.size());
    JsonNode first = images.get(0);
    HttpResponse<byte[]> png = http.bytes("/api/datasets/" + dataset + "/images/" + first.path("imageId").asText()
        + "/png", bob);
    assertEquals(200, png.statusCode());
    assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
    assertEquals(first.path("pngWidth").asInt(), image.getWidth());
    assertEquals(first.path("pngHeight").asInt(), image.getHeight());
    assertEquals(401, http.bytes("/api/datasets/" + dataset + "/images/" + first.path("imageId").asText() + "/png",
        null).statusCode());
    http.get("/api/datasets/" + dataset + "/images/no-such-image/png", bob).expect(404);
  }

  @Test
  void wholeAnnotateFlow() {
    String carol = Fixtures.participant(http, admin, "carol");
    JsonNode next = http.get(annotate("/next"), carol).expect(200).json();
    assertEquals(studies.get(0), next.path("studyUid").asText());
    assertEquals(4, next.path("images").size());
    assertTrue(next.path("annotation").isMissingNode() || next.path("annotation").isNull());

    JsonNode saved = http.post(annotate("/studies/" + studies.get(0)), carol, Map.of("code", "B")).expect(201).json();
    assertEquals(1, saved.path("version").asInt());
    assertEquals(studies.get(1), http.get(annotate("/next"), carol).json().path("studyUid").asText());

    // Skip study 1: it leaves the queue and joins the skipped list.
    JsonNode skipped = http.post(annotate("/studies/" + studies.get(1) + "/skip"), carol, "").expect(200).json();
    assertEquals(List.of(studies.get(1)), texts(skipped.path("skipped")));
    assertEquals(studies.get(2), http.get(annotate("/next"), carol).json().path("studyUid").asText());
    http.post(annotate("/studies/" + studies.get(2)), carol, Map.of("code", "C")).expect(201);

    // Come back to the skipped study and label it: it leaves the skipped list.
    JsonNode back = http.get(annotate("/studies/" + studies.get(1)), carol).expect(200).json();
    assertTrue(back.path("annotation").isMissingNode() || back.path("annotation").isNull());
    http.post(annotate("/studies/" + studies.get(1)), carol, Map.of("code", "A")).expect(201);
    assertEquals(List.of(), texts(http.get(annotate("/skipped"), carol).json().path("skipped")));
    assertEquals(studies.get(3), http.get(annotate("/next"), carol).json().path("studyUid").asText());

    // Change the first label; the history keeps both versions. Saving the same label again changes nothing.
    long id = saved.path("id").asLong();
    JsonNode changed = http.put("/api/annotations/" + id, carol, Map.of("code", "D")).expect(200).json();
    assertEquals("D", changed.path("annotation").path("code").asText());
    assertEquals(List.of("B", "D"), texts(changed.path("history"), "code"));
    http.post(annotate("/studies/" + studies.get(0)), carol, Map.of("code", "D")).expect(200);
    JsonNode again = http.get("/api/annotations/" + id, carol).expect(200).json();
    assertEquals(2, again.path("annotation").path("version").asInt());
    assertEquals(2, again.path("history").size());

    JsonNode mine = http.get("/api/annotations?useCaseId=1&datasetId=" + dataset, carol).expect(200).json();
    assertEquals(3, mine.path("total").asInt());
    assertEquals(3, http.get(annotate("/studies/" + studies.get(5)), carol).json().path("annotatedByYou").asInt());

    // Finish the dataset: then there is no next study, and a clear 404 says so.
    for (String s : studies.subList(3, studies.size())) {
      http.post(annotate("/studies/" + s), carol, Map.of("code", "A")).expect(201);
    }
    Http.Response done = http.get(annotate("/next"), carol).expect(404);
    assertEquals("no_more_studies", done.json().path("error").asText());

    // The crowdsourcing board counts carol's twelve.
    JsonNode board = http.get("/api/use-cases/1/board", bob).expect(200).json();
    boolean found = false;
    for (JsonNode row : board) {
      if (row.path("userName").asText().equals("carol")) {
        assertEquals(12, row.path("annotations").asInt());
        found = true;
      }
    }
    assertTrue(found, board.toString());
  }

  @Test
  void agreementWithTheReferenceIsOnlyCountsRefreshedAtMilestones() {
    // The reference reader's labels: study i gets CODES[i % 4]. Dave labels ten studies.
    Map<String, String> reference = new LinkedHashMap<>();
    for (int i = 0; i < studies.size(); i++) {
      reference.put(studies.get(i), CODES.get(i % 4));
    }
    http.post("/api/datasets/" + dataset + "/reference-labels?useCaseId=1", bob, Map.of("labels", reference))
        .expect(403);
    JsonNode imported = http.post("/api/datasets/" + dataset + "/reference-labels?useCaseId=1", admin,
        Map.of("labels", reference)).expect(200).json();
    assertEquals(12, imported.path("studies").asInt());

    String dave = Fixtures.participant(http, admin, "dave");
    for (int i = 0; i < 10; i++) {
      http.post(annotate("/studies/" + studies.get(i)), dave, Map.of("code", CODES.get((i / 2) % 4))).expect(201);
    }
    // Without a challenge the matrix refreshes every 25 labels: ten labels show nothing yet (ChallengeSecretsTest
    // checks the counts at milestones).
    Http.Response r = http.get("/api/use-cases/1/agreement", dave).expect(200);
    JsonNode m = r.json();
    assertEquals(CODES, texts(m.path("categories")));
    assertEquals(0, m.path("studies").asInt());
    assertEquals(25, m.path("milestone").asInt());
    assertEquals(10, m.path("labels").asInt());
    assertEquals(15, m.path("labelsUntilRefresh").asInt());
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(new int[4], Http.JSON.convertValue(m.path("matrix").get(row), int[].class));
    }
    for (String s : studies) {
      assertFalse(r.body().contains(s), "no study UID in the agreement answer");
    }
    // Someone who labelled nothing gets an all-zero matrix, not others' data.
    JsonNode empty = http.get("/api/use-cases/1/agreement", bob).expect(200).json();
    assertEquals(0, empty.path("studies").asInt());
  }

  @Test
  void theAssistModuleIsCheckedAgainstItsSchemaAndTheCategories() {
    Http.Response original = http.get("/api/use-cases/1/assist-module", bob).expect(200);
    assertTrue(original.contentType().startsWith("application/xml"), original.contentType());
    for (String code : CODES) {
      assertTrue(original.body().contains("category=\"" + code + "\""), original.body());
    }
    String valid = """
        <?xml version="1.0" encoding="UTF-8"?>
        <assistModule xmlns="urn:radlab:assist-module:1" useCase="Breast density (BI-RADS)" site="Test site">
          <finding category="A" cde="radlab.breast_density.a"><reportText/></finding>
          <finding category="B" cde="radlab.breast_density.b"><reportText>Scattered density.</reportText></finding>
          <finding category="C" cde="radlab.breast_density.c"><reportText>Heterogeneous.</reportText></finding>
          <finding category="D" cde="radlab.breast_density.d"><reportText>Extremely dense.</reportText></finding>
        </assistModule>
        """;
    http.method("PUT", "/api/use-cases/1/assist-module", bob, valid, "application/xml").expect(403);
    String missingD = valid.replaceAll("(?m)^.*category=\"D\".*$", "");
    assertTrue(http.method("PUT", "/api/use-cases/1/assist-module", admin, missingD, "application/xml").expect(400)
        .detail().contains("category D has no finding"));
    String wrongCde = valid.replace("radlab.breast_density.b", "local.b");
    assertTrue(http.method("PUT", "/api/use-cases/1/assist-module", admin, wrongCde, "application/xml").expect(400)
        .detail().contains("CDE id"));
    String twice = valid.replace("category=\"C\"", "category=\"B\"");
    assertTrue(http.method("PUT", "/api/use-cases/1/assist-module", admin, twice, "application/xml").expect(400)
        .detail().contains("line"));
    String unknownElement = valid.replace("<reportText>Heterogeneous.</reportText>",
        "<text>Heterogeneous.</text>");
    Http.Response bad = http.method("PUT", "/api/use-cases/1/assist-module", admin, unknownElement,
        "application/xml").expect(400);
    assertTrue(bad.detail().contains("line 5"), bad.detail());
    assertTrue(http.method("PUT", "/api/use-cases/1/assist-module", admin, "<assistModule", "application/xml")
        .expect(400).detail().contains("invalid assist module"));
    assertEquals(original.body(), http.get("/api/use-cases/1/assist-module", bob).body(), "nothing stored yet");
    http.method("PUT", "/api/use-cases/1/assist-module", admin, valid, "application/xml").expect(200);
    assertTrue(http.get("/api/use-cases/1/assist-module", bob).body().contains("Test site"));
    http.method("PUT", "/api/use-cases/1/assist-module", admin, original.body(), "application/xml").expect(200);
  }

  @Test
  void deployedPredictionsAndReadsAreAssessed() throws Exception {
    String reader = Fixtures.participant(http, admin, "deployer");
    long id = http.post("/api/deployments", reader, Map.of("name", "site-a-density", "useCaseId", 1)).expect(201)
        .json().path("deployment").path("id").asLong();
    String base = "/api/deployments/" + id;
    // Eight cases over two months; positive = C or D. Score = p(C) + p(D), called positive at >= 0.5.
    double[][] p = {{0.7, 0.2, 0.05, 0.05}, {0.1, 0.1, 0.4, 0.4}, {0.3, 0.3, 0.2, 0.2}, {0.05, 0.05, 0.1, 0.8},
        {0.4, 0.2, 0.3, 0.1}, {0.2, 0.2, 0.3, 0.3}, {0.6, 0.3, 0.1, 0.0}, {0.0, 0.1, 0.2, 0.7}};
    String[] reads = {"A", "D", "C", "D", "B", "A", "B", null};
    List<Map<String, Object>> cases = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      cases.add(Map.of("caseId", "case-" + i, "date", i < 4 ? "2027-01-0" + (i + 1) : "2027-02-0" + (i + 1),
          "probabilities", Map.of("A", p[i][0], "B", p[i][1], "C", p[i][2], "D", p[i][3])));
    }
    http.post(base + "/predictions", reader, Map.of("cases", List.of(Map.of("caseId", "x", "date", "2027-01-01",
        "probabilities", Map.of("A", 1.0))))).expect(400);
    http.post(base + "/predictions", reader, Map.of("cases", List.of(Map.of("caseId", "x", "date", "January",
        "probabilities", Map.of("A", 0.25, "B", 0.25, "C", 0.25, "D", 0.25))))).expect(400);
    http.post(base + "/predictions", reader, Map.of("cases", cases)).expect(200);
    List<Map<String, Object>> readList = new ArrayList<>();
    int tp = 0;
    int fn = 0;
    int tn = 0;
    int fp = 0;
    for (int i = 0; i < reads.length; i++) {
      if (reads[i] == null) {
        continue;
      }
      readList.add(Map.of("caseId", "case-" + i, "read", reads[i]));
      boolean positive = reads[i].equals("C") || reads[i].equals("D");
      boolean called = p[i][2] + p[i][3] >= 0.5;
      tp += positive && called ? 1 : 0;
      fn += positive && !called ? 1 : 0;
      tn += !positive && !called ? 1 : 0;
      fp += !positive && called ? 1 : 0;
    }
    http.post(base + "/reads", reader, Map.of("reads", List.of(Map.of("caseId", "case-1", "read", "E")))).expect(400);
    JsonNode counts = http.post(base + "/reads", reader, Map.of("reads", readList)).expect(200).json();
    assertEquals(8, counts.path("predicted").asInt());
    assertEquals(7, counts.path("assessable").asInt());
    http.get(base, alice).expect(404);
    http.post(base + "/assess", alice, "{}").expect(404);

    long job = http.post(base + "/assess", reader, Map.of("positive", List.of("C", "D"), "threshold", 0.5,
        "bootstrap", 20)).expect(201).json().path("id").asLong();
    JsonNode done = Fixtures.awaitJob(http, reader, job, java.time.Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", done.path("status").asText(), http.get("/api/jobs/" + job + "/log", reader).body());
    JsonNode assessments = http.get(base + "/assessments", reader).expect(200).json();
    assertEquals(List.of(job), java.util.stream.StreamSupport.stream(assessments.spliterator(), false)
        .map(j -> j.path("id").asLong()).toList(), "the deployment lists its assess job");
    http.get(base + "/assessments", alice).expect(404);
    JsonNode files = http.get("/api/jobs/" + job + "/artifacts", reader).expect(200).json().path("files");
    List<String> names = texts(files, "path");
    assertTrue(names.contains("assessment.json") && names.stream().anyMatch(n -> n.endsWith(".png"))
        && names.stream().anyMatch(n -> n.endsWith(".svg")), names.toString());
    JsonNode assessment = http.get("/api/jobs/" + job + "/artifact?path=assessment.json", reader).expect(200).json();
    JsonNode binary = assessment.path("overall").path("binary");
    assertEquals(7, assessment.path("overall").path("cases").asInt());
    assertEquals((double) tp / (tp + fn), binary.path("sensitivity").asDouble(), 1e-12);
    assertEquals((double) tn / (tn + fp), binary.path("specificity").asDouble(), 1e-12);
    assertEquals(2, assessment.path("drift").size(), "January and February");
    String png = names.stream().filter(n -> n.endsWith(".png")).findFirst().orElseThrow();
    var chart = http.bytes("/api/jobs/" + job + "/artifact?path=" + png, reader);
    assertEquals("image/png", chart.headers().firstValue("Content-Type").orElse(""));
    http.get("/api/jobs/" + job + "/artifact?path=../../radlab.db", reader).expect(404);
    http.get("/api/jobs/" + job + "/artifacts", alice).expect(404);
  }

  @Test
  void detectionUseCasesTakeBoxes() {
    JsonNode uc = http.post("/api/use-cases", admin, Map.of("title", "Calcification finder", "bodyArea", "Breast",
        "modality", "MG", "task", "detection", "categories", List.of(Map.of("code", "calc", "name", "Calcification",
            "description", "A cluster of calcifications", "cdeId", "local.calc")))).expect(201).json();
    long id = uc.path("id").asLong();
    String path = "/api/annotate/" + id + "/" + dataset + "/studies/" + studies.get(0);
    http.post(path, alice, Map.of("code", "calc")).expect(409); // not published yet
    http.post("/api/use-cases/" + id + "/review", admin, Map.of("decision", "publish")).expect(200);
    http.post(path, alice, Map.of("code", "calc")).expect(400);
    String image = http.get("/api/datasets/" + dataset + "/images?study=" + studies.get(0), alice).json().get(0)
        .path("imageId").asText();
    Map<String, Object> box = Map.of("imageId", image, "x", 10, "y", 12, "width", 20, "height", 8, "code", "calc");
    JsonNode saved = http.post(path, alice, Map.of("boxes", List.of(box))).expect(201).json();
    JsonNode boxes = Http.JSON.valueToTree(saved).path("boxes");
    assertTrue(boxes.asText().contains(image), saved.toString());
    http.post(path, alice, Map.of("boxes", List.of(Map.of("imageId", "nope", "x", 1, "y", 1, "width", 1,
        "height", 1, "code", "calc")))).expect(400);
    http.post(path, alice, Map.of("boxes", List.of(Map.of("imageId", image, "x", 1, "y", 1, "width", 0,
        "height", 1, "code", "calc")))).expect(400);
    assertEquals(201, http.post("/api/annotate/" + id + "/" + dataset + "/studies/" + studies.get(1), alice,
        Map.of("boxes", List.of())).status(), "an empty list means nothing found");
  }

  @Test
  void useCasesAreSubmittedReviewedAndPublished() {
    Map<String, Object> body = new LinkedHashMap<>(Map.of("title", "Pneumothorax", "summary", "Find a collapsed lung",
        "bodyArea", "Chest", "modality", "DX", "categories", List.of(
            Map.of("code", "absent", "name", "Absent", "description", "No pneumothorax", "cdeId", "local.ptx.0"),
            Map.of("code", "present", "name", "Present", "description", "Pneumothorax", "cdeId", "local.ptx.1"))));
    JsonNode created = http.post("/api/use-cases", alice, body).expect(201).json();
    long id = created.path("id").asLong();
    assertEquals("in_review", created.path("status").asText(), "a participant's submission goes to review");
    assertEquals(2, created.path("categories").size());
    http.get("/api/use-cases/" + id, bob).expect(404);
    http.get("/api/use-cases/" + id, alice).expect(200);
    // Annotating it: its author learns it is not open yet; anyone else gets the answer of a missing one.
    assertTrue(http.get("/api/annotate/" + id + "/" + dataset + "/next", alice).expect(409).detail()
        .contains("in_review"));
    Http.Response hidden = http.get("/api/annotate/" + id + "/" + dataset + "/next", bob).expect(404);
    assertFalse(hidden.body().contains("in_review"), hidden.body());
    http.post("/api/use-cases", bob, body).expect(409);
    http.post("/api/use-cases/" + id + "/comments", alice, Map.of("body", "hi")).expect(409);
    http.post("/api/use-cases/" + id + "/review", alice, Map.of("decision", "publish")).expect(403);

    // Bob cannot see it yet, but an admin returns it with a note, the author resubmits, the admin publishes.
    http.post("/api/use-cases/" + id + "/review", admin, Map.of("decision", "return", "note", "add a CDE")).expect(200);
    http.post("/api/use-cases/" + id + "/review", alice, Map.of("decision", "submit")).expect(200);
    JsonNode published = http.post("/api/use-cases/" + id + "/review", admin, Map.of("decision", "publish"))
        .expect(200).json();
    assertEquals("published", published.path("status").asText());
    http.put("/api/use-cases/" + id, alice, body).expect(403);
    http.post("/api/use-cases/" + id + "/comments", bob, Map.of("body", "Useful for the night shift")).expect(201);
    JsonNode comments = http.get("/api/use-cases/" + id + "/comments", alice).expect(200).json();
    assertEquals("bob", comments.get(0).path("userName").asText());

    // Search, filter and sort.
    List<String> chest = texts(http.get("/api/use-cases?bodyArea=chest", bob).expect(200).json(), "title");
    assertEquals(List.of("Pneumothorax"), chest);
    List<String> all = texts(http.get("/api/use-cases?sort=-title", admin).expect(200).json(), "title");
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(String.CASE_INSENSITIVE_ORDER.reversed());
    assertEquals(sorted, all);
    assertTrue(texts(http.get("/api/use-cases?q=density", bob).json(), "title").contains("Breast density (BI-RADS)"));
    assertEquals(List.of(), texts(http.get("/api/use-cases?q=density&status=draft", bob).json(), "title"));

    // Ask to draft a use case that is not published: once per user.
    JsonNode draft = http.post("/api/use-cases", admin, Map.of("title", "Knee effusion", "bodyArea", "Knee",
        "modality", "MR", "categories", body.get("categories"))).expect(201).json();
    assertEquals("draft", draft.path("status").asText());
    String requests = "/api/use-cases/" + draft.path("id").asLong() + "/draft-requests";
    // An admin's draft is an open catalog entry: everyone sees it and may ask to draft it, once.
    assertEquals("draft", http.get("/api/use-cases/" + draft.path("id").asLong(), bob).expect(200).json()
        .path("status").asText());
    assertTrue(texts(http.get("/api/use-cases?status=draft", bob).json(), "title").contains("Knee effusion"));
    http.post(requests, alice, Map.of("note", "I read knee MR daily")).expect(201);
    http.post(requests, alice, Map.of("note", "again")).expect(409);
    http.post("/api/use-cases/" + id + "/draft-requests", bob, Map.of("note", "x")).expect(409); // published
    http.post("/api/use-cases/" + draft.path("id").asLong() + "/review", admin, Map.of("decision", "submit"))
        .expect(200);
    http.get(requests, alice).expect(403);
    JsonNode asked = http.get(requests, admin).expect(200).json();
    assertEquals(List.of("alice"), texts(asked, "userName"));
    // In review, it is private again; so are participants' own submissions to everyone but their author.
    http.get("/api/use-cases/" + draft.path("id").asLong(), bob).expect(404);
  }

  @Test
  void badUseCasesAreRefusedWithTheReason() {
    Map<String, Object> one = Map.of("title", "Single", "bodyArea", "Chest", "modality", "DX", "categories",
        List.of(Map.of("code", "x", "name", "X", "description", "", "cdeId", "c")));
    assertTrue(http.post("/api/use-cases", alice, one).expect(400).detail().contains("2 to 50 categories"));
    Map<String, Object> twice = Map.of("title", "Twice", "bodyArea", "Chest", "modality", "DX", "categories",
        List.of(Map.of("code", "x", "name", "X", "description", "", "cdeId", "c"),
            Map.of("code", "x", "name", "Y", "description", "", "cdeId", "d")));
    assertTrue(http.post("/api/use-cases", alice, twice).expect(400).detail().contains("'x' appears twice"));
    Map<String, Object> noTitle = Map.of("bodyArea", "Chest", "modality", "DX", "categories", List.of());
    assertTrue(http.post("/api/use-cases", alice, noTitle).expect(400).detail().contains("'title' is required"));
    assertTrue(http.get("/api/use-cases?status=done", alice).expect(400).detail().contains("status must be one of"));
  }

  @Test
  void everyEndpointIsListedAndNeedsATokenUnlessPublic() {
    JsonNode endpoints = http.get("/api", null).expect(200).json();
    String docs = http.get("/api/docs", null).expect(200).body();
    List<String> paths = new ArrayList<>();
    for (JsonNode e : endpoints) {
      String path = e.path("path").asText();
      String method = e.path("method").asText();
      assertTrue(docs.contains(path.replace("<", "&lt;")), "docs page lists " + path);
      assertFalse(e.path("summary").asText().isBlank());
      assertFalse(e.path("response").asText().isBlank());
      paths.add(method + " " + path);
      if (e.path("access").asText().equals("public")) {
        continue;
      }
      String concrete = path.replace("{useCaseId}", "1").replace("{datasetId}", String.valueOf(dataset))
          .replace("{studyUid}", studies.get(0)).replace("{imageId}", "x").replace("{annotationId}", "1")
          .replace("{jobId}", "1").replace("{modelId}", "1").replace("{deploymentId}", "1")
          .replace("{challengeId}", "1").replace("{source}", "x")
          .replaceAll("\\{[A-Za-z]+Id\\}", "1"); // any other id: 1
      int status = http.method(method, concrete, null, method.equals("GET") ? null : "{}", "application/json")
          .expect(401).status();
      assertEquals(401, status, method + " " + concrete);
    }
    for (String required : List.of("GET /api/health", "GET /api/annotate/{useCaseId}/{datasetId}/next",
        "POST /api/annotate/{useCaseId}/{datasetId}/studies/{studyUid}", "POST /api/jobs/{jobId}/cancel",
        "GET /api/jobs/{jobId}/progress", "GET /api/jobs/{jobId}/log", "POST /api/datasets",
        "POST /api/use-cases/{useCaseId}/comments", "GET /api/use-cases/{useCaseId}/board")) {
      assertTrue(paths.contains(required), required + " in " + paths);
    }
    JsonNode health = http.get("/api/health", null).expect(200).json();
    assertEquals("ok", health.path("status").asText());
    http.get("/api/me", "rl_not-a-real-token").expect(401);
  }

  @Test
  void participantsCannotReachWhatIsNotTheirs() {
    long aliceLabel = http.post(annotate("/studies/" + studies.get(11)), alice, Map.of("code", "C")).json()
        .path("id").asLong();
    http.get("/api/annotations/" + aliceLabel, bob).expect(404);
    http.put("/api/annotations/" + aliceLabel, bob, Map.of("code", "A")).expect(404);
    assertEquals("C", http.get("/api/annotations/" + aliceLabel, alice).expect(200).json().path("annotation")
        .path("code").asText(), "bob's attempt changed nothing");
    JsonNode bobsView = http.get("/api/annotations?useCaseId=1", bob).expect(200).json();
    assertFalse(bobsView.toString().contains(studies.get(11)), "bob's list holds none of alice's");

    String predictions = "study,date,read,benign,malignant\ns1,2024-01-03,malignant,0.1,0.9\n"
        + "s2,2024-01-10,benign,0.8,0.2\n";
    long job = http.post("/api/jobs", alice, Map.of("kind", "assess", "predictionsCsv", predictions, "config",
        Map.of("positive", List.of("malignant"), "bootstrap", 10))).expect(201).json().path("id").asLong();
    for (String p : List.of("", "/progress", "/log")) {
      http.get("/api/jobs/" + job + p, bob).expect(404);
    }
    http.post("/api/jobs/" + job + "/cancel", bob, "").expect(404);
    assertFalse(http.get("/api/jobs", bob).json().toString().contains("\"id\":" + job));
    http.get("/api/jobs/" + job, admin).expect(200);

    http.get("/api/users", bob).expect(403);
    http.post("/api/users", bob, Map.of("name", "mallory", "role", "admin")).expect(403);
    http.post("/api/datasets", bob, Map.of("name", "x", "useCaseId", 1, "source", tmp.toString())).expect(403);
    http.post("/api/jobs", bob, Map.of("kind", "prep", "config", Map.of())).expect(403);
    http.post("/api/jobs", bob, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1, "labels",
        "reference")).expect(403);
    assertTrue(http.post("/api/jobs", bob, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
        "config", Map.of("dataset", "/etc"))).expect(400).detail().contains("set by the server"));
    Fixtures.awaitJob(http, alice, job, java.time.Duration.ofMinutes(2));
  }

  @Test
  void malformedRequestsGetAClearFourHundred() {
    String label = annotate("/studies/" + studies.get(4));
    int before = countOf(bob);
    assertTrue(http.method("POST", label, bob, "{\"code\": ", "application/json").expect(400).detail()
        .contains("malformed JSON"));
    assertTrue(http.method("POST", label, bob, "[\"A\"]", "application/json").expect(400).detail()
        .contains("JSON object"));
    assertTrue(http.post(label, bob, Map.of("code", 3)).expect(400).detail().contains("'code'"));
    assertTrue(http.post(label, bob, Map.of("code", "A", "colour", "red")).expect(400).detail()
        .contains("unknown field 'colour'"));
    assertTrue(http.post(label, bob, Map.of("code", "Z")).expect(400).detail().contains("one of [A, B, C, D]"));
    assertTrue(http.method("POST", label, bob, "", "application/json").expect(400).detail().contains("JSON body"));
    String huge = "{\"code\": \"" + "A".repeat(2 << 20) + "\"}";
    assertEquals(413, http.method("POST", label, bob, huge, "application/json").expect(413).status());
    http.post(annotate("/studies/not-a-study"), bob, Map.of("code", "A")).expect(404);
    http.get("/api/annotate/999/" + dataset + "/next", bob).expect(404);
    http.get("/api/annotate/1/999/next", bob).expect(404);
    http.get("/api/annotations/abc", bob).expect(404);
    http.get("/api/jobs/12345", bob).expect(404);
    http.get("/api/no-such-thing", bob).expect(404);
    assertEquals(405, http.method("DELETE", "/api/jobs", bob, null, null).expect(405).status());
    assertTrue(http.get("/api/annotations?useCaseId=x", bob).expect(400).detail().contains("whole number"));
    assertTrue(http.get("/api/jobs?limit=0", bob).expect(400).detail().contains("limit"));
    assertTrue(http.post("/api/jobs", bob, Map.of("kind", "paint")).expect(400).detail().contains("kind must be"));
    assertTrue(http.post("/api/jobs", bob, Map.of("kind", "assess", "predictionsCsv", "a,b\n", "config",
        Map.of("period", "fortnight"))).expect(400).detail().contains("period"));
    assertEquals(before, countOf(bob), "none of it was stored");
  }

  private static int countOf(String token) {
    return http.get("/api/annotations?useCaseId=1&datasetId=" + dataset, token).json().path("total").asInt();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }
}
