package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.launch.JavaCommand;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkJvmFlags;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * {@code radlab pull} against a real PACS: Debian's Orthanc with its DICOMweb plugin, started by bench/pacs-sim in a
 * network namespace of its own (Orthanc listens on every interface, so it gets one that has only a loopback), and
 * the pull run inside that namespace as a child process, as a user runs it. What the PACS holds is known here from
 * the files loaded into it: their bytes (SHA-256) and their headers as dcmtk's dcmdump reads them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PullTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SIM = ROOT.resolve("bench/pacs-sim");
  private static final String NAME = "rpacst" + (ProcessHandle.current().pid() % 10000);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path sources;
  static String password;
  /** Orthanc's DICOM port, and the port a C-MOVE pull listens on as AE {@link #DIMSE_AET}. */
  static int dicomPort;
  static int movePort;
  /** RadLab's AE title for the DIMSE pulls, which bench/pacs-sim registers in Orthanc. */
  private static final String DIMSE_AET = "RADLABD";

  @BeforeAll
  static void up() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // a free number here; the namespace has its own ports, so any number would do
    }
    dicomPort = port + 1;
    movePort = port + 2;
    Run up = sim("up", "--http-port", String.valueOf(port), "--dicom-port", String.valueOf(dicomPort), "--modality",
        DIMSE_AET + ":" + movePort);
    assertEquals(0, up.code(), up.output());
    sources = tmp.resolve("pacs-sim/pacs.json");
    password = Files.readString(tmp.resolve("pacs-sim/password")).strip();
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", tmp.resolve("mg").toString(), "--studies",
        "3", "--seed", "31", "--rows", "96", "--columns", "80"));
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", tmp.resolve("ct").toString(), "--modality",
        "CT", "--studies", "1", "--slices", "8", "--rows", "64", "--seed", "32"));
    Run load = sim("load", tmp.resolve("mg").toString(), tmp.resolve("ct").toString());
    assertEquals(0, load.code(), load.output());
    assertTrue(load.output().contains("stored=" + (dicomFiles(tmp.resolve("mg")).size()
        + dicomFiles(tmp.resolve("ct")).size())), load.output());
  }

  @AfterAll
  static void down() throws Exception {
    sim("down");
    assertFalse(run(List.of("ip", "netns", "list"), Map.of()).output().contains(NAME), "the namespace is gone");
  }

  @Test
  @Order(1)
  void pullsTheMatchingStudiesByteForByteThenOnlyWhatIsNew() throws Exception {
    Path out = tmp.resolve("pulled");
    Run mg = pull("--out", out.toString(), "--modality", "MG");
    assertEquals(0, mg.code(), mg.output());
    JsonNode summary = summary(mg);
    assertEquals(3, summary.path("matched").asInt(), mg.output());
    assertEquals(3, summary.path("pulled").asInt());
    assertEquals(12, summary.path("instances").asInt());
    assertEquals(hashes(dicomFiles(tmp.resolve("mg"))), hashes(dicomFiles(out)), "the mammograms, as stored");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)),
        "identifiable DICOM: the folder is its owner's only");
    assertFalse(mg.output().contains(password), "the password is never printed");
    // each study in a folder named by its StudyInstanceUID, each file by its SOPInstanceUID (as dcmdump reads them)
    for (Path f : dicomFiles(out)) {
      Map<String, String> h = dcmdump(f, "StudyInstanceUID", "SOPInstanceUID");
      assertEquals(out.resolve(h.get("StudyInstanceUID")).resolve(h.get("SOPInstanceUID") + ".dcm"), f);
    }

    Map<Path, FileTime> before = times(out);
    Run all = pull("--out", out.toString());
    assertEquals(0, all.code(), all.output());
    assertEquals(3, summary(all).path("alreadyPulled").asInt(), all.output());
    assertEquals(1, summary(all).path("pulled").asInt(), "the CT series only");
    assertEquals(dicomFiles(tmp.resolve("ct")).size(), summary(all).path("instances").asInt());
    assertEquals(before, times(out).entrySet().stream().filter(e -> before.containsKey(e.getKey()))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
        "nothing pulled before was written again");

    // A study that grew on the PACS (one more instance, made with dcmtk): only the new instance comes.
    Path grown = dicomFiles(tmp.resolve("mg")).get(0);
    Path extra = tmp.resolve("extra/extra.dcm");
    Files.createDirectories(extra.getParent());
    Files.copy(grown, extra);
    Run modify = run(List.of("dcmodify", "-nb", "-m", "(0008,0018)=1.2.826.0.1.3680043.10.999.1", extra.toString()),
        Map.of());
    assertEquals(0, modify.code(), modify.output());
    assertEquals(0, sim("load", extra.getParent().toString()).code());
    Run again = pull("--out", out.toString(), "--modality", "MG");
    assertEquals(0, again.code(), again.output());
    assertEquals(1, summary(again).path("pulled").asInt(), again.output());
    assertEquals(1, summary(again).path("instances").asInt());
    assertEquals(4, summary(again).path("instancesAlreadyThere").asInt());
    String study = dcmdump(grown, "StudyInstanceUID").get("StudyInstanceUID");
    assertTrue(Files.isRegularFile(out.resolve(study).resolve("1.2.826.0.1.3680043.10.999.1.dcm")));

    // Prep reads the folder as usual: every instance an image, none rejected, the pull's own state skipped.
    Path dataset = tmp.resolve("dataset");
    Run prep = radlab(List.of("prep", "--input", out.toString(), "--dataset", dataset.toString()),
        Map.of("RADLAB_HOME", tmp.resolve("home").toString()));
    assertEquals(0, prep.code(), prep.output());
    JsonNode prepared = JSON.readTree(dataset.resolve("summary.json").toFile());
    assertEquals(dicomFiles(tmp.resolve("mg")).size() + dicomFiles(tmp.resolve("ct")).size() + 1,
        prepared.path("images").asInt(), prepared.toString());
    assertEquals(0, prepared.path("rejected").asInt(), prepared.toString());
    assertTrue(prepared.path("skippedHidden").asInt() > 0, "the pull's record is a hidden file: " + prepared);
  }

  @Test
  @Order(2)
  void datesAndListsSelectWhatTheHeadersSay() throws Exception {
    List<Path> mg = dicomFiles(tmp.resolve("mg"));
    Map<String, String> dates = new TreeMap<>(); // study -> date, from dcmdump
    for (Path f : mg) {
      Map<String, String> h = dcmdump(f, "StudyInstanceUID", "StudyDate");
      dates.put(h.get("StudyInstanceUID"), h.get("StudyDate"));
    }
    String day = dates.values().iterator().next();
    long sameDay = dates.values().stream().filter(day::equals).count();
    String iso = day.substring(0, 4) + "-" + day.substring(4, 6) + "-" + day.substring(6);
    Path nowhere = tmp.resolve("dry");
    Run dry = pull("--out", nowhere.toString(), "--from", iso, "--to", iso, "--modality", "MG", "--dry-run");
    assertEquals(0, dry.code(), dry.output());
    assertEquals(sameDay, summary(dry).path("matched").asLong(), dry.output());
    assertFalse(Files.exists(nowhere), "a dry run writes nothing");

    List<String> studies = new ArrayList<>(dates.keySet());
    Path csv = tmp.resolve("list.csv");
    Files.writeString(csv, "study_uid\n" + studies.get(0) + "\n" + studies.get(1) + "\n1.2.3.4.5.6.7\n");
    Path listed = tmp.resolve("listed");
    Run list = pull("--out", listed.toString(), "--studies", csv.toString());
    assertEquals(0, list.code(), list.output());
    assertEquals(2, summary(list).path("pulled").asInt(), list.output());
    assertEquals("[\"1.2.3.4.5.6.7\"]", summary(list).path("notFound").toString());
    try (Stream<Path> dirs = Files.list(listed)) {
      assertEquals(new TreeSet<>(studies.subList(0, 2)), dirs.map(d -> d.getFileName().toString())
          .filter(n -> !n.startsWith(".")).collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
    }
    Run bad = pull("--out", listed.toString(), "--from", "2024-13-01");
    assertEquals(2, bad.code(), bad.output());
    assertTrue(bad.output().contains("--from must be a date as YYYY-MM-DD"), bad.output());
  }

  @Test
  @Order(3)
  void refusedCredentialsAnUnreachablePacsAndAnOpenSourcesFileFailClearlyAndWriteNothing() throws Exception {
    JsonNode source = JSON.readTree(sources.toFile()).path("sources").path("pacs-sim");
    Path out = tmp.resolve("never");

    Path wrong = privateFile("wrong.json", source.path("url").asText(), "radlab", "not-" + password);
    Run refused = pull("--sources", wrong.toString(), "--out", out.toString());
    assertEquals(2, refused.code(), refused.output());
    assertTrue(refused.output().contains("refused the credentials of user 'radlab'")
        && refused.output().contains("HTTP 401"), refused.output());
    assertFalse(refused.output().contains(password), "no password is printed, right or wrong");

    Path closed = privateFile("closed.json", "http://127.0.0.1:9/dicom-web", "radlab", password);
    Run unreachable = pull("--sources", closed.toString(), "--out", out.toString());
    assertEquals(2, unreachable.code(), unreachable.output());
    assertTrue(unreachable.output().contains("cannot reach PACS source 'pacs-sim' (http://127.0.0.1:9/dicom-web"),
        unreachable.output());

    Path open = privateFile("open.json", source.path("url").asText(), "radlab", password);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Run exposed = pull("--sources", open.toString(), "--out", out.toString());
    assertEquals(2, exposed.code(), exposed.output());
    assertTrue(exposed.output().contains("chmod 600"), exposed.output());
    assertFalse(Files.exists(out), "nothing written by a pull that could not start");
  }

  /**
   * A hostile or broken DICOMweb server (a real HTTP server here, on 127.0.0.1): a study "UID" that climbs out of the
   * folder, and a study whose parts are not DICOM. Nothing is written outside the folder, the first is a failure
   * with its reason, and the second's parts are kept under names of their own for prep to reject.
   */
  @Test
  @Order(4)
  void aHostilePacsWritesNothingOutsideTheFolder() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String boundary = "b0undary";
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      if (path.equals("/dicom-web/studies")) {
        body = ("[{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"../../escaped\"]}},"
            + " {\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2.3.9\"]},"
            + " \"00201208\": {\"vr\": \"IS\", \"Value\": [2]}}]").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
      } else if (path.equals("/dicom-web/studies/1.2.3.9")) {
        body = ("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\nnot dicom at all\r\n--" + boundary
            + "\r\nContent-Type: application/dicom\r\n\r\n../../../etc/passwd\r\n--" + boundary + "--\r\n")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "multipart/related; type=\"application/dicom\"; boundary="
            + boundary);
      } else {
        body = new byte[0];
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      Path file = privateFile("hostile.json", "http://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web",
          null, null);
      Path base = tmp.resolve("hostile");
      Path out = base.resolve("a/b/pulled");
      Run r = radlab(List.of("pull", "--sources", file.toString(), "--out", out.toString()), Map.of());
      assertEquals(1, r.code(), r.output());
      JsonNode failed = summary(r).path("failed");
      assertEquals(1, failed.size(), r.output());
      assertEquals("../../escaped", failed.get(0).path("studyUid").asText());
      assertTrue(failed.get(0).path("reason").asText().contains("not a DICOM UID"), r.output());
      try (Stream<Path> all = Files.walk(base)) {
        Set<String> written = new TreeSet<>();
        all.filter(Files::isRegularFile).forEach(p -> written.add(base.relativize(p).toString()));
        assertEquals(Set.of("a/b/pulled/1.2.3.9/unreadable-0.dcm", "a/b/pulled/1.2.3.9/unreadable-1.dcm",
            "a/b/pulled/.radlab-pull/pulled.csv"), written);
      }
    } finally {
      server.stop(0);
    }
  }

  /** A server that ignores QIDO-RS's offset would page forever: the pull stops at the repeated page and says why. */
  @Test
  @Order(5)
  void aPacsThatIgnoresOffsetStopsThePullWithItsReason() throws Exception {
    StringBuilder page = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      page.append(i == 0 ? "" : ",").append("{\"0020000D\": {\"vr\": \"UI\", \"Value\": [\"1.2.3.").append(i)
          .append("\"]}}");
    }
    byte[] body = page.append("]").toString().getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    server.createContext("/", exchange -> {
      asked.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      Path file = privateFile("repeating.json", "http://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web",
          null, null);
      Path out = tmp.resolve("repeating");
      Run r = radlab(List.of("pull", "--sources", file.toString(), "--out", out.toString()), Map.of());
      assertEquals(2, r.code(), r.output());
      assertTrue(r.output().contains("does not page with offset"), r.output());
      assertEquals(2, asked.get(), "the first page, then the repeated one");
      assertFalse(Files.exists(out));
    } finally {
      server.stop(0);
    }
  }

  /**
   * A model's predictions go back to the PACS as DICOM SR, one per study, filed into the original studies (by the
   * original UIDs, and by a dataset's pseudonyms re-identified through its id map); a pull then brings the reports
   * back as new instances of their studies, and dcmtk's dsrdump reads them without a warning.
   */
  @Test
  @Order(6)
  void predictionsGoBackAsStructuredReportsThatDcmtkReads() throws Exception {
    Map<String, String> patients = new TreeMap<>(); // original study -> PatientID, from dcmdump
    for (Path f : dicomFiles(tmp.resolve("mg"))) {
      Map<String, String> h = dcmdump(f, "StudyInstanceUID", "PatientID");
      patients.put(h.get("StudyInstanceUID"), h.get("PatientID"));
    }
    List<String> studies = new ArrayList<>(patients.keySet());
    Path csv = tmp.resolve("predictions.csv");
    Files.writeString(csv, "study,reference,A,B,C,D\n" + studies.get(0) + ",B,0.1,0.6,0.2,0.1\n" + studies.get(1)
        + ",C,0.05,0.15,0.3,0.5\n2.25.999,A,0.25,0.25,0.25,0.25\n");
    Path reports = tmp.resolve("reports");
    Run send = pull("send", "--predictions", csv.toString(), "--model", "density-test", "--out",
        reports.toString());
    assertEquals(1, send.code(), "one study is not on the PACS: " + send.output());
    JsonNode summary = summary(send);
    assertEquals(2, summary.path("stored").asInt(), send.output());
    assertEquals("2.25.999", summary.path("failed").get(0).path("study").asText());
    assertTrue(summary.path("failed").get(0).path("error").asText().contains("does not hold"), send.output());

    // Back from the PACS: each study grew by one instance, the report.
    Path back = tmp.resolve("pulled");
    Run again = pull("--out", back.toString(), "--modality", "MG");
    assertEquals(0, again.code(), again.output());
    assertEquals(2, summary(again).path("instances").asInt(), again.output());
    for (int i = 0; i < 2; i++) {
      JsonNode report = summary.path("reports").get(i);
      String study = report.path("study").asText();
      Path sr = back.resolve(study).resolve(report.path("sopInstanceUid").asText() + ".dcm");
      assertTrue(Files.isRegularFile(sr), "the report came back with its study: " + sr);
      assertEquals(hashes(List.of(reports.resolve(study + ".dcm"))), hashes(List.of(sr)), "as it was sent");
      Map<String, String> h = dcmdump(sr, "Modality", "PatientID", "StudyInstanceUID", "SOPClassUID");
      assertEquals("SR", h.get("Modality"));
      assertEquals(patients.get(study), h.get("PatientID"), "the patient as the PACS holds the study");
      assertEquals(study, h.get("StudyInstanceUID"));
      assertEquals("1.2.840.10008.5.1.4.1.1.88.33", h.get("SOPClassUID"));
      Run dsr = run(List.of("dsrdump", "+Pc", sr.toString()), Map.of());
      assertEquals(0, dsr.code(), dsr.output());
      assertFalse(dsr.output().matches("(?s).*^[WE]: .*"), "dsrdump warns: " + dsr.output());
      assertTrue(dsr.output().contains("Diagnostic imaging report"), dsr.output());
      String predicted = i == 0 ? "B" : "D";
      assertEquals(predicted, report.path("predicted").asText());
      assertTrue(dsr.output().contains("(121071,DCM,\"Finding\")=(" + predicted + ",99RADLAB,\"" + predicted
          + "\")"), dsr.output());
      assertTrue(dsr.output().contains(i == 0 ? "=\"0.6\"" : "=\"0.5\""), dsr.output());
    }

    // The same result sent again is the same object: the PACS keeps one, so nothing new comes back.
    Run twice = pull("send", "--predictions", csv.toString(), "--model", "density-test");
    assertEquals(summary.path("reports"), summary(twice).path("reports"), twice.output());
    Run nothingNew = pull("--out", back.toString(), "--modality", "MG");
    assertEquals(0, summary(nothingNew).path("pulled").asInt(), nothingNew.output());

    // A PACS that is a DICOM node: each study's attributes by C-FIND, the reports stored by C-STORE; they come back
    // over DICOMweb with the same data sets and the patient the PACS holds.
    Path node = dimseSources("dimse-send.json", Map.of("host", "127.0.0.1", "port", dicomPort, "aet", "RADLABPACS",
        "callingAet", DIMSE_AET));
    Path dimseReports = tmp.resolve("reports-dimse");
    Run overDimse = pull("send", "--sources", node.toString(), "--predictions", csv.toString(), "--model",
        "density-dimse", "--out", dimseReports.toString());
    assertEquals(1, overDimse.code(), "one study is not on the PACS: " + overDimse.output());
    JsonNode byCStore = summary(overDimse);
    assertEquals(2, byCStore.path("stored").asInt(), overDimse.output());
    assertTrue(byCStore.path("failed").get(0).path("error").asText().contains("does not hold"), overDimse.output());
    Run cameBack = pull("--out", back.toString(), "--modality", "MG");
    assertEquals(2, summary(cameBack).path("instances").asInt(), "the two reports: " + cameBack.output());
    for (JsonNode report : byCStore.path("reports")) {
      String study = report.path("study").asText();
      Path sr = back.resolve(study).resolve(report.path("sopInstanceUid").asText() + ".dcm");
      assertEquals(dataSets(List.of(dimseReports.resolve(study + ".dcm"))), dataSets(List.of(sr)), "as it was sent");
      assertEquals(patients.get(study), dcmdump(sr, "PatientID").get("PatientID"), "the patient C-FIND gave");
    }

    // By a dataset's pseudonyms: re-identified through the id map, each report files into an original study.
    List<String> pseudonyms = org.radlab.core.dataset.ImageList.read(tmp.resolve("dataset/images.csv")).stream()
        .map(org.radlab.core.dataset.ImageList.Entry::studyUid).distinct().toList();
    StringBuilder byPseudonym = new StringBuilder("study,A,B\n");
    pseudonyms.forEach(u -> byPseudonym.append(u).append(",0.3,0.7\n"));
    Path pseudonymCsv = tmp.resolve("pseudonyms.csv");
    Files.writeString(pseudonymCsv, byPseudonym.toString());
    Path reidentified = tmp.resolve("reidentified");
    Path assist = tmp.resolve("assist.xml");
    Files.writeString(assist, "<assistModule xmlns=\"urn:radlab:assist-module:1\" useCase=\"two\">"
        + "<finding category=\"A\" cde=\"RDE9001.1\"><reportText>Nothing to see.</reportText></finding>"
        + "<finding category=\"B\" cde=\"RDE9001.2\"><reportText>Dense tissue; consider more imaging.</reportText>"
        + "</finding></assistModule>");
    Run viaDataset = pull("send", "--predictions", pseudonymCsv.toString(), "--model", "two-class", "--dataset",
        tmp.resolve("dataset").toString(), "--assist", assist.toString(), "--out", reidentified.toString());
    assertEquals(0, viaDataset.code(), viaDataset.output());
    String tree = run(List.of("dsrdump", "+Pc", "+Pl", reidentified.resolve(pseudonyms.get(0) + ".dcm").toString()),
        Map.of()).output();
    assertTrue(tree.contains("(121071,DCM,\"Finding\")=(RDE9001.2,RADELEMENT,\"B\")"), tree);
    assertTrue(tree.contains("(121073,DCM,\"Impression\")=\"Dense tissue; consider more imaging.\""), tree);
    Set<String> originals = new TreeSet<>(patients.keySet());
    for (Path f : dicomFiles(tmp.resolve("ct"))) {
      originals.add(dcmdump(f, "StudyInstanceUID").get("StudyInstanceUID"));
    }
    Set<String> filedInto = new TreeSet<>();
    for (String u : pseudonyms) {
      filedInto.add(dcmdump(reidentified.resolve(u + ".dcm"), "StudyInstanceUID").get("StudyInstanceUID"));
    }
    assertEquals(originals, filedInto, "one report in each original study, none under a pseudonym");
  }

  /**
   * A PACS without DICOMweb sends studies over the DICOM protocol: Orthanc C-STOREs a study to {@code radlab
   * receive}, which lands every instance in the inbox in pull's layout, drops a copy sent again, and stops cleanly.
   */
  @Test
  @Order(7)
  void orthancSendsAStudyToTheReceiverOverCStore() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path inbox = tmp.resolve("inbox");
    Path log = tmp.resolve("receive.log");
    List<String> command = new ArrayList<>(List.of(SIM.toString(), "exec", "--"));
    command.addAll(javaCommand(List.of("receive", "--inbox", inbox.toString(), "--port", String.valueOf(port),
        "--aet", "RADLABT")));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(simEnvironment());
    Process receiver = builder.start();
    try {
      awaitLog(log, "receive: listening as AE RADLABT", receiver);
      String url = Files.readAllLines(tmp.resolve("pacs-sim/state")).stream().filter(l -> l.startsWith("url="))
          .findFirst().orElseThrow().substring(4);
      Run modality = orthanc("PUT", url + "/modalities/radlab", "{\"AET\": \"RADLABT\", \"Host\": \"127.0.0.1\", "
          + "\"Port\": " + port + "}");
      assertEquals(0, modality.code(), modality.output());
      List<Path> ct = dicomFiles(tmp.resolve("ct"));
      String study = dcmdump(ct.get(0), "StudyInstanceUID").get("StudyInstanceUID");
      Run lookup = orthanc("POST", url + "/tools/lookup", study);
      assertEquals(0, lookup.code(), lookup.output());
      String id = JSON.readTree(lookup.output()).get(0).path("ID").asText();
      Run store = orthanc("POST", url + "/modalities/radlab/store", id);
      assertEquals(0, store.code(), store.output());
      int sent = JSON.readTree(store.output()).path("InstancesCount").asInt();

      Set<String> expected = new TreeSet<>();
      for (Path f : ct) {
        expected.add(dcmdump(f, "SOPInstanceUID").get("SOPInstanceUID") + ".dcm");
      }
      Path folder = inbox.resolve(study);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // patience, not a limit
      while ((!Files.isDirectory(folder) || names(folder).size() < sent) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Set<String> received = names(folder);
      assertEquals(sent, received.size(), "every instance Orthanc sent: " + received);
      assertTrue(received.containsAll(expected), received.toString());
      for (String name : received) {
        if (!expected.contains(name)) {
          assertEquals("SR", dcmdump(folder.resolve(name), "Modality").get("Modality"), "the report sent earlier");
        }
      }
      // the same study again: nothing new, nothing rewritten
      Map<Path, FileTime> before = times(inbox);
      assertEquals(0, orthanc("POST", url + "/modalities/radlab/store", id).code());
      assertEquals(received, names(folder));
      assertEquals(before, times(inbox));
      awaitLog(log, sent + " sent again", receiver);

      // A sender whose C-STORE names its object "../../../victim.dcm" (the SOP Instance UID the request carries, set
      // with dcmtk's dcmodify): the file of that name outside the inbox stays as it was, and the object lands in
      // unreadable/ under a visible name, for prep to reject.
      Path victim = tmp.resolve("victim.dcm");
      Files.writeString(victim, "not to be touched");
      Path evil = tmp.resolve("evil/evil.dcm");
      Files.createDirectories(evil.getParent());
      Files.copy(ct.get(0), evil);
      Run renamed = run(List.of("dcmodify", "-nb", "-m", "(0008,0018)=../../../victim.dcm", evil.toString()),
          Map.of());
      assertEquals(0, renamed.code(), renamed.output());
      Run storescu = run(List.of(SIM.toString(), "exec", "--", "storescu", "-aec", "RADLABT", "127.0.0.1",
          String.valueOf(port), evil.toString()), simEnvironment());
      assertEquals(0, storescu.code(), storescu.output());
      awaitLog(log, "1 unreadable", receiver);
      assertEquals("not to be touched", Files.readString(victim));
      Set<String> unreadable = names(inbox.resolve("unreadable"));
      assertEquals(1, unreadable.size(), unreadable.toString());
      assertFalse(unreadable.iterator().next().startsWith("."), "prep sees it: " + unreadable);
    } finally {
      receiver.destroy();
      assertTrue(receiver.waitFor(60, TimeUnit.SECONDS), "the receiver stops on SIGTERM");
    }
    assertTrue(Files.readString(log).contains("receive: stopped after"), Files.readString(log));
  }

  /**
   * A PACS without DICOMweb: the same pull over DIMSE, a study-level C-FIND then one C-GET per study, from Orthanc's
   * DICOM port. What arrives is what was loaded, a second pull fetches nothing, and a study missing an instance here
   * gets only that one. (Orthanc re-encodes a sequence's length when it sends over DIMSE, and a file's meta header is
   * the receiver's own, so the files are compared as dcmtk writes their data sets with explicit lengths: every
   * attribute's value, pixel data and transfer syntax included.)
   */
  @Test
  @Order(-3)
  void dimsePullsByCGetWhatWasLoadedThenOnlyWhatIsMissing() throws Exception {
    Path file = dimseSources("dimse-get.json", Map.of("host", "127.0.0.1", "port", dicomPort, "aet", "RADLABPACS",
        "callingAet", DIMSE_AET));
    Path out = tmp.resolve("dimse-get");
    Run get = pull("--sources", file.toString(), "--out", out.toString(), "--modality", "MG");
    assertEquals(0, get.code(), get.output());
    JsonNode summary = summary(get);
    List<Path> mg = dicomFiles(tmp.resolve("mg"));
    assertEquals(3, summary.path("matched").asInt(), get.output());
    assertEquals(3, summary.path("pulled").asInt(), get.output());
    assertEquals(mg.size(), summary.path("instances").asInt(), get.output());
    List<String> loaded = dataSets(mg);
    assertEquals(loaded, dataSets(dicomFiles(out)), "the mammograms, as loaded into the PACS");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    for (Path f : dicomFiles(out)) {
      Map<String, String> h = dcmdump(f, "StudyInstanceUID", "SOPInstanceUID");
      assertEquals(out.resolve(h.get("StudyInstanceUID")).resolve(h.get("SOPInstanceUID") + ".dcm"), f);
    }
    try (Stream<Path> left = Files.list(out.resolve(".radlab-pull/partial"))) {
      assertEquals(0, left.count(), "nothing left half-way");
    }

    Map<Path, FileTime> before = times(out);
    Run again = pull("--sources", file.toString(), "--out", out.toString(), "--modality", "MG");
    assertEquals(0, again.code(), again.output());
    assertEquals(3, summary(again).path("alreadyPulled").asInt(), again.output());
    assertEquals(0, summary(again).path("pulled").asInt(), again.output());
    assertEquals(before, times(out), "nothing written again");

    // A study with fewer instances here than the PACS reports (one removed here, as if it grew there) is retrieved
    // again into its own folder, and only the missing instance is added; no hidden landing folder is left in it.
    Path removed = dicomFiles(out).get(0);
    Path study = removed.getParent();
    int inStudy = names(study).size();
    Files.delete(removed);
    Map<Path, FileTime> kept = times(out);
    Run grown = pull("--sources", file.toString(), "--out", out.toString(), "--modality", "MG");
    assertEquals(0, grown.code(), grown.output());
    assertEquals(1, summary(grown).path("pulled").asInt(), grown.output());
    assertEquals(1, summary(grown).path("instances").asInt(), grown.output());
    assertEquals(inStudy - 1, summary(grown).path("instancesAlreadyThere").asInt(), grown.output());
    assertEquals(inStudy, names(study).size(), "the study's files, and nothing hidden: " + names(study));
    assertTrue(Files.isRegularFile(removed));
    assertEquals(loaded, dataSets(dicomFiles(out)), "the mammograms, as loaded, again");
    Map<Path, FileTime> after = times(out);
    kept.forEach((f, t) -> assertEquals(t, after.get(f), "not written again: " + f));
  }

  /**
   * C-MOVE, for a PACS that does not do C-GET: the pull listens as RadLab's AE title on the port the PACS knows it by
   * (bench/pacs-sim registered it), and asks the PACS to move each study there; here one study, listed by its
   * accession number (dcmdump's), with a number the PACS does not know.
   */
  @Test
  @Order(-2)
  void dimsePullsAStudyListedByAccessionNumberByCMove() throws Exception {
    List<Path> ct = dicomFiles(tmp.resolve("ct"));
    Map<String, String> h = dcmdump(ct.get(0), "StudyInstanceUID", "AccessionNumber");
    Path csv = tmp.resolve("accessions.csv");
    Files.writeString(csv, "accession_number\n" + h.get("AccessionNumber") + "\nNOSUCH0001\n");
    Path file = dimseSources("dimse-move.json", Map.of("host", "127.0.0.1", "port", dicomPort, "aet", "RADLABPACS",
        "callingAet", DIMSE_AET, "retrieve", "C-MOVE", "receivePort", movePort));
    Path out = tmp.resolve("dimse-move");
    Run move = pull("--sources", file.toString(), "--out", out.toString(), "--studies", csv.toString());
    assertEquals(0, move.code(), move.output());
    assertTrue(move.output().contains("listening as AE " + DIMSE_AET + " on port " + movePort), move.output());
    JsonNode summary = summary(move);
    assertEquals(1, summary.path("pulled").asInt(), move.output());
    assertEquals("[\"NOSUCH0001\"]", summary.path("notFound").toString());
    assertEquals(Set.of(h.get("StudyInstanceUID")), names(out).stream().filter(n -> !n.startsWith("."))
        .collect(java.util.stream.Collectors.toSet()));
    assertEquals(dataSets(ct), dataSets(dicomFiles(out)), "the CT study, as loaded into the PACS");
    assertFalse(Files.exists(out.resolve(".radlab-pull/moved")), "the receiver's landing folder is gone");
  }

  /**
   * A PACS that refuses the association (another called AE title), one that is not there, one that never answers,
   * and a source file with a DIMSE source half filled in: exit status 2, a message that says which, nothing written.
   */
  @Test
  @Order(-1)
  void dimseRejectedUnreachableAndHalfFilledSourcesFailClearly() throws Exception {
    Path out = tmp.resolve("dimse-never");
    Path wrong = dimseSources("dimse-wrong.json", Map.of("host", "127.0.0.1", "port", dicomPort, "aet", "NOTTHEPACS",
        "callingAet", DIMSE_AET));
    Run rejected = pull("--sources", wrong.toString(), "--out", out.toString());
    assertEquals(2, rejected.code(), rejected.output());
    assertTrue(rejected.output().contains("rejected the association") && rejected.output().contains("'NOTTHEPACS'")
        && rejected.output().contains("called AE Title not recognized"), rejected.output());

    Path closed = dimseSources("dimse-closed.json", Map.of("host", "127.0.0.1", "port", 9, "aet", "RADLABPACS",
        "callingAet", DIMSE_AET));
    Run unreachable = pull("--sources", closed.toString(), "--out", out.toString());
    assertEquals(2, unreachable.code(), unreachable.output());
    assertTrue(unreachable.output().contains("cannot reach PACS source 'pacs-sim' (DICOM AE RADLABPACS at"
        + " 127.0.0.1:9"), unreachable.output());

    // A node that accepts the connection and then says nothing (a real socket, here on 127.0.0.1): given up once
    // nothing came for the idle time (shortened to 2 s for the test), not waited for forever.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Path mute = dimseSources("dimse-mute.json", Map.of("host", "127.0.0.1", "port", silent.getLocalPort(), "aet",
          "RADLABPACS", "callingAet", DIMSE_AET));
      List<String> command = new ArrayList<>(javaCommand(List.of("pull", "--sources", mute.toString(), "--out",
          out.toString())));
      command.add(1, "-Dradlab.dimse.idleSeconds=2");
      Run silence = run(command, Map.of());
      assertEquals(2, silence.code(), silence.output());
      assertTrue(silence.output().contains("stopped answering (C-FIND every study): nothing came for 2 s"),
          silence.output());
    }

    Path half = dimseSources("dimse-half.json", Map.of("host", "127.0.0.1", "aet", "RADLABPACS"));
    Run halfFilled = pull("--sources", half.toString(), "--out", out.toString());
    assertEquals(2, halfFilled.code(), halfFilled.output());
    assertTrue(halfFilled.output().contains("DIMSE source 'pacs-sim' lacks port"), halfFilled.output());
    assertFalse(Files.exists(out), "nothing written by a pull that could not start");
  }

  private static Path dimseSources(String name, Map<String, Object> source) throws IOException {
    Path f = tmp.resolve(name);
    Files.writeString(f, JSON.writeValueAsString(Map.of("sources", Map.of("pacs-sim", source))));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  /**
   * SHA-256 of each file's data set as dcmtk's dcmconv writes it with explicit lengths and no meta header
   * ({@code +e -F}): the same for two files exactly when every attribute, in its transfer syntax, is the same.
   */
  private static List<String> dataSets(List<Path> files) throws Exception {
    List<Path> normalized = new ArrayList<>();
    for (Path f : files) {
      Path n = Files.createTempFile(tmp, "dataset", ".dcm");
      Run conv = run(List.of("dcmconv", "+e", "-F", f.toString(), n.toString()), Map.of());
      assertEquals(0, conv.code(), conv.output());
      normalized.add(n);
    }
    return hashes(normalized);
  }

  /**
   * A PACS query as prep's input: the CT study is pulled into the dataset's private folder and converted; the same
   * command again pulls and converts nothing new.
   */
  @Test
  @Order(8)
  void prepTakesAPacsQueryAsItsInput() throws Exception {
    Path home = tmp.resolve("home-query");
    Files.createDirectories(home);
    Files.copy(sources, home.resolve("pacs.json"));
    Files.setPosixFilePermissions(home.resolve("pacs.json"), PosixFilePermissions.fromString("rw-------"));
    Path dataset = tmp.resolve("from-query");
    List<String> prep = javaCommand(List.of("prep", "--input", "dicomweb://pacs-sim?modality=CT", "--dataset",
        dataset.toString()));
    Map<String, String> env = new HashMap<>(simEnvironment());
    env.put("RADLAB_HOME", home.toString());
    List<String> inside = new ArrayList<>(List.of(SIM.toString(), "exec", "--"));
    inside.addAll(prep);
    Run first = run(inside, env);
    assertEquals(0, first.code(), first.output());
    int slices = dicomFiles(tmp.resolve("ct")).size();
    JsonNode summary = JSON.readTree(dataset.resolve("summary.json").toFile());
    assertEquals(slices, summary.path("images").asInt(), summary.toString());
    Path pulled = dataset.resolve("private/pulled");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pulled)));
    assertTrue(hashes(dicomFiles(pulled)).containsAll(hashes(dicomFiles(tmp.resolve("ct")))), "the CT slices");
    assertTrue(summary.path("lastRun").path("phaseSeconds").has("pull"), summary.toString());

    Run again = run(inside, env);
    assertEquals(0, again.code(), again.output());
    assertTrue(again.output().contains("already here, 0 to retrieve"), again.output());
    JsonNode second = JSON.readTree(dataset.resolve("summary.json").toFile());
    assertEquals(slices, second.path("images").asInt(), "nothing converted twice: " + second);

    List<String> misspelt = new ArrayList<>(List.of(SIM.toString(), "exec", "--"));
    misspelt.addAll(javaCommand(List.of("prep", "--input", "dicomweb://pacs-sim?modalty=CT", "--dataset",
        tmp.resolve("never").toString())));
    Run unknown = run(misspelt, env);
    assertEquals(2, unknown.code(), unknown.output());
    assertTrue(unknown.output().contains("unknown key 'modalty'"), unknown.output());
  }

  /**
   * A detector's boxes go back as one Comprehensive SR per study: the boxes CSV the evaluate job writes (the
   * dataset's image ids, PNG pixels), re-identified through the id map and moved into the original images' pixels,
   * mirrored back on a right breast that prep mirrored. What dsrdump prints is checked against coordinates worked
   * out here from the catalog's sizes, the references against the id map (read here with core's own Parquet reader).
   */
  @Test
  @Order(9)
  void detectedBoxesGoBackAsStructuredReportsOnTheOriginalImages() throws Exception {
    LesionDataset d = lesionDataset();
    // a study of the mammograms: one left image (not mirrored) and one right image (mirrored), each with a box
    String study = d.mammogramStudies().get(0);
    List<String> images = d.imagesOf(study);
    String left = images.stream().filter(i -> !d.catalog().get(i).mirrored()).findFirst().orElseThrow();
    String right = images.stream().filter(i -> d.catalog().get(i).mirrored()).findFirst().orElseThrow();
    StringBuilder csv = new StringBuilder("image,x_min,y_min,x_max,y_max,label,score\n");
    csv.append(left).append(",10,20,30,40,mass,0.9\n");
    csv.append(right).append(",10,20,30,40,calcification,0.8\n");
    csv.append(right).append(",1,2,3,4,mass,0.2\n"); // below --min-score: not sent
    images.stream().filter(i -> !i.equals(left) && !i.equals(right)).forEach(i -> csv.append(i).append(",,,,,,\n"));
    String quiet = d.mammogramStudies().get(1); // read, nothing found: a report without findings
    d.imagesOf(quiet).forEach(i -> csv.append(i).append(",,,,,,\n"));
    csv.append("00000000000000000000,1,1,2,2,mass,0.9\n"); // not an image of the dataset
    Path predictions = tmp.resolve("boxes-predictions.csv");
    Files.writeString(predictions, csv.toString());
    Path assist = tmp.resolve("lesions-assist.xml");
    Files.writeString(assist, "<assistModule xmlns=\"urn:radlab:assist-module:1\" useCase=\"lesions\">"
        + "<finding category=\"mass\" cde=\"RDE9002.1\"><reportText>A mass.</reportText></finding>"
        + "<finding category=\"calcification\" cde=\"RDE9002.2\"><reportText>Calcifications.</reportText></finding>"
        + "</assistModule>");
    Path reports = tmp.resolve("box-reports");
    Run send = pull("send", "--task", "detection", "--predictions", predictions.toString(), "--model", "masses-test",
        "--dataset", d.dir().toString(), "--assist", assist.toString(), "--out", reports.toString());
    assertEquals(1, send.code(), "one image is not in the dataset: " + send.output());
    JsonNode summary = summary(send);
    assertEquals(2, summary.path("stored").asInt(), send.output());
    assertEquals("00000000000000000000", summary.path("failed").get(0).path("image").asText(), send.output());
    assertTrue(summary.path("failed").get(0).path("error").asText().contains("not an image of dataset"));

    // The boxes in the original pixels: sizes from the catalog; x mirrored back on the right breast.
    ImageListEntry l = d.catalog().get(left);
    ImageListEntry r = d.catalog().get(right);
    double sx = (double) l.columns() / l.pngWidth();
    double sy = (double) l.rows() / l.pngHeight();
    String leftBox = polyline(10 * sx, 20 * sy, 30 * sx, 40 * sy);
    double rx = (double) r.columns() / r.pngWidth();
    double ry = (double) r.rows() / r.pngHeight();
    String rightBox = polyline(r.columns() - 30 * rx, 20 * ry, r.columns() - 10 * rx, 40 * ry);
    assertEquals("(POLYLINE,40/80,120/80,120/160,40/160,40/80)", leftBox, "the synthetic images are 192 x 256,"
        + " their PNGs 48 x 64: four original pixels to a PNG pixel");
    assertEquals("(POLYLINE,72/80,152/80,152/160,72/160,72/80)", rightBox);

    String studyUid = d.originals().get(left)[0];
    Path back = tmp.resolve("box-reports-pulled");
    Path wanted = tmp.resolve("box-studies.csv");
    Files.writeString(wanted, "study_uid\n" + studyUid + "\n" + d.originals().get(d.imagesOf(quiet).get(0))[0] + "\n");
    Run pulled = pull("--out", back.toString(), "--studies", wanted.toString());
    assertEquals(0, pulled.code(), pulled.output());
    JsonNode report = null;
    for (JsonNode rep : summary.path("reports")) {
      if (rep.path("study").asText().equals(study)) {
        report = rep;
      }
    }
    assertTrue(report != null, "a report on study " + study + ": " + send.output());
    assertEquals(2, report.path("boxes").asInt());
    Path sr = back.resolve(studyUid).resolve(report.path("sopInstanceUid").asText() + ".dcm");
    assertTrue(Files.isRegularFile(sr), "the report came back with its original study: " + sr);
    assertEquals(hashes(List.of(reports.resolve(study + ".dcm"))), hashes(List.of(sr)), "as it was sent");
    Map<String, String> h = dcmdump(sr, "Modality", "PatientID", "StudyInstanceUID", "SOPClassUID");
    assertEquals("SR", h.get("Modality"));
    assertEquals("1.2.840.10008.5.1.4.1.1.88.33", h.get("SOPClassUID"));
    assertEquals(studyUid, h.get("StudyInstanceUID"));
    assertEquals(d.patients().get(studyUid), h.get("PatientID"), "the patient as the PACS holds the study");
    Run dsr = run(List.of("dsrdump", "-v", "+Pc", "+Pl", "+Pu", sr.toString()), Map.of());
    assertEquals(0, dsr.code(), dsr.output());
    assertFalse(dsr.output().matches("(?s).*^[WE]: .*"), "dsrdump warns: " + dsr.output());
    List<String> lines = dsr.output().lines().map(String::strip).toList();
    int mass = indexOf(lines, "(121071,DCM,\"Finding\")=(RDE9002.1,RADELEMENT,\"mass\")");
    assertTrue(lines.get(mass + 1).contains("(score,99RADLAB,\"Detection score\")=\"0.9\""), dsr.output());
    assertTrue(lines.get(mass + 2).contains("(111030,DCM,\"Image Region\")=" + leftBox), dsr.output());
    assertTrue(lines.get(mass + 3).startsWith("<selected from IMAGE:") && lines.get(mass + 3).contains(
        "\"" + d.originals().get(left)[2] + "\""), "the left image, by its original UID: " + dsr.output());
    int calcification = indexOf(lines, "(121071,DCM,\"Finding\")=(RDE9002.2,RADELEMENT,\"calcification\")");
    assertTrue(lines.get(calcification + 1).contains("\"Detection score\")=\"0.8\""), dsr.output());
    assertTrue(lines.get(calcification + 2).contains("=" + rightBox), dsr.output());
    assertTrue(lines.get(calcification + 3).contains("\"" + d.originals().get(right)[2] + "\""), dsr.output());
    assertEquals(2, lines.stream().filter(x -> x.contains("(121071,DCM,\"Finding\")")).count(),
        "the box scoring 0.2 is left out: " + dsr.output());
    assertTrue(dsr.output().contains("(121073,DCM,\"Impression\")=\"A mass. Calcifications.\""), dsr.output());
    // every image read is evidence, by its original UID
    Set<String> evidence = new TreeSet<>(dcmdumpAll(sr, "ReferencedSOPInstanceUID"));
    Set<String> originals = new TreeSet<>();
    images.forEach(i -> originals.add(d.originals().get(i)[2]));
    assertEquals(originals, evidence);
    assertEquals(originals, new TreeSet<>(d.sopsOf(studyUid)), "the originals are the study's files");

    // The study where nothing was found gets a report without findings.
    JsonNode none = null;
    for (JsonNode rep : summary.path("reports")) {
      if (rep.path("study").asText().equals(quiet)) {
        none = rep;
      }
    }
    assertTrue(none != null && none.path("boxes").asInt() == 0, send.output());
    String quietUid = d.originals().get(d.imagesOf(quiet).get(0))[0];
    String empty = run(List.of("dsrdump", "+Pc", back.resolve(quietUid).resolve(none.path("sopInstanceUid").asText()
        + ".dcm").toString()), Map.of()).output();
    assertFalse(empty.contains("Finding"), empty);

    // Sent twice: the same objects, which the PACS keeps once.
    Run twice = pull("send", "--task", "detection", "--predictions", predictions.toString(), "--model", "masses-test",
        "--dataset", d.dir().toString(), "--assist", assist.toString());
    assertEquals(summary.path("reports"), summary(twice).path("reports"), twice.output());
    Run nothingNew = pull("--out", back.toString(), "--studies", wanted.toString());
    assertEquals(0, summary(nothingNew).path("pulled").asInt(), nothingNew.output());
  }

  /**
   * A segmenter's masks go back as one DICOM SEG per series, referencing the original images, the masks moved from
   * the PNGs' pixels to the originals' (nearest neighbour; a right breast mirrored back). The expected masks are
   * worked out here: the CT slices are 128 x 128 with 64 x 64 PNGs (a PNG pixel is 2 x 2 original pixels), the
   * mammograms 192 x 256 with 48 x 64 PNGs (4 x 4).
   */
  @Test
  @Order(10)
  void predictedMasksGoBackAsSegmentationsOfTheOriginalImages() throws Exception {
    LesionDataset d = lesionDataset();
    List<String> slices = d.imagesOf(d.ctStudy());
    String a = slices.get(0);
    String b = slices.get(1);
    String c = slices.get(2);
    String right = d.imagesOf(d.mammogramStudies().get(0)).stream().filter(i -> d.catalog().get(i).mirrored())
        .findFirst().orElseThrow();
    byte[] ma = new byte[64 * 64];
    fill(ma, 64, 10, 4, 20, 10, 1); // columns 10..19, rows 4..9: liver
    byte[] mb = new byte[64 * 64];
    fill(mb, 64, 40, 30, 48, 34, 2); // columns 40..47, rows 30..33: lesion
    byte[] mr = new byte[48 * 64];
    fill(mr, 48, 2, 10, 6, 13, 1); // columns 2..5, rows 10..12 of the mirrored PNG
    Path predictions = tmp.resolve("mask-predictions.csv");
    Files.writeString(predictions, "image,width,height,runs\n" + a + ",64,64," + runs(ma) + "\n" + b + ",64,64,"
        + runs(mb) + "\n" + c + ",64,64," + runs(new byte[64 * 64]) + "\n" + right + ",48,64," + runs(mr) + "\n");
    Path segs = tmp.resolve("segs");
    Run send = pull("send", "--task", "segmentation", "--predictions", predictions.toString(), "--classes",
        "liver,lesion", "--model", "liver-test", "--dataset", d.dir().toString(), "--out", segs.toString());
    assertEquals(0, send.code(), send.output());
    JsonNode summary = summary(send);
    assertEquals(2, summary.path("stored").asInt(), "one SEG per series: the CT's and the mammograms': "
        + send.output());

    // expected, in the originals' pixels
    byte[] ea = new byte[128 * 128];
    fill(ea, 128, 20, 8, 40, 20, 1);
    byte[] eb = new byte[128 * 128];
    fill(eb, 128, 80, 60, 96, 68, 2);
    byte[] er = new byte[192 * 256];
    fill(er, 192, 192 - 6 * 4, 10 * 4, 192 - 2 * 4, 13 * 4, 1); // PNG columns 2..5 are original 184..168, mirrored

    String ctStudy = d.originals().get(a)[0];
    String mgStudy = d.originals().get(right)[0];
    Path wanted = tmp.resolve("seg-studies.csv");
    Files.writeString(wanted, "study_uid\n" + ctStudy + "\n" + mgStudy + "\n");
    Path back = tmp.resolve("segs-pulled");
    Run pulled = pull("--out", back.toString(), "--studies", wanted.toString());
    assertEquals(0, pulled.code(), pulled.output());
    Map<String, Path> byStudy = new HashMap<>();
    for (JsonNode seg : summary.path("segmentations")) {
      String original = seg.path("study").asText().equals(d.catalog().get(a).studyUid()) ? ctStudy : mgStudy;
      Path f = back.resolve(original).resolve(seg.path("sopInstanceUid").asText() + ".dcm");
      assertTrue(Files.isRegularFile(f), "the SEG came back with its original study: " + f);
      assertEquals(hashes(List.of(segs.resolve(seg.path("study").asText() + "-" + seg.path("series").asText()
          + ".dcm"))), hashes(List.of(f)), "as it was sent");
      byStudy.put(original, f);
    }
    Path ct = byStudy.get(ctStudy);
    Run dump = run(List.of("dcmdump", "-q", ct.toString()), Map.of());
    assertEquals(0, dump.code(), dump.output());
    assertFalse(dump.output().matches("(?s).*^[WE]: .*"), "dcmdump warns: " + dump.output());
    Map<String, String> h = dcmdump(ct, "SOPClassUID", "Modality", "StudyInstanceUID", "PatientID",
        "NumberOfFrames", "SegmentationType", "FrameOfReferenceUID");
    assertEquals("1.2.840.10008.5.1.4.1.1.66.4", h.get("SOPClassUID"));
    assertEquals("SEG", h.get("Modality"));
    assertEquals(ctStudy, h.get("StudyInstanceUID"));
    assertEquals(d.patients().get(ctStudy), h.get("PatientID"), "the patient as the PACS holds the study");
    assertTrue(dump.output().contains("(0028,0010) US 128 "), "Rows: " + dump.output());
    assertTrue(dump.output().contains("(0028,0011) US 128 "), "Columns: " + dump.output());
    assertEquals("6", h.get("NumberOfFrames"), "two segments of three slices");
    assertEquals("BINARY", h.get("SegmentationType"));
    Path slice = d.files().get(d.originals().get(a)[2]);
    assertEquals(dcmdump(slice, "FrameOfReferenceUID").get("FrameOfReferenceUID"), h.get("FrameOfReferenceUID"),
        "placed in the slices' frame of reference");
    Set<String> referenced = new TreeSet<>(dcmdumpAll(ct, "ReferencedSOPInstanceUID"));
    Set<String> expected = new TreeSet<>(List.of(d.originals().get(a)[2], d.originals().get(b)[2],
        d.originals().get(c)[2]));
    assertEquals(expected, referenced, "the original slices, by their own UIDs");
    for (String sop : expected) {
      assertTrue(d.files().containsKey(sop) && d.sopsOf(ctStudy).contains(sop), "an original slice: " + sop);
    }
    var read = org.radlab.core.dicom.SegmentationReader.read(ct, List.of("liver", "lesion"));
    assertEquals(3, read.masks().size());
    assertMask(ea, read.masks().get(new org.radlab.core.dicom.SegmentationReader.Source(d.originals().get(a)[2],
        null)), "slice a");
    assertMask(eb, read.masks().get(new org.radlab.core.dicom.SegmentationReader.Source(d.originals().get(b)[2],
        null)), "slice b");
    assertMask(new byte[128 * 128], read.masks().get(new org.radlab.core.dicom.SegmentationReader.Source(
        d.originals().get(c)[2], null)), "slice c, nothing found");

    Path mg = byStudy.get(mgStudy);
    assertEquals(mgStudy, dcmdump(mg, "StudyInstanceUID").get("StudyInstanceUID"));
    assertEquals(Set.of(d.originals().get(right)[2]), new TreeSet<>(dcmdumpAll(mg, "ReferencedSOPInstanceUID")));
    var mgRead = org.radlab.core.dicom.SegmentationReader.read(mg, List.of("liver", "lesion"));
    assertMask(er, mgRead.masks().get(new org.radlab.core.dicom.SegmentationReader.Source(
        d.originals().get(right)[2], null)), "the right mammogram, mirrored back");

    // Sent twice: the same objects, kept once.
    Run twice = pull("send", "--task", "segmentation", "--predictions", predictions.toString(), "--classes",
        "liver,lesion", "--model", "liver-test", "--dataset", d.dir().toString());
    assertEquals(summary.path("segmentations"), summary(twice).path("segmentations"), twice.output());
    Run nothingNew = pull("--out", back.toString(), "--studies", wanted.toString());
    assertEquals(0, summary(nothingNew).path("pulled").asInt(), nothingNew.output());
  }

  /** The catalog fields these tests use. */
  private record ImageListEntry(String studyUid, int rows, int columns, int pngWidth, int pngHeight,
      boolean mirrored) {}

  /**
   * Mammograms with lesions and a CT series, loaded into the PACS and prepared (PNGs of at most 64 pixels a side)
   * into a dataset: its catalog, and its id map (image id to original study, series and SOP Instance UID) read with
   * core's Parquet reader; the originals' files by SOP Instance UID and patients by study, as dcmdump reads them.
   */
  private record LesionDataset(Path dir, Map<String, ImageListEntry> catalog, Map<String, String[]> originals,
      Map<String, Path> files, Map<String, String> patients, List<String> mammogramStudies, String ctStudy) {
    List<String> imagesOf(String pseudonymousStudy) {
      return catalog.entrySet().stream().filter(e -> e.getValue().studyUid().equals(pseudonymousStudy))
          .map(Map.Entry::getKey).sorted().toList();
    }

    List<String> sopsOf(String originalStudy) {
      return originals.values().stream().filter(o -> o[0].equals(originalStudy)).map(o -> o[2]).toList();
    }
  }

  private static LesionDataset lesionDataset;

  private static synchronized LesionDataset lesionDataset() throws Exception {
    if (lesionDataset != null) {
      return lesionDataset;
    }
    Path input = tmp.resolve("lesions-input");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.resolve("mg").toString(), "--studies",
        "2", "--seed", "41", "--rows", "256", "--columns", "192", "--lesions"));
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.resolve("ct").toString(), "--modality",
        "CT", "--studies", "1", "--slices", "8", "--rows", "128", "--seed", "42"));
    Run load = sim("load", input.toString());
    assertEquals(0, load.code(), load.output());
    Path dir = tmp.resolve("lesions-dataset");
    Run prep = radlab(List.of("prep", "--input", input.toString(), "--dataset", dir.toString(), "--png-long-edge",
        "64"), Map.of("RADLAB_HOME", tmp.resolve("home").toString()));
    assertEquals(0, prep.code(), prep.output());
    Map<String, ImageListEntry> catalog = new TreeMap<>();
    for (org.radlab.core.dataset.ImageList.Entry e : org.radlab.core.dataset.ImageList.read(dir.resolve(
        "images.csv"))) {
      catalog.put(e.imageId(), new ImageListEntry(e.studyUid(), e.rows(), e.columns(), e.pngWidth(), e.pngHeight(),
          e.mirrored()));
    }
    Map<String, String[]> originals = new TreeMap<>();
    try (Stream<Path> parts = Files.walk(dir.resolve("private/id-map.parquet"))) {
      for (Path part : parts.filter(f -> f.toString().endsWith(".parquet") && Files.isRegularFile(f)).toList()) {
        org.radlab.core.parquet.ParquetFile table = org.radlab.core.parquet.ParquetFile.open(part);
        for (int g = 0; g < table.rowGroups(); g++) {
          List<Object> ids = table.column(g, "image_id");
          List<Object> studies = table.column(g, "orig_study_uid");
          List<Object> series = table.column(g, "orig_series_uid");
          List<Object> sops = table.column(g, "orig_sop_uid");
          for (int i = 0; i < ids.size(); i++) {
            originals.put(text(ids.get(i)), new String[] {text(studies.get(i)), text(series.get(i)),
                text(sops.get(i))});
          }
        }
      }
    }
    assertEquals(catalog.keySet(), originals.keySet(), "the id map names every image of the catalog");
    Map<String, Path> files = new HashMap<>();
    Map<String, String> patients = new HashMap<>();
    String ctStudy = null;
    for (Path f : dicomFiles(input)) {
      Map<String, String> h = dcmdump(f, "SOPInstanceUID", "StudyInstanceUID", "PatientID", "Modality");
      files.put(h.get("SOPInstanceUID"), f);
      patients.put(h.get("StudyInstanceUID"), h.get("PatientID"));
    }
    List<String> mammograms = new ArrayList<>();
    for (var e : catalog.entrySet()) {
      String sop = originals.get(e.getKey())[2];
      String modality = dcmdump(files.get(sop), "Modality").get("Modality");
      String pseudonym = e.getValue().studyUid();
      if (modality.equals("CT")) {
        ctStudy = pseudonym;
      } else if (!mammograms.contains(pseudonym)) {
        mammograms.add(pseudonym);
      }
    }
    assertEquals(2, mammograms.size());
    lesionDataset = new LesionDataset(dir, catalog, originals, files, patients, mammograms, ctStudy);
    return lesionDataset;
  }

  private static String text(Object parquetValue) {
    return new String((byte[]) parquetValue, StandardCharsets.UTF_8);
  }

  /** The line of {@code lines} containing {@code text}, which must be there once. */
  private static int indexOf(List<String> lines, String text) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        at.add(i);
      }
    }
    assertEquals(1, at.size(), "once: " + text + " in " + String.join("\n", lines));
    return at.get(0);
  }

  /** A box as dsrdump prints its SCOORD: a closed polyline of (column/row) points, whole numbers here. */
  private static String polyline(double x0, double y0, double x1, double y1) {
    long a = Math.round(x0);
    long b = Math.round(y0);
    long c = Math.round(x1);
    long e = Math.round(y1);
    assertEquals(x0, a, 1e-9);
    assertEquals(y1, e, 1e-9);
    return "(POLYLINE," + a + "/" + b + "," + c + "/" + b + "," + c + "/" + e + "," + a + "/" + e + "," + a + "/" + b
        + ")";
  }

  /** Sets class {@code value} in columns {@code x0..x1-1}, rows {@code y0..y1-1} of a row-major mask. */
  private static void fill(byte[] mask, int width, int x0, int y0, int x1, int y1, int value) {
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        mask[y * width + x] = (byte) value;
      }
    }
  }

  /** A mask's runs as a mask CSV holds them: CLASS*LENGTH, row by row. */
  private static String runs(byte[] mask) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < mask.length) {
      int j = i;
      while (j < mask.length && mask[j] == mask[i]) {
        j++;
      }
      out.append(out.length() > 0 ? " " : "").append(mask[i]).append('*').append(j - i);
      i = j;
    }
    return out.toString();
  }

  private static void assertMask(byte[] expected, org.radlab.core.dataset.LabelMask actual, String what) {
    assertTrue(actual != null, what + ": no mask");
    int differ = 0;
    for (int i = 0; i < expected.length; i++) {
      differ += expected[i] == actual.labels()[i] ? 0 : 1;
    }
    assertEquals(expected.length, actual.labels().length, what);
    assertEquals(0, differ, what + ": pixels differ from the expected mask");
  }

  /** Every value of one attribute anywhere in the file (nested sequences too), as dcmdump prints them. */
  private static List<String> dcmdumpAll(Path file, String name) throws Exception {
    Run r = run(List.of("dcmdump", "-q", "-Un", "+P", name, file.toString()), Map.of());
    assertEquals(0, r.code(), r.output());
    List<String> values = new ArrayList<>();
    Matcher m = Pattern.compile("\\[([^\\]]*)\\]\\s+#.*?\\s" + name + "\\s*$", Pattern.MULTILINE).matcher(r.output());
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  private static Set<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(
          TreeSet::new));
    }
  }

  /** Orthanc's own REST API, from inside its namespace, with the simulated PACS's credentials. */
  private static Run orthanc(String method, String url, String body) throws Exception {
    return run(List.of(SIM.toString(), "exec", "--", "curl", "-sS", "--fail-with-body", "--netrc-file",
        tmp.resolve("pacs-sim/netrc").toString(), "-X", method, "--data-binary", body, url), simEnvironment());
  }

  private static void awaitLog(Path log, String text, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      String now = Files.exists(log) ? Files.readString(log) : "";
      if (now.contains(text)) {
        return;
      }
      assertTrue(process.isAlive(), "the receiver exited: " + now);
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' in " + Files.readString(log));
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static Path privateFile(String name, String url, String user, String pw) throws IOException {
    Map<String, Object> s = new HashMap<>();
    s.put("url", url);
    if (user != null) {
      s.put("user", user);
      s.put("password", pw);
    }
    Path f = tmp.resolve(name);
    Files.writeString(f, JSON.writeValueAsString(Map.of("sources", Map.of("pacs-sim", s))));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  /**
   * {@code radlab pull} (or {@code radlab send}, when the first argument says so) inside the PACS's namespace, with
   * the sources file bench/pacs-sim wrote.
   */
  private static Run pull(String... args) throws Exception {
    List<String> given = new ArrayList<>(List.of(args));
    List<String> command = new ArrayList<>(List.of(given.get(0).equals("send") ? given.remove(0) : "pull"));
    if (!given.contains("--sources")) {
      command.addAll(List.of("--sources", sources.toString()));
    }
    command.addAll(given);
    List<String> inside = new ArrayList<>(List.of(SIM.toString(), "exec", "--"));
    inside.addAll(javaCommand(command));
    return run(inside, simEnvironment());
  }

  private static Run radlab(List<String> args, Map<String, String> env) throws Exception {
    return run(javaCommand(args), env);
  }

  private static List<String> javaCommand(List<String> args) {
    List<String> command = new ArrayList<>(List.of(JavaCommand.executable()));
    command.addAll(SparkJvmFlags.LIST);
    command.addAll(List.of("-Xmx1g", "-cp", SparkClasspath.join(SparkClasspath.ofRunningJvm()),
        RadLab.class.getName()));
    command.addAll(args);
    return command;
  }

  private static JsonNode summary(Run r) throws IOException {
    int start = r.output().indexOf("{\n");
    assertTrue(start >= 0, "no JSON summary in: " + r.output());
    return JSON.readTree(r.output().substring(start, r.output().lastIndexOf('}') + 1));
  }

  private static Run sim(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SIM.toString()));
    command.addAll(List.of(args));
    return run(command, simEnvironment());
  }

  private static Map<String, String> simEnvironment() {
    return Map.of("RADLAB_PACS_NAME", NAME, "RADLAB_PACS_WORK", tmp.resolve("pacs-sim").toString(),
        "RADLAB_HOME", tmp.resolve("home").toString());
  }

  private static List<Path> dicomFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".dcm") && !f.toString().contains("/.")).sorted().toList();
    }
  }

  private static List<String> hashes(List<Path> files) throws Exception {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      out.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
    }
    return out.stream().sorted().toList();
  }

  private static Map<Path, FileTime> times(Path dir) throws IOException {
    Map<Path, FileTime> t = new HashMap<>();
    for (Path f : dicomFiles(dir)) {
      t.put(f, Files.getLastModifiedTime(f));
    }
    return t;
  }

  /** The named attributes' values, as dcmtk's dcmdump prints them. */
  private static Map<String, String> dcmdump(Path file, String... names) throws Exception {
    List<String> command = new ArrayList<>(List.of("dcmdump", "-q", "-Un"));
    for (String n : names) {
      command.addAll(List.of("+P", n));
    }
    command.add(file.toString());
    Run r = run(command, Map.of());
    assertEquals(0, r.code(), r.output());
    Map<String, String> values = new HashMap<>();
    Matcher m = Pattern.compile("\\[([^\\]]*)\\]\\s+#.*?\\s(\\w+)\\s*$", Pattern.MULTILINE).matcher(r.output());
    while (m.find()) {
      values.putIfAbsent(m.group(2), m.group(1));
    }
    for (String n : names) {
      assertTrue(values.containsKey(n), n + " in " + r.output());
    }
    return values;
  }

  private static Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "run", ".log");
    builder.redirectOutput(out.toFile());
    Process p = builder.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish: " + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }

  private record Run(int code, String output) {}
}
