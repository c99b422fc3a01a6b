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
 * {@code kill -9} of the server while jobs are queued and running, then a restart on the same workspace: no job is
 * lost or left RUNNING without a process, accepted annotations are all there, and SQLite's integrity check passes.
 */
class CrashRecoveryTest {
  @TempDir Path tmp;

  @Test
  void aKilledServerRestartsWithEveryJobAccountedFor() throws Exception {
    Path home = tmp.resolve("home");
    Path log = tmp.resolve("server.log");
    List<Long> pids = new ArrayList<>();
    ServerProcess first = ServerProcess.start(home, log, "--max-jobs", "2", "--master", "local[1]");
    try {
      Http http = new Http(first.port);
      String admin = first.firstToken;
      assertNotNull(admin, "the first start writes the admin token to its file");
      long dataset = Fixtures.dataset(http, admin, "crash", Fixtures.synth(tmp.resolve("dicom"), 100, 3));
      List<String> studies = Fixtures.studies(http, admin, dataset);
      Map<String, String> reference = new LinkedHashMap<>();
      for (int i = 0; i < studies.size(); i++) {
        reference.put(studies.get(i), List.of("A", "B", "C", "D").get(i % 4));
      }
      http.post("/api/datasets/" + dataset + "/reference-labels?useCaseId=1", admin, Map.of("labels", reference))
          .expect(200);
      String reader = Fixtures.participant(http, admin, "reader");
      for (int i = 0; i < 30; i++) {
        http.post("/api/annotate/1/" + dataset + "/studies/" + studies.get(i), reader, Map.of("code", "B"))
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

      try (ServerProcess second = ServerProcess.start(home, log, "--max-jobs", "2", "--master", "local[1]")) {
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
        assertEquals(30, again.get("/api/annotations?useCaseId=1", reader).json().path("total").asInt(),
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
