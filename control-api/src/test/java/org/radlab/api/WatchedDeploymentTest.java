package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.prep.synth.SynthLabels;

/**
 * A deployment that watches a real PACS (Debian's Orthanc with its DICOMweb plugin, started by bench/pacs-sim in a
 * network namespace of its own and reached at 127.0.0.1 through its bridge). The site's studies are in the PACS; a
 * dataset is prepared straight from a PACS query, a model trained and evaluated on it and deployed with a watch;
 * each matching study is pulled, predicted and sent back as a DICOM SR, a study that arrives later is predicted by
 * the first poll after it arrived, the radiologists' reads are taken from their SRs in the PACS and imported by
 * original StudyInstanceUID, and the deployment is assessed; a PACS that refuses the credentials stops the polls
 * with the reason and loses nothing.
 *
 * <p>What is expected comes from elsewhere: the studies' UIDs and patients from dcmtk's dcmdump of the files loaded,
 * the case ids from the dataset prep made (a Spark job), each study's probabilities from Run on the prepared
 * images (prep's tensors, not the DICOM the watch pulled) averaged here, and the report from dcmtk's dsrdump.
 */
class WatchedDeploymentTest {
  private static final Path SIM = Path.of("..").toAbsolutePath().normalize().resolve("bench/pacs-sim");
  private static final String NAME = "rwatch" + (ProcessHandle.current().pid() % 10000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INTERVAL = org.radlab.api.routes.WatchRoutes.MIN_INTERVAL_SECONDS;

  @TempDir Path tmp;

  @Test
  void aWatchedDeploymentPredictsEveryNewStudyAndFilesItsReportInThePacs() throws Exception {
    int hostPort = freePort();
    int hostDicomPort = freePort();
    Run up = sim("up", "--http-port", "8042", "--dicom-port", "4242", "--modality", "RADLAB:11112", "--host-port",
        String.valueOf(hostPort), "--host-dicom-port", String.valueOf(hostDicomPort));
    assertEquals(0, up.code(), up.output());
    ControlApi api = null;
    try {
      Path mg = Fixtures.synth(tmp.resolve("mg"), Fixtures.MIN_LABELS, 43); // every category among them
      Path fresh = Fixtures.synth(tmp.resolve("fresh"), 2, 42);
      Map<String, String> patients = new TreeMap<>(); // original study -> PatientID, by dcmdump
      Map<String, Path> freshStudies = new TreeMap<>(); // study -> a folder of its files only
      Map<String, String> dates = new TreeMap<>(); // study -> StudyDate
      for (Path dir : List.of(mg, fresh)) {
        for (Path f : dicomFiles(dir)) {
          Map<String, String> h = dcmdump(f, "StudyInstanceUID", "PatientID", "StudyDate");
          patients.put(h.get("StudyInstanceUID"), h.get("PatientID"));
          dates.put(h.get("StudyInstanceUID"), h.get("StudyDate"));
          if (dir == fresh) {
            Path only = freshStudies.computeIfAbsent(h.get("StudyInstanceUID"),
                s -> tmp.resolve("arrives-" + freshStudies.size()));
            Files.createDirectories(only);
            Files.copy(f, only.resolve(f.getFileName()));
          }
        }
      }
      assertEquals(Fixtures.MIN_LABELS + 2, patients.size());
      assertEquals(0, sim("load", mg.toString()).code());

      Path home = tmp.resolve("home");
      Files.createDirectories(home);
      Path sources = home.resolve("pacs.json");
      Path simSources = tmp.resolve("pacs-sim/host-pacs.json");
      Files.copy(simSources, sources);
      Files.setPosixFilePermissions(sources, PosixFilePermissions.fromString("rw-------"));
      api = Fixtures.server(home);
      Http http = new Http(api.port());
      String admin = api.firstAdminToken().orElseThrow();
      JsonNode echo = http.post("/api/pacs-sources/pacs-sim-dimse/test", admin, "{}").expect(200).json();
      assertTrue(echo.path("ok").asBoolean(), "the PACS as a DICOM node answers a C-ECHO: " + echo);

      // The site's screening studies, prepared straight from the PACS, labelled by the reference reader, trained on.
      long dataset = Fixtures.dataset(http, admin, "screening-from-pacs", "dicomweb://pacs-sim?modality=MG");
      List<String> prepared = Fixtures.studies(http, admin, dataset);
      assertEquals(Fixtures.MIN_LABELS, prepared.size());
      String labels = csv("study_uid,label", SynthLabels.byStudy(mg.resolve("labels.csv"), SynthLabels.READER_1));
      http.method("POST", "/api/datasets/" + dataset + "/reference-labels?useCaseId=1&keys=original", admin, labels,
          "text/csv").expect(200);
      long job = http.post("/api/jobs", admin, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1,
          "labels", "reference", "config", Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32,
              "maxEpochs", 1, "batchSize", 16))).expect(201).json().path("id").asLong();
      assertEquals("SUCCEEDED", Fixtures.awaitJob(http, admin, job, Duration.ofMinutes(6)).path("status").asText(),
          http.get("/api/jobs/" + job + "/log", admin).body());
      long model = http.get("/api/models", admin).json().get(0).path("id").asLong();
      long eval = http.post("/api/jobs", admin, Map.of("kind", "evaluate", "datasetId", dataset, "useCaseId", 1,
          "labels", "reference", "models", List.of(model), "config", Map.of("bootstrap", 10))).expect(201).json()
          .path("id").asLong();
      assertEquals("SUCCEEDED", Fixtures.awaitJob(http, admin, eval, Duration.ofMinutes(6)).path("status").asText(),
          http.get("/api/jobs/" + eval + "/log", admin).body());
      assertEquals(Fixtures.MIN_LABELS, http.get("/api/jobs/" + eval + "/artifact?path=comparison.json", admin)
          .expect(200).json().get(0).path("studies").asInt(), "the model evaluated on every study pulled");
      long deployment = http.post("/api/deployments", admin, Map.of("name", "screening", "useCaseId", 1, "modelId",
          model)).expect(201).json().path("deployment").path("id").asLong();
      String watch = "/api/deployments/" + deployment + "/watch";

      // Refusals, each naming its reason; none of them makes a watch.
      String reader = Fixtures.participant(http, admin, "reader");
      Map<String, Object> good = Map.of("source", "pacs-sim", "modality", "MG", "from", "1900-01-01",
          "intervalSeconds", INTERVAL, "sendBack", true, "readsFromReports", true);
      http.method("PUT", watch, reader, JSON.writeValueAsString(good), "application/json").expect(403);
      assertNames(put(http, admin, watch, with(good, "source", "elsewhere")).expect(409), "elsewhere");
      assertNames(put(http, admin, watch, with(good, "intervalSeconds", 1)).expect(400), "intervalSeconds");
      assertNames(put(http, admin, watch, with(good, "modality", "mg; drop")).expect(400), "modality");
      http.get(watch, admin).expect(404);

      // The watch: every matching study is predicted once, under the case id prep gave it, and sent back.
      JsonNode set = put(http, admin, watch, good).expect(200).json();
      assertEquals("pacs-sim", set.path("source").asText());
      JsonNode w = await(http, admin, watch, v -> v.path("predicted").asInt() >= Fixtures.MIN_LABELS);
      assertEquals(Fixtures.MIN_LABELS, w.path("predicted").asInt(), w.toString());
      assertEquals(Fixtures.MIN_LABELS, w.path("sent").asInt(), w.toString());
      assertEquals(0, w.path("failed").asInt() + w.path("sendFailed").asInt(), w.toString());
      Set<String> cases = new TreeSet<>();
      w.path("recent").forEach(c -> cases.add(c.path("caseId").asText()));
      assertEquals(new TreeSet<>(prepared), cases, "the watch's case ids are the pseudonyms prep made");
      Map<String, double[]> recorded = recordedProbabilities(api, deployment);
      for (String study : prepared.subList(0, 3)) {
        double[] expected = meanOverImages(http, admin, model, dataset, study);
        double[] got = recorded.get(study);
        for (int c = 0; c < expected.length; c++) {
          assertEquals(expected[c], got[c], 1e-4, "study " + study + " class " + c);
        }
      }

      // Radiologists' reports in the PACS: one that codes category B gives its study that read; one that codes two
      // categories gives none; RadLab's own reports (already there for every study) give none.
      List<String> originals = new ArrayList<>(SynthLabels.byStudy(mg.resolve("labels.csv"), SynthLabels.READER_1)
          .keySet());
      String clear = originals.get(0);
      String unclear = originals.get(1);
      storeInOrthanc(hostPort, radiologistReport(clear, patients.get(clear), "B"));
      storeInOrthanc(hostPort, radiologistReport(unclear, patients.get(unclear), "A", "D"));
      int pollsAtReports = http.get(watch, admin).json().path("polls").asInt();
      JsonNode taken = await(http, admin, watch, v -> v.path("readsTaken").asInt() >= 1
          && v.path("polls").asInt() >= pollsAtReports + 2);
      assertEquals(1, taken.path("readsTaken").asInt(), taken.toString());
      Map<String, String> readsNow = new TreeMap<>();
      for (var c : api.database().dao(org.radlab.api.db.DeploymentDao.class).cases(deployment)) {
        if (c.readCode() != null) {
          readsNow.put(c.caseId(), c.readCode());
        }
      }
      assertEquals(Map.of(pseudonym(home, clear), "B"), readsNow, "one read, from the one clear report");

      // A study that arrives later is predicted by the first poll that starts after it arrived.
      String first = freshStudies.keySet().iterator().next();
      int pollsBefore = http.get(watch, admin).json().path("polls").asInt();
      assertEquals(0, sim("load", freshStudies.get(first).toString()).code());
      long stored = System.nanoTime();
      JsonNode later = await(http, admin, watch, v -> v.path("predicted").asInt() > Fixtures.MIN_LABELS);
      System.out.printf("watched deployment: the new study was recorded %.1f s after it was stored (interval %d s)%n",
          (System.nanoTime() - stored) / 1e9, INTERVAL); // for the record, not a condition
      JsonNode row = later.path("recent").get(0);
      assertTrue(row.path("poll").asInt() <= pollsBefore + 1, "predicted by poll " + row.path("poll") + "; the "
          + "study was loaded when " + pollsBefore + " polls had started");
      assertEquals(4, row.path("images").asInt(), row.toString());
      assertFalse(cases.contains(row.path("caseId").asText()));

      // Its report, as the PACS now holds it: in the original study, for the original patient, read by dsrdump.
      String reportUid = row.path("reportUid").asText();
      byte[] sr = orthancInstance(hostPort, reportUid);
      Path srFile = tmp.resolve("report.dcm");
      Files.write(srFile, sr);
      Map<String, String> h = dcmdump(srFile, "Modality", "StudyInstanceUID", "PatientID");
      assertEquals("SR", h.get("Modality"));
      assertEquals(first, h.get("StudyInstanceUID"));
      assertEquals(patients.get(first), h.get("PatientID"));
      Run dsr = run(List.of("dsrdump", "+Pc", srFile.toString()), Map.of());
      assertEquals(0, dsr.code(), dsr.output());
      assertFalse(dsr.output().matches("(?s).*^[WE]: .*"), "dsrdump warns: " + dsr.output());
      double[] p = recordedProbabilities(api, deployment).get(row.path("caseId").asText());
      String predicted = List.of("A", "B", "C", "D").get(argmax(p));
      assertTrue(dsr.output().contains("(121071,DCM,\"Finding\")=(" + predicted + ",99RADLAB,"),
          "the finding is the most probable category " + predicted + ": " + dsr.output());
      for (int c = 0; c < 4; c++) {
        java.util.regex.Matcher num = java.util.regex.Pattern.compile("\\(p_" + "ABCD".charAt(c)
            + ",99RADLAB,[^)]*\\)=\"([0-9.]+)\"").matcher(dsr.output());
        assertTrue(num.find(), "a probability for each category: " + dsr.output());
        assertEquals(p[c], Double.parseDouble(num.group(1)), 5e-6, "the report's probability of " + "ABCD".charAt(c));
      }

      // The radiologists' reads by original StudyInstanceUID meet the predictions; the deployment is assessed.
      Map<String, String> reads = new LinkedHashMap<>(SynthLabels.byStudy(mg.resolve("labels.csv"),
          SynthLabels.READER_1));
      long own = http.post("/api/deployments", reader, Map.of("name", "mine", "useCaseId", 1)).expect(201).json()
          .path("deployment").path("id").asLong();
      assertNames(http.method("POST", "/api/deployments/" + own + "/reads", reader, csv("study_uid,read", reads),
          "text/csv").expect(403), "an admin");
      JsonNode counts = http.method("POST", "/api/deployments/" + deployment + "/reads", admin,
          csv("study_uid,read", reads), "text/csv").expect(200).json();
      assertEquals(Fixtures.MIN_LABELS, counts.path("assessable").asInt(), counts.toString());
      long assess = http.post("/api/deployments/" + deployment + "/assess", admin, Map.of("positive",
          List.of("C", "D"), "bootstrap", 10)).expect(201).json().path("id").asLong();
      assertEquals("SUCCEEDED", Fixtures.awaitJob(http, admin, assess, Duration.ofMinutes(3)).path("status")
          .asText(), http.get("/api/jobs/" + assess + "/log", admin).body());

      // Credentials the PACS refuses: each poll ends with the reason, nothing is recorded; fixed, the study comes.
      Map<String, Object> file = JSON.readValue(sources.toFile(), Map.class);
      @SuppressWarnings("unchecked")
      Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) file.get("sources")).get("pacs-sim");
      source.put("password", "not-the-password");
      replace(sources, JSON.writeValueAsString(file));
      int pollsNow = http.get(watch, admin).json().path("polls").asInt();
      String second = new ArrayList<>(freshStudies.keySet()).get(1);
      assertEquals(0, sim("load", freshStudies.get(second).toString()).code());
      JsonNode refused = await(http, admin, watch, v -> v.path("polls").asInt() >= pollsNow + 2
          && v.hasNonNull("lastError"));
      assertTrue(refused.path("lastError").asText().contains("refused the credentials of user 'radlab'"),
          refused.toString());
      assertFalse(refused.toString().contains("not-the-password"), "no password in the watch's view");
      assertEquals(Fixtures.MIN_LABELS + 1, refused.path("predicted").asInt());
      replace(sources, Files.readString(simSources));
      JsonNode recovered = await(http, admin, watch, v -> v.path("predicted").asInt() == Fixtures.MIN_LABELS + 2
          && !v.hasNonNull("lastError"));
      assertEquals(0, recovered.path("failed").asInt(), recovered.toString());

      // The same PACS as a DICOM node (C-FIND, C-GET, C-STORE through the bridge of its DICOM port): a second
      // deployment of the model watches one study date; its studies are predicted as over DICOMweb, their reports
      // stored with C-STORE. Reads from reports need DICOMweb, and say so.
      String day = dates.get(first);
      List<String> thatDay = dates.entrySet().stream().filter(e -> e.getValue().equals(day)).map(Map.Entry::getKey)
          .toList();
      long overDimse = http.post("/api/deployments", admin, Map.of("name", "screening-dimse", "useCaseId", 1,
          "modelId", model)).expect(201).json().path("deployment").path("id").asLong();
      String dimseWatch = "/api/deployments/" + overDimse + "/watch";
      String isoDay = day.substring(0, 4) + "-" + day.substring(4, 6) + "-" + day.substring(6);
      Map<String, Object> dimse = Map.of("source", "pacs-sim-dimse", "modality", "MG", "from", isoDay, "to", isoDay,
          "intervalSeconds", INTERVAL, "sendBack", true);
      assertNames(put(http, admin, dimseWatch, with(dimse, "readsFromReports", true)).expect(409), "DICOMweb");
      put(http, admin, dimseWatch, dimse).expect(200);
      JsonNode overNode = await(http, admin, dimseWatch, v -> v.path("predicted").asInt() + v.path("failed").asInt()
          >= thatDay.size());
      assertEquals(thatDay.size(), overNode.path("predicted").asInt(), overNode.toString());
      assertEquals(thatDay.size(), overNode.path("sent").asInt(), overNode.toString());
      Map<String, double[]> overWeb = recordedProbabilities(api, deployment);
      Map<String, double[]> overDicom = recordedProbabilities(api, overDimse);
      for (String study : thatDay) {
        double[] web = overWeb.get(pseudonym(home, study));
        double[] dicom = overDicom.get(pseudonym(home, study));
        for (int c = 0; c < 4; c++) {
          assertEquals(web[c], dicom[c], 1e-6, "the same pixels over either protocol: " + study);
        }
      }
      for (JsonNode c : overNode.path("recent")) {
        Path report = tmp.resolve("over-dimse.dcm");
        Files.write(report, orthancInstance(hostPort, c.path("reportUid").asText()));
        assertEquals("SR", dcmdump(report, "Modality").get("Modality"), "stored with C-STORE, kept by Orthanc");
      }

      // Stopped: the watch is gone, what it recorded stays.
      http.post(watch + "/remove", admin, "{}").expect(200);
      http.get(watch, admin).expect(404);
      assertEquals(Fixtures.MIN_LABELS + 2, http.get("/api/deployments/" + deployment, admin).json()
          .path("predicted").asInt());
    } finally {
      if (api != null) {
        api.stop();
      }
      sim("down");
    }
  }

  /**
   * A radiologist's report as a reporting system would file it: a Comprehensive SR in the study, by a person (no
   * Manufacturer), with a finding coded by the use case's local codes, built here with PixelMed's own SR classes.
   */
  private static byte[] radiologistReport(String study, String patientId, String... codes) throws Exception {
    com.pixelmed.dicom.ContentItemFactory f = new com.pixelmed.dicom.ContentItemFactory();
    com.pixelmed.dicom.ContentItem root = f.makeContainerContentItem(null, null,
        new com.pixelmed.dicom.CodedSequenceItem("18748-4", "LN", "Diagnostic imaging report"), true);
    for (String code : codes) {
      f.makeCodeContentItem(root, "CONTAINS", new com.pixelmed.dicom.CodedSequenceItem("121071", "DCM", "Finding"),
          new com.pixelmed.dicom.CodedSequenceItem(code, "99RADLAB", "Density " + code));
    }
    com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.StructuredReport(root).getAttributeList();
    String sop = "2.25." + new java.math.BigInteger(1, java.security.MessageDigest.getInstance("SHA-256")
        .digest((study + String.join(",", codes)).getBytes(StandardCharsets.UTF_8))).shiftRight(160);
    Map<com.pixelmed.dicom.AttributeTag, String> values = new LinkedHashMap<>();
    values.put(com.pixelmed.dicom.TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.88.33");
    values.put(com.pixelmed.dicom.TagFromName.SOPInstanceUID, sop);
    values.put(com.pixelmed.dicom.TagFromName.StudyInstanceUID, study);
    values.put(com.pixelmed.dicom.TagFromName.SeriesInstanceUID, sop + ".1");
    values.put(com.pixelmed.dicom.TagFromName.Modality, "SR");
    values.put(com.pixelmed.dicom.TagFromName.PatientID, patientId);
    values.put(com.pixelmed.dicom.TagFromName.CompletionFlag, "COMPLETE");
    values.put(com.pixelmed.dicom.TagFromName.VerificationFlag, "UNVERIFIED");
    for (var e : values.entrySet()) {
      com.pixelmed.dicom.Attribute a = com.pixelmed.dicom.AttributeFactory.newAttribute(e.getKey());
      a.addValue(e.getValue());
      list.put(a);
    }
    com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list,
        com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, "TEST");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    list.write(out, com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, true, true);
    return out.toByteArray();
  }

  /** Stores one object in Orthanc with its own REST API, through the bridge. */
  private void storeInOrthanc(int port, byte[] dicom) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + port + "/instances")).header("Authorization", orthancAuth()).header("Content-Type", "application/dicom")
        .POST(HttpRequest.BodyPublishers.ofByteArray(dicom)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  private String orthancAuth() throws IOException {
    String password = Files.readString(tmp.resolve("pacs-sim/password")).strip();
    return "Basic " + Base64.getEncoder().encodeToString(("radlab:" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The case id of an original study: the site secret's pseudonym, as prep computes it (checked above). */
  private static String pseudonym(Path home, String study) throws IOException {
    return new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(home.resolve("site-secret")))
        .uid(study);
  }

  /** The mean over a study's prepared images of Run's probabilities (prep's tensors), in category order. */
  private static double[] meanOverImages(Http http, String token, long model, long dataset, String study) {
    JsonNode images = http.get("/api/datasets/" + dataset + "/images?study=" + study, token).expect(200).json();
    double[] sum = new double[4];
    for (JsonNode image : images) {
      JsonNode p = http.post("/api/models/" + model + "/predict", token, Map.of("datasetId", dataset, "imageId",
          image.path("imageId").asText())).expect(200).json().path("probabilities");
      for (int c = 0; c < 4; c++) {
        sum[c] += p.path(List.of("A", "B", "C", "D").get(c)).asDouble();
      }
    }
    assertEquals(4, images.size());
    for (int c = 0; c < 4; c++) {
      sum[c] /= images.size();
    }
    return sum;
  }

  /** The probabilities the deployment recorded per case, read from its database row. */
  private static Map<String, double[]> recordedProbabilities(ControlApi api, long deployment) throws IOException {
    Map<String, double[]> out = new HashMap<>();
    for (var c : api.database().dao(org.radlab.api.db.DeploymentDao.class).cases(deployment)) {
      JsonNode values = JSON.readTree(c.probabilities());
      double[] p = new double[values.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = values.get(i).asDouble();
      }
      out.put(c.caseId(), p);
    }
    return out;
  }

  /** One instance's file from Orthanc's own REST API (not DICOMweb), through the bridge. */
  private byte[] orthancInstance(int port, String sopInstanceUid) throws Exception {
    String auth = orthancAuth();
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> found = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/tools/find")).header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofString(
            JSON.writeValueAsString(Map.of("Level", "Instance", "Query", Map.of("SOPInstanceUID", sopInstanceUid)))))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, found.statusCode(), found.body());
    JsonNode ids = JSON.readTree(found.body());
    assertEquals(1, ids.size(), "Orthanc holds the report " + sopInstanceUid + ": " + found.body());
    HttpResponse<byte[]> file = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/instances/" + ids.get(0).asText() + "/file")).header("Authorization", auth).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    return file.body();
  }

  private static JsonNode await(Http http, String token, String path, Predicate<JsonNode> until) {
    Instant end = Instant.now().plus(Duration.ofMinutes(5)); // patience on a busy machine, not a limit
    JsonNode last = null;
    while (Instant.now().isBefore(end)) {
      last = http.get(path, token).expect(200).json();
      if (until.test(last)) {
        return last;
      }
      Fixtures.sleep(250);
    }
    throw new AssertionError("the watch did not get there; last: " + last);
  }

  /** Replaces an owner-only file at once, so a poll never reads half of it. */
  private static void replace(Path file, String text) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static Http.Response put(Http http, String token, String path, Map<String, Object> body)
      throws IOException {
    return http.method("PUT", path, token, JSON.writeValueAsString(body), "application/json");
  }

  private static void assertNames(Http.Response refused, String what) {
    assertTrue(refused.detail().contains(what), "the refusal names " + what + ": " + refused.detail());
  }

  private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(body);
    m.put(key, value);
    return m;
  }

  private static String csv(String header, Map<String, String> rows) {
    StringBuilder b = new StringBuilder(header).append('\n');
    rows.forEach((k, v) -> b.append(k).append(',').append(v).append('\n'));
    return b.toString();
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      best = p[i] > p[best] ? i : best;
    }
    return best;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static List<Path> dicomFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  /** Attributes by keyword, as dcmtk's dcmdump reads the file. */
  private static Map<String, String> dcmdump(Path file, String... keywords) throws Exception {
    List<String> command = new ArrayList<>(List.of("dcmdump", "-q", "-Un"));
    for (String k : keywords) {
      command.addAll(List.of("+P", k));
    }
    command.add(file.toString());
    Run r = run(command, Map.of());
    assertEquals(0, r.code(), r.output());
    Map<String, String> values = new HashMap<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[([^\\]]*)\\]\\s+#.*?\\s(\\w+)\\s*$",
        java.util.regex.Pattern.MULTILINE).matcher(r.output());
    while (m.find()) {
      values.putIfAbsent(m.group(2), m.group(1));
    }
    for (String k : keywords) {
      assertTrue(values.containsKey(k), k + " in " + r.output());
    }
    return values;
  }

  record Run(int code, String output) {}

  private Run sim(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SIM.toString()));
    command.addAll(List.of(args));
    return run(command, Map.of("RADLAB_PACS_NAME", NAME, "RADLAB_PACS_WORK", tmp.resolve("pacs-sim").toString()));
  }

  private static Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().putAll(env);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }
}
