package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.radlab.prep.synth.SynthCommand;

/** Shared set-up for control API tests: synthetic DICOM, a registered dataset, users, waiting for jobs. */
final class Fixtures {
  static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  /** The test servers' minimum of labelled studies to train (the default, 100, only makes tests slower). */
  static final int MIN_LABELS = 12;

  private Fixtures() {}

  /**
   * A started control API on a random port over {@code home}, running one job at a time in local[2], training on
   * {@link #MIN_LABELS} labelled studies or more.
   */
  static ControlApi server(Path home) {
    return server(home, null);
  }

  /** The same, with challenges on {@code clock} (null: the system's). */
  static ControlApi server(Path home, java.time.Clock clock) {
    return ControlApi.create(new ControlApi.Settings(home, "127.0.0.1", 0, "local[2]", 1, 1 << 20, 8 << 20, Map.of(),
        MIN_LABELS, clock)).start();
  }

  /** Synthetic mammography studies (four DICOM views each) written by {@code radlab synth}. */
  static Path synth(Path dir, int studies, long seed) {
    if (Files.exists(dir.resolve("labels.csv"))) {
      return dir;
    }
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", dir.toString(), "--studies",
        String.valueOf(studies), "--seed", String.valueOf(seed), "--rows", "96", "--columns", "80");
    assertEquals(0, rc, "synth failed");
    return dir;
  }

  /** A participant created by the admin; returns their token. */
  static String participant(Http http, String admin, String name) {
    return http.post("/api/users", admin, Map.of("name", name, "role", "participant")).expect(201).json()
        .path("token").asText();
  }

  /** Registers a dataset (a real prep child job) and waits until it is ready; returns its id. */
  static long dataset(Http http, String admin, String name, Path source) {
    return dataset(http, admin, name, source.toString());
  }

  /** The same from any source prep takes (a folder, or a PACS query {@code dicomweb://SOURCE?...}). */
  static long dataset(Http http, String admin, String name, String source) {
    JsonNode r = http.post("/api/datasets", admin, Map.of("name", name, "useCaseId", 1, "source", source))
        .expect(202).json();
    long job = r.path("job").path("id").asLong();
    JsonNode done = awaitJob(http, admin, job, Duration.ofMinutes(10)); // patience on a busy machine, not a limit
    assertEquals("SUCCEEDED", done.path("status").asText(), "prep job: " + done + "\nlog:\n"
        + http.get("/api/jobs/" + job + "/log", admin).body());
    long id = r.path("dataset").path("id").asLong();
    assertEquals("ready", http.get("/api/datasets/" + id, admin).json().path("status").asText());
    return id;
  }

  /** The dataset's study UIDs in annotation order. */
  static List<String> studies(Http http, String token, long dataset) {
    List<String> uids = new ArrayList<>();
    http.get("/api/datasets/" + dataset + "/studies?limit=1000", token).expect(200).json()
        .forEach(s -> uids.add(s.path("studyUid").asText()));
    return uids;
  }

  static JsonNode awaitJob(Http http, String token, long job, Duration timeout) {
    return awaitJob(http, token, job, timeout, j -> FINISHED.contains(j.path("status").asText()));
  }

  static JsonNode awaitJob(Http http, String token, long job, Duration timeout, Predicate<JsonNode> until) {
    Instant end = Instant.now().plus(timeout);
    JsonNode last = null;
    while (Instant.now().isBefore(end)) {
      last = http.get("/api/jobs/" + job, token).expect(200).json();
      if (until.test(last)) {
        return last;
      }
      sleep(300);
    }
    fail("job " + job + " did not get there in " + timeout + "; last: " + last + "\nlog:\n"
        + http.get("/api/jobs/" + job + "/log", token).body());
    return last;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A 400 whose detail names the field, the value sent and the allowed range. */
  static void refused(Http.Response r, String field, String value, String range) {
    String detail = r.expect(400).detail();
    org.junit.jupiter.api.Assertions.assertTrue(detail.contains(field) && detail.contains(value)
        && detail.contains(range), detail);
  }

  /** How many jobs the server holds, as the admin sees them. */
  static int jobCount(Http http, String admin) {
    return http.get("/api/jobs?limit=1000", admin).json().size();
  }

  /** Cancels the jobs still running (so no child job outlives the test) and stops the server, if it started. */
  static void cancelRunningAndStop(ControlApi api, Http http, String admin) {
    if (api != null) {
      for (JsonNode job : http.get("/api/jobs?status=RUNNING", admin).json()) {
        http.post("/api/jobs/" + job.path("id").asLong() + "/cancel", admin, "");
      }
      api.stop();
    }
  }
}
