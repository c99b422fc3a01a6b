package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.SubmitRequest;
import org.radlab.core.model.Replica;

/**
 * A training driver killed with SIGKILL while it writes a checkpoint, again and again, always resumes from a whole
 * checkpoint, and ends with exactly the weights of a run that was never interrupted.
 *
 * <p>Real drivers (spark-submit in local mode, child processes) are killed at two kinds of moments: right after a
 * temporary file of a checkpoint write appears in {@code checkpoint/} (found by watching the folder), and at random
 * moments. After each kill the test reads the checkpoint itself: {@code state.json} parses, every file it names is
 * there and whole (the weights load, each optimizer state holds the values its header announces), and the epoch
 * never goes back. Then the same job is started again.
 */
class CheckpointKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 3;
  @TempDir static Path tmp;

  @Test
  void killedMidCheckpointARestartResumesFromAWholeOne() throws Exception {
    TrainTestData data = TrainTestData.create(tmp.resolve("data"), 40, 8);
    Path home = tmp.resolve("home");
    Path killedModel = tmp.resolve("models/killed");
    Path config = config(data, "killed", killedModel);
    Path checkpoint = killedModel.resolve(Checkpoint.DIR);
    Random random = new Random(16);

    int kills = 0;
    int midWrite = 0; // kills that left a checkpoint write's temporary file behind
    int epoch = 0;
    List<Integer> epochsAfterKills = new ArrayList<>();
    boolean finished = false;
    Path log = tmp.resolve("killed.log");
    for (int attempt = 0; attempt < 10 && (midWrite < 2 || kills < 3) && epoch < EPOCHS - 1; attempt++) {
      Map<String, String> debris = tempFiles(checkpoint); // left by earlier kills, until the next checkpoint
      Process driver = launch(config, home, log);
      boolean atWrite = attempt % 3 != 2;
      if (atWrite) {
        killWhenATempFileAppears(driver, checkpoint, debris, random.nextInt(5));
      } else {
        // a random moment: start-up, a training round, validation or a checkpoint
        if (!driver.waitFor(4000 + random.nextInt(16000), TimeUnit.MILLISECONDS)) {
          driver.destroyForcibly();
        }
      }
      assertTrue(driver.waitFor(5, TimeUnit.MINUTES), "the driver did not end:\n" + Files.readString(log));
      if (driver.exitValue() == 0) {
        finished = true; // it finished before the kill came
        break;
      }
      assertEquals(137, driver.exitValue(), "the driver failed by itself:\n" + Files.readString(log));
      kills++;
      if (tempFiles(checkpoint).entrySet().stream().anyMatch(e -> !e.getValue().equals(debris.get(e.getKey())))) {
        midWrite++;
      }
      int now = checkWhole(checkpoint);
      assertTrue(now >= epoch, "the checkpoint went back from epoch " + epoch + " to " + now);
      epoch = now;
      epochsAfterKills.add(now);
    }
    assertTrue(midWrite >= 1, kills + " kills, none during a checkpoint write");

    if (!finished) { // the last start runs to the end
      Process driver = launch(config, home, log);
      assertTrue(driver.waitFor(10, TimeUnit.MINUTES), "the last run did not end:\n" + Files.readString(log));
      assertEquals(0, driver.exitValue(), Files.readString(log));
    }
    assertEquals(EPOCHS, checkWhole(checkpoint));
    assertEquals(Map.of(), tempFiles(checkpoint), "the last checkpoint cleared the debris of the kills");
    JsonNode card = JSON.readTree(killedModel.resolve("model.json").toFile());
    assertEquals("completed", card.get("status").asText());
    assertEquals(EPOCHS, card.get("curves").size());
    // every restart after a kill that left a checkpoint resumed from that very epoch
    List<Integer> resumed = new ArrayList<>();
    for (String line : Files.readAllLines(home.resolve("jobs/killed/progress"))) {
      JsonNode e = JSON.readTree(line);
      if (e.get("event").asText().equals("resume")) {
        resumed.add(e.get("epoch").asInt());
      }
    }
    assertEquals(epochsAfterKills.stream().filter(e -> e > 0).toList(), resumed, "resumed epochs");

    // the same job never interrupted: the same weights, bit for bit (local mode with a fixed seed is deterministic,
    // so a resume from a torn checkpoint, say one epoch's weights under the previous epoch's state, would differ)
    Path whole = tmp.resolve("models/whole");
    Path wholeLog = tmp.resolve("whole.log");
    Process reference = launch(config(data, "whole", whole), home, wholeLog);
    assertTrue(reference.waitFor(10, TimeUnit.MINUTES), Files.readString(wholeLog));
    assertEquals(0, reference.exitValue(), Files.readString(wholeLog));
    assertArrayEquals(Files.readAllBytes(lastWeights(whole.resolve(Checkpoint.DIR))),
        Files.readAllBytes(lastWeights(checkpoint)), "final weights after " + kills + " kills (" + midWrite
            + " mid-write) against an uninterrupted run");
    assertArrayEquals(Files.readAllBytes(whole.resolve("weights.params")),
        Files.readAllBytes(killedModel.resolve("weights.params")), "best weights");
  }

  private static Path config(TrainTestData data, String jobId, Path output) throws IOException {
    TrainConfig cfg = TrainConfig.of(data.dataset.toString(), data.labels.toString(), TrainTestData.CLASSES)
        .with("{\"inputSize\":32,\"width\":0.5,\"batchSize\":16,\"maxEpochs\":" + EPOCHS + ",\"jobId\":\"" + jobId
            + "\",\"output\":\"" + output + "\"}");
    Path file = tmp.resolve(jobId + ".json");
    JSON.writeValue(file.toFile(), cfg);
    return file;
  }

  /** The training job as a real driver process: spark-submit in local mode, its output appended to {@code log}. */
  private static Process launch(Path config, Path home, Path log) throws IOException {
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(TrainJob.class.getName(), classpath, tmp.resolve("app-jars"));
    SubmitRequest request = SubmitRequest.of("local[2]", TrainJob.class.getName(), appJar).withDriverMemory("2g")
        .withConf(Map.of("spark.ui.enabled", "false", "spark.driver.extraJavaOptions", "-Dai.djl.offline=true"))
        .withAppArgs(List.of(config.toString()));
    ProcessBuilder pb = SparkSubmitProcess.builder(request, classpath).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("RADLAB_HOME", home.toString());
    return pb.start();
  }

  /**
   * Watches the folder (inotify, so no write is missed however busy the machine) and sends SIGKILL the moment the
   * {@code skip + 1}-th temporary file is created (a file in {@code debris} counts when it is written again), or lets
   * a finished run be. Skipping some lets earlier checkpoints complete, so that later kills interrupt the writes of a
   * later epoch.
   */
  private static void killWhenATempFileAppears(Process driver, Path dir, Map<String, String> debris, int skip)
      throws Exception {
    while (!Files.isDirectory(dir) && driver.isAlive()) {
      Thread.sleep(20);
    }
    try (WatchService watch = dir.getFileSystem().newWatchService()) {
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      java.util.Set<String> rewritten = new java.util.HashSet<>();
      int seen = 0;
      while (driver.isAlive()) {
        WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
        if (key == null) {
          continue;
        }
        for (WatchEvent<?> event : key.pollEvents()) {
          String name = String.valueOf(event.context());
          boolean created = event.kind() == StandardWatchEventKinds.ENTRY_CREATE;
          boolean debrisAgain = event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && debris.containsKey(name)
              && rewritten.add(name);
          if (name.endsWith(".tmp") && (created || debrisAgain) && ++seen > skip) {
            driver.destroyForcibly(); // SIGKILL
            return;
          }
        }
        key.reset();
      }
    }
  }

  /** The temporary files in {@code dir}, each with its identity (device and inode), modification time and size. */
  private static Map<String, String> tempFiles(Path dir) {
    Map<String, String> out = new java.util.HashMap<>();
    try (var files = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path f : files) {
        try {
          var a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
          out.put(f.getFileName().toString(), a.fileKey() + " " + a.lastModifiedTime() + " " + a.size());
        } catch (java.nio.file.NoSuchFileException gone) {
          // moved into place meanwhile
        }
      }
    } catch (IOException e) {
      // no folder yet
    }
    return out;
  }

  /**
   * Reads the checkpoint without the job's code: the epoch of its {@code state.json} (0 without one), after checking
   * that every file it names is there and whole.
   */
  private static int checkWhole(Path dir) throws IOException {
    Path state = dir.resolve("state.json");
    if (!Files.exists(state)) {
      return 0;
    }
    JsonNode s = JSON.readTree(state.toFile());
    int epoch = s.get("epoch").asInt();
    assertEquals(epoch, s.get("curves").size(), s.toString());
    assertTrue(s.get("bestEpoch").asInt() >= 1 && s.get("bestEpoch").asInt() <= epoch, s.toString());
    Replica.Spec spec = new Replica.Spec("resnet18", 0.5, 4, 32, "categorical_cross_entropy", 0.25, 2, "adam",
        1e-3, 1);
    try (Replica replica = new Replica(spec)) {
      for (String name : List.of(s.get("weights").asText(), s.get("best").asText())) {
        try (InputStream in = Files.newInputStream(dir.resolve(name))) {
          replica.load(in); // a cut-short file fails to load
        }
      }
      assertEquals(1, s.get("optimizerStates").size(), s.toString());
      for (JsonNode o : s.get("optimizerStates")) {
        Path file = dir.resolve(o.get("file").asText());
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
          assertEquals(0x524c4f53, in.readInt(), file.toString());
          assertEquals(1, in.readInt());
          assertEquals(o.get("steps").asInt(), in.readInt(), file + " against " + o);
          long values = in.readInt();
          // Adam: two moments per trainable value
          assertEquals(2L * org.radlab.core.model.Architecture.trainableParameters(replica.block()), values);
          assertEquals(16 + 4 * values, Files.size(file), file + " is cut short");
        }
      }
    }
    return epoch;
  }

  private static Path lastWeights(Path dir) throws IOException {
    return dir.resolve(JSON.readTree(dir.resolve("state.json").toFile()).get("weights").asText());
  }
}
