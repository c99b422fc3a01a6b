package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * After prep, nothing a participant can GET holds an original identifier: every GET endpoint of the server's own
 * endpoint table ({@code GET /api}) is called with real ids (a dataset, its studies and images, the participant's
 * annotation, job and deployment), and every answer, PNGs included, is searched for the values of every identifying
 * attribute synth writes, read from the input files with dcmtk's dcmdump.
 */
class DeidentifiedApiTest {
  /** OtherPatientIDs (0010,1000), retired from the standard but still written by modalities; by tag, for dcmdump. */
  private static final String OTHER_PATIENT_IDS = "0010,1000";
  /** The identifying attributes synth writes (as prep-jobs' DeidentificationTest lists them). */
  private static final String[] IDENTIFYING = {"PatientID", "PatientName", "PatientBirthDate", OTHER_PATIENT_IDS,
      "IssuerOfPatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "AccessionNumber", "StudyID",
      "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName", "ReferringPhysicianName",
      "PerformingPhysicianName", "OperatorsName", "StationName", "DeviceSerialNumber", "StudyDate", "StudyTime",
      "SeriesTime", "ContentTime"};
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  @Test
  void noGetAParticipantCanReachHoldsAnOriginalIdentifier() throws Exception {
    String admin = api.firstAdminToken().orElseThrow();
    Path dicom = Fixtures.synth(tmp.resolve("dicom"), 6, 21);
    Set<String> identifiers = new LinkedHashSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dicom)) {
      files = walk.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
    }
    for (Path f : files) {
      for (String keyword : IDENTIFYING) {
        String v = DicomTools.dcmdumpValue(f, keyword);
        if (v != null && v.length() >= 4) {
          identifiers.add(v);
        }
      }
    }
    assertTrue(identifiers.size() > 60, "the input carries identifiers: " + identifiers);

    long dataset = Fixtures.dataset(http, admin, "deid", dicom);
    String reader = Fixtures.participant(http, admin, "reader");
    List<String> studies = Fixtures.studies(http, reader, dataset);
    String study = studies.get(0);
    String imageId = http.get("/api/datasets/" + dataset + "/images?study=" + study, reader).expect(200).json()
        .get(0).path("imageId").asText();
    long annotation = http.post("/api/annotate/1/" + dataset + "/studies/" + study, reader, Map.of("code", "B"))
        .expect(201).json().path("id").asLong();
    http.post("/api/annotate/1/" + dataset + "/studies/" + studies.get(1) + "/skip", reader, "").expect(200);
    long deployment = http.post("/api/deployments", reader, Map.of("name", "deid-check", "useCaseId", 1))
        .expect(201).json().path("id").asLong();
    long job = http.post("/api/jobs", reader, Map.of("kind", "assess", "predictionsCsv",
        QueueAndLoadTest.PREDICTIONS, "config", Map.of("positive", List.of("malignant"), "bootstrap", 10)))
        .expect(201).json().path("id").asLong();
    Fixtures.awaitJob(http, reader, job, java.time.Duration.ofMinutes(3));

    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("{useCaseId}", "1");
    ids.put("{datasetId}", String.valueOf(dataset));
    ids.put("{studyUid}", study);
    ids.put("{imageId}", imageId);
    ids.put("{annotationId}", String.valueOf(annotation));
    ids.put("{deploymentId}", String.valueOf(deployment));
    ids.put("{jobId}", String.valueOf(job));
    ids.put("{modelId}", "1");
    ids.put("{challengeId}", "1");

    List<String> leaks = new ArrayList<>();
    List<String> answered = new ArrayList<>();
    int gets = 0;
    for (JsonNode e : http.get("/api", reader).expect(200).json()) {
      if (!"GET".equals(e.path("method").asText())) {
        continue;
      }
      gets++;
      String path = e.path("path").asText();
      for (var id : ids.entrySet()) {
        path = path.replace(id.getKey(), id.getValue());
      }
      assertTrue(!path.contains("{"), "no real id for " + path);
      List<String> calls = new ArrayList<>(List.of(path));
      if (path.endsWith("/images") || path.endsWith("/studies") || path.endsWith("/annotations")) {
        calls.add(path + "?limit=1000" + (path.endsWith("/images") ? "&study=" + study : ""));
      }
      if (path.endsWith("/artifact")) {
        calls.set(0, path + "?path=report.md");
      }
      for (String call : calls) {
        var r = http.bytes(call, reader);
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        if (r.statusCode() == 200) {
          answered.add(call);
        }
        found(body, identifiers).forEach(id -> leaks.add("GET " + call + ": " + id));
      }
    }
    assertTrue(gets >= 30, "the endpoint table lists the GET endpoints: " + gets);
    assertTrue(answered.size() >= 25, "most GETs answered with content: " + answered);
    assertTrue(answered.contains("/api/datasets/" + dataset + "/images/" + imageId + "/png"), answered.toString());
    assertEquals(List.of(), leaks);

    // The scan would see a leak: the admin's private id map, on disk, holds the original UIDs.
    try (Stream<Path> walk = Files.walk(tmp.resolve("home"))) {
      assertTrue(walk.anyMatch(p -> p.toString().contains("id-map.parquet")));
    }
    assertTrue(found(String.join(",", identifiers), identifiers).size() == identifiers.size());
  }

  /** As prep-jobs' DeidentificationTest: values of digits only count with no letter or digit beside them. */
  static List<String> found(String text, Set<String> identifiers) {
    List<String> out = new ArrayList<>();
    for (String id : identifiers) {
      if (id.chars().allMatch(Character::isDigit)) {
        if (Pattern.compile("(?<![0-9A-Za-z])" + id + "(?![0-9A-Za-z])").matcher(text).find()) {
          out.add(id);
        }
      } else if (text.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

}
