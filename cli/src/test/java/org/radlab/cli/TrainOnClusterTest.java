package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.cli.cluster.ExecutorProcess;
import org.radlab.cli.cluster.StandaloneCluster;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.NativeMemory;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.prep.LabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.train.TrainJob;
import picocli.CommandLine;

/**
 * Training on a real 2-worker standalone cluster through spark-submit, two replicas averaged every step, with one
 * executor killed mid-epoch: the run finishes every epoch and writes a complete model.
 */
@ExtendWith(SharedCluster.class)
class TrainOnClusterTest {
  @TempDir Path tmp;

  @Test
  void trainingSurvivesAKilledExecutor(StandaloneCluster cluster) throws Exception {
    Path input = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "40",
        "--seed", "6"));
    Path dataset = tmp.resolve("dataset");
    Path labels;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("prepare").getOrCreate();
    try {
      PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(256, 64)
          .withSecretFile(tmp.resolve("secret").toString()));
      labels = LabelImport.run(spark, new LabelImport.Request(dataset.toString(), null, input.resolve("labels.csv"),
          "StudyInstanceUID", "density", List.of("A", "B", "C", "D"), tmp.resolve("labels"), null)).snapshot();
    } finally {
      spark.stop();
    }

    Path home = tmp.resolve("home");
    Path model = tmp.resolve("model");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("dataset", dataset.toString());
    cfg.put("labels", labels.toString());
    cfg.put("classes", List.of("A", "B", "C", "D"));
    cfg.put("inputSize", 64);
    cfg.put("batchSize", 16);
    cfg.put("maxEpochs", 4);
    cfg.put("halfPrecisionUpdates", true); // the fp16 exchange; the benchmark runs the fp32 one
    cfg.put("jobId", "cluster-run");
    cfg.put("output", model.toString());
    Path config = tmp.resolve("train.json");
    new ObjectMapper().writeValue(config.toFile(), cfg);
    Path progress = home.resolve("jobs/cluster-run/progress");

    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(TrainJob.class.getName(), classpath, tmp.resolve("app-jars"));
    Path log = tmp.resolve("driver.log");
    { // the shared cluster stays up for the other tests
      Process driver = ClusterRuns.submit(ClusterRuns.request(cluster, TrainJob.class, appJar, "1g"), config,
          classpath, log, Map.of("RADLAB_HOME", home.toString()));

      // Kill one executor once training steps are under way.
      ExecutorProcess killed = ExecutorKills.killOneWhen(cluster, driver, () -> steps(progress) >= 2,
          Duration.ofMinutes(5));
      assertNotNull(killed, "no executor was killed while training ran:\n" + Files.readString(log));
      // the executor still running has the allocator settings (from spark.executorEnv, when its worker lacks them)
      for (ExecutorProcess e : cluster.executors()) {
        if (e.pid() != killed.pid()) {
          // /proc shows the environment as the process received it, after glibc parsed the variable in place,
          // which ends it at the first ':' (the process itself sees the whole value)
          String env = Files.readString(Path.of("/proc", Long.toString(e.pid()), "environ"));
          String value = List.of(env.split("\0")).stream().filter(v -> v.startsWith("GLIBC_TUNABLES="))
              .map(v -> v.substring("GLIBC_TUNABLES=".length())).findFirst().orElse("");
          assertTrue(!value.isEmpty() && NativeMemory.TUNABLES.startsWith(value), env);
        }
      }
      assertTrue(driver.waitFor(10, TimeUnit.MINUTES), "training did not finish:\n" + Files.readString(log));
      String output = Files.readString(log);
      assertEquals(0, driver.exitValue(), output);
      assertTrue(output.contains("Lost executor") || output.contains("ExecutorLostFailure"),
          "the driver saw the executor go:\n" + output);
    }
    JsonNode card = new ObjectMapper().readTree(model.resolve("model.json").toFile());
    assertEquals("completed", card.get("status").asText());
    assertEquals(2, card.get("replicas").asInt(), "one replica per executor");
    assertEquals(4, card.get("curves").size());
    assertTrue(Files.size(model.resolve("weights.params")) > 1000);
    for (JsonNode epoch : card.get("curves")) {
      assertTrue(Double.isFinite(epoch.get("trainLoss").asDouble()), epoch.toString());
    }
    // the checkpoint holds each replica's optimizer state: Adam's two moments, so twice the trainable parameters
    JsonNode state = new ObjectMapper().readTree(model.resolve("checkpoint/state.json").toFile());
    assertEquals(2, state.get("optimizerStates").size(), state.toString());
    for (JsonNode o : state.get("optimizerStates")) {
      long bytes = Files.size(model.resolve("checkpoint").resolve(o.get("file").asText()));
      assertEquals(16 + 2L * 4 * card.get("parameterCount").asLong(), bytes, o.toString());
      assertTrue(o.get("steps").asInt() > 0, o.toString());
    }
  }

  private static long steps(Path progress) {
    try {
      return Files.readAllLines(progress).stream().filter(l -> l.contains("\"event\":\"step\"")).count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
