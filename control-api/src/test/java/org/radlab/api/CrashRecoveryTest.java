package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.launch.ProcessTrees;

/**
 * {@code kill -9} of the server while jobs are queued and running, or while labels are being written, then a restart on
 * the same workspace: no job is lost or left RUNNING without a process, every answered label write is there, and
 * SQLite's integrity check passes.
 */
class CrashRecoveryTest {
  @TempDir Path tmp;

  /**
   * Several participants change labels concurrently; the server is killed with {@code kill -9} at a random moment.
   * After a restart, every write that got a 2xx answer is there with its answered value (SQLite in WAL mode with
   * {@code synchronous=FULL}: a commit is on disk before the answer). A write in flight at the kill may or may not
   * have landed: the stored label is then the answered one or the one in flight, never an older one.
   */
  @Test
  void everyAnsweredLabelWriteSurvivesAKill9() throws Exception {
    Path home = tmp.resolve("home-labels");
    Path log = tmp.resolve("labels.log");
    ServerProcess first = ServerProcess.start(home, log);
    Map<String, Map<String, String>> answered = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Map<String, String>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> tokens = new ArrayList<>();
    long dataset;
    int writes;
    try {
      Http http = new Http(first.port);
      String admin = first.firstToken;
      dataset = Fixtures.dataset(http, admin, "labels", Fixtures.synth(tmp.resolve("dicom-labels"), 12, 5));
      List<String> studies = Fixtures.studies(http, admin, dataset);
      for (int w = 0; w < 4; w++) {
        tokens.add(Fixtures.participant(http, admin, "writer" + w));
      }
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (String token : tokens) {
        Map<String, String> mine = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, String> pending = new java.util.concurrent.ConcurrentHashMap<>();
        answered.put(token, mine);
        inFlight.put(token, pending);
        Thread t = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            String study = studies.get(i % studies.size());
            String code = List.of("A", "B", "C", "D").get((i / studies.size() + tokens.indexOf(token)) % 4);
            pending.put(study, code);
            try {
              int status = http.post("/api/annotate/1/" + dataset + "/studies/" + study, token, Map.of("code", code))
                  .status();
              if (status == 200 || status == 201) {
                mine.put(study, code);
                pending.remove(study);
                count.incrementAndGet();
              }
            } catch (RuntimeException e) {
              return; // the server is gone: this write was never answered
            }
          }
        });
        writers.add(t);
        t.start();
      }
      // a random moment once writes are flowing
      while (count.get() < 40) {
        Fixtures.sleep(5);
      }
      Fixtures.sleep(new java.util.Random().nextInt(1500));
      first.kill9();
      stop.set(true);
      for (Thread t : writers) {
        t.join(60_000);
      }
      writes = count.get();
    } finally {
      first.close();
    }
    assertTrue(writes > 40, "writes were answered before the kill: " + writes);

    try (ServerProcess second = ServerProcess.start(home, log)) {
      Http again = new Http(second.port);
      int checked = 0;
      for (String token : tokens) {
        Map<String, String> stored = new LinkedHashMap<>();
        for (JsonNode a : again.get("/api/annotations?useCaseId=1&limit=1000", token).expect(200).json()
            .path("annotations")) {
          stored.put(a.path("studyUid").asText(), a.path("code").asText());
        }
        for (var e : answered.get(token).entrySet()) {
          String pending = inFlight.get(token).get(e.getKey());
          String got = stored.get(e.getKey());
          assertTrue(e.getValue().equals(got) || (pending != null && pending.equals(got)), "study " + e.getKey()
              + ": answered " + e.getValue() + (pending == null ? "" : ", in flight " + pending) + ", stored " + got);
          checked++;
        }
      }
      assertTrue(checked >= 12, "answered labels checked: " + checked);
    }
  }

  @Test
  void aKilledServerRestartsWithEveryJobAccountedFor() throws Exception {
    Path home = tmp.resolve("home");
    Path log = tmp.resolve("server.log");
    List<Long> pids = new ArrayList<>();
    ServerProcess first = ServerProcess.start(home, log, "--max-jobs", "2", "--master", "local[1]",
        "--min-training-labels", String.valueOf(Fixtures.MIN_LABELS));
    try {
      Http http = new Http(first.port);
      String admin = first.firstToken;
      assertNotNull(admin, "the first start writes the admin token to its file");
      long dataset = Fixtures.dataset(http, admin, "crash",
          Fixtures.synth(tmp.resolve("dicom"), Fixtures.MIN_LABELS, 3));
      List<String> studies = Fixtures.studies(http, admin, dataset);
      Map<String, String> reference = new LinkedHashMap<>();
      for (int i = 0; i < studies.size(); i++) {
        reference.put(studies.get(i), List.of("A", "B", "C", "D").get(i % 4));
      }
      http.post("/api/datasets/" + dataset + "/reference-labels?useCaseId=1", admin, Map.of("labels", reference))
          .expect(200);
      String reader = Fixtures.participant(http, admin, "reader");
      for (String study : studies) {
        http.post("/api/annotate/1/" + dataset + "/studies/" + study, reader, Map.of("code", "B"))
            .expect(201);
      }
      Map<String, Object> longTrain = Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1, "labels",
          "reference", "config", Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs",
              500));
      long survivor = http.post("/api/jobs", admin, longTrain).expect(201).json().path("id").asLong();
      long victim = http.post("/api/jobs", admin, longTrain).expect(201).json().path("id").asLong();
      long waiting = http.post("/api/jobs", admin, Map.of("kind", "assess", "predictionsCsv",
          QueueAndLoadTest.PREDICTIONS, "config", Map.of("positive", List.of("malignant"), "bootstrap", 10)))
          .expect(201).json().path("id").asLong();
      for (long id : List.of(survivor, victim)) {
        pids.add(Fixtures.awaitJob(http, admin, id, Duration.ofMinutes(3),
            j -> "RUNNING".equals(j.path("status").asText()) && j.path("pid").isNumber()).path("pid").asLong());
      }
      assertEquals("QUEUED", http.get("/api/jobs/" + waiting, admin).json().path("status").asText());

      // Crash: the server dies without warning, and so does one job while the server is down.
      first.kill9();
      // The launcher shell goes first, so no exit code gets written: as when the machine itself goes down.
      ProcessHandle victimRoot = ProcessHandle.of(pids.get(1)).orElseThrow();
      List<ProcessHandle> victimTree = new ArrayList<>(List.of(victimRoot));
      victimTree.addAll(victimRoot.descendants().toList());
      victimTree.forEach(p -> ProcessTrees.kill9(p, Duration.ofSeconds(30)));
      assertTrue(ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive).orElse(false), "the survivor runs on");

      try (ServerProcess second = ServerProcess.start(home, log, "--max-jobs", "2", "--master", "local[1]",
          "--min-training-labels", String.valueOf(Fixtures.MIN_LABELS))) {
        Http again = new Http(second.port);
        assertEquals(null, second.firstToken, "no new admin on a restart");
        for (JsonNode job : again.get("/api/jobs?limit=1000", admin).expect(200).json()) {
          if ("RUNNING".equals(job.path("status").asText())) {
            long pid = job.path("pid").asLong();
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "a RUNNING job has a live process: " + job);
          }
        }
        JsonNode survived = again.get("/api/jobs/" + survivor, admin).json();
        assertEquals("RUNNING", survived.path("status").asText(), "adopted: " + survived);
        JsonNode failed = again.get("/api/jobs/" + victim, admin).json();
        assertEquals("FAILED", failed.path("status").asText(), failed.toString());
        assertTrue(failed.path("reason").asText().contains("was gone when the control API restarted"),
            failed.toString());
        JsonNode queued = Fixtures.awaitJob(again, admin, waiting, Duration.ofMinutes(3));
        assertEquals("SUCCEEDED", queued.path("status").asText(), "the queued job ran after the restart");

        assertEquals("CANCELLED", again.post("/api/jobs/" + survivor + "/cancel", admin, "").expect(200).json()
            .path("status").asText());
        assertTrue(ProcessTrees.awaitExit(ProcessHandle.of(pids.get(0)).orElseThrow(), Duration.ofSeconds(90)),
            "cancelling an adopted job stops its process");
        assertEquals(Fixtures.MIN_LABELS, again.get("/api/annotations?useCaseId=1", reader).json().path("total")
            .asInt(),
            "every accepted annotation survived");
      }
      assertTrue(java.nio.file.Files.readString(log).contains("RadLab control API stopped"),
          "SIGTERM stops the second server gracefully");
      try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("radlab.db"));
          ResultSet rs = db.createStatement().executeQuery("PRAGMA integrity_check")) {
        assertTrue(rs.next());
        assertEquals("ok", rs.getString(1));
      }
      try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("radlab.db"));
          ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM job WHERE status IN "
              + "('QUEUED', 'RUNNING')")) {
        assertTrue(rs.next());
        assertEquals(0, rs.getInt(1), "nothing left queued or running");
      }
    } finally {
      first.close();
      for (long pid : pids) {
        ProcessHandle.of(pid).ifPresent(p -> {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        });
      }
    }
    assertFalse(first.process.isAlive());
  }
}
