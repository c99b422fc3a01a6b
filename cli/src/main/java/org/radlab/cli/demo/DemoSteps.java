package org.radlab.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * What both demo flows do through the control API: synthesize DICOM studies, register them as datasets (prep jobs),
 * follow jobs, wait for a challenge's hidden evaluations, and number the steps they print.
 */
final class DemoSteps {
  final ApiClient api;
  final String admin;
  final Path home;
  private final Path data;
  private final PrintStream out;
  private final int steps;
  private int step;

  /**
   * @param home  the server's workspace (its site secret keys the pseudonyms)
   * @param data  where synthetic studies are written, and reused by later runs
   * @param steps how many steps the flow prints
   */
  DemoSteps(int port, String admin, Path home, Path data, PrintStream out, int steps) {
    this.api = new ApiClient(port);
    this.admin = admin;
    this.home = home;
    this.data = data;
    this.out = out;
    this.steps = steps;
  }

  PrintStream out() {
    return out;
  }

  void step(String what) {
    out.printf("%n[%d/%d] %s%n", ++step, steps, what);
  }

  /** Synthetic studies of {@code seed} (with {@code extra} synth options), made once and then reused. */
  Path synth(String name, int studies, long seed, String... extra) {
    Path dir = data.resolve(name + "-" + studies + "-" + seed + (extra.length > 0 ? "-" + String.join("", extra)
        .replace("-", "") : ""));
    if (!Files.exists(dir.resolve("labels.csv"))) {
      List<String> args = new ArrayList<>(List.of("--out", dir.toString(), "--studies", String.valueOf(studies),
          "--seed", String.valueOf(seed), "--rows", "256", "--columns", "208"));
      args.addAll(List.of(extra));
      int rc = new CommandLine(new SynthCommand()).execute(args.toArray(String[]::new));
      if (rc != 0) {
        throw new IllegalStateException("synth failed for " + dir);
      }
    }
    return dir;
  }

  /** Synthetic CT series ({@code synth --modality CT}) of {@code seed}, made once and then reused. */
  Path synthCt(String name, int series, int slices, int size, long seed) {
    Path dir = data.resolve(name + "-ct-" + series + "x" + slices + "x" + size + "-" + seed);
    if (!Files.exists(dir.resolve(org.radlab.prep.synth.SyntheticCt.VOLUMES_FILE))) {
      int rc = new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", dir.toString(), "--studies",
          String.valueOf(series), "--slices", String.valueOf(slices), "--rows", String.valueOf(size), "--seed",
          String.valueOf(seed), "--overwrite");
      if (rc != 0) {
        throw new IllegalStateException("synth failed for " + dir);
      }
    }
    return dir;
  }

  /** Registers a dataset of {@code dicom} (a prep job the server runs) and waits for it. */
  long dataset(String name, Path dicom) throws IOException {
    return dataset(name, dicom.toString());
  }

  /** The same from any source prep reads (a folder, or a PACS query {@code dicomweb://SOURCE?...}). */
  long dataset(String name, String source) throws IOException {
    JsonNode r = api.post("/api/datasets", admin, Map.of("name", name, "useCaseId", 1, "source", source));
    await(admin, r.path("job").path("id").asLong(), "prep of " + name);
    JsonNode d = api.get("/api/datasets/" + r.path("dataset").path("id").asLong(), admin);
    out.printf("   %s: dataset %d, %d studies, %d images%n", name, d.path("id").asLong(), d.path("studies").asInt(),
        d.path("images").asInt());
    return d.path("id").asLong();
  }

  /** Follows a job, printing each status it reaches; its record once it succeeded, else an error with its reason. */
  JsonNode await(String token, long job, String what) throws IOException {
    String last = "";
    while (true) {
      JsonNode j = api.get("/api/jobs/" + job, token);
      String status = j.path("status").asText();
      if (!status.equals(last)) {
        out.printf("   %s (job %d): %s%n", what, job, status);
        last = status;
      }
      if (status.equals("SUCCEEDED")) {
        return j;
      }
      if (status.equals("FAILED") || status.equals("CANCELLED")) {
        throw new IOException(what + " (job " + job + ") " + status + ": " + j.path("reason").asText());
      }
      sleep();
    }
  }

  /** A participant's trained model: its id, its card's validation and the training job's status. */
  record Trained(long model, JsonNode validation, String status) {}

  /**
   * Trains a model for {@code who} ({@code token}) on their own labels of the pool with {@code config}, waits for the
   * job, and returns their newest model of the use case.
   */
  Trained train(String token, String who, long pool, long useCase, Map<String, Object> config) throws IOException {
    JsonNode job = api.post("/api/jobs", token, Map.of("kind", "train", "datasetId", pool, "useCaseId", useCase,
        "labels", "mine", "config", config));
    JsonNode done = await(token, job.path("id").asLong(), who + " training");
    long model = api.get("/api/models?useCaseId=" + useCase, token).get(0).path("id").asLong();
    return new Trained(model, api.get("/api/models/" + model, token).path("card").path("validation"),
        done.path("status").asText());
  }

  /** Evaluates {@code model} on the pool against {@code who}'s own labels, waits, and returns its comparison row. */
  JsonNode evaluate(String token, String who, long pool, long useCase, long model) throws IOException {
    JsonNode job = api.post("/api/jobs", token, Map.of("kind", "evaluate", "datasetId", pool, "useCaseId", useCase,
        "labels", "mine", "models", List.of(model), "config", Map.of("bootstrap", 200)));
    await(token, job.path("id").asLong(), who + " evaluation");
    return api.get("/api/jobs/" + job.path("id").asLong() + "/artifact?path=comparison.json", token).get(0);
  }

  /** Waits until {@code n} of the challenge's submissions are scored; a failed one is an error. */
  void awaitScored(long challenge, int n) throws IOException {
    out.println("   waiting for the hidden evaluations...");
    while (true) {
      int scored = 0;
      for (JsonNode s : api.get("/api/challenges/" + challenge + "/submissions", admin)) {
        if (s.path("status").asText().equals("failed")) {
          throw new IOException("a submission's evaluation failed: " + s);
        }
        scored += s.path("status").asText().equals("scored") ? 1 : 0;
      }
      if (scored >= n) {
        return;
      }
      sleep();
    }
  }

  /** A leaderboard row as a participant sees it, and the comparison row its hidden evaluation job wrote. */
  record Ranked(JsonNode row, JsonNode evaluation) {}

  /**
   * The challenge's leaderboard as {@code token} sees it, each row with its hidden evaluation's own result (the
   * admin may read the job's artifacts), so what the board shows can be checked against what the job measured.
   */
  List<Ranked> leaderboard(long challenge, String token) throws IOException {
    Map<Long, Long> jobs = new java.util.HashMap<>();
    for (JsonNode s : api.get("/api/challenges/" + challenge + "/submissions", admin)) {
      jobs.put(s.path("modelId").asLong(), s.path("jobId").asLong());
    }
    List<Ranked> out = new ArrayList<>();
    for (JsonNode row : api.get("/api/challenges/" + challenge + "/leaderboard", token).path("rows")) {
      long job = jobs.get(row.path("modelId").asLong());
      out.add(new Ranked(row, api.get("/api/jobs/" + job + "/artifact?path=comparison.json", admin).get(0)));
    }
    return out;
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
