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
