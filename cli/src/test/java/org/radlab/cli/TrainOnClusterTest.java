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
 * Training on a real 2-worker standalone cluster through spark-submit, two replicas averaged every step: with one
 * executor killed mid-epoch, the run finishes every epoch and writes a complete model; undisturbed, it learns the
 * synthetic density classes far above chance.
 */
@ExtendWith(SharedCluster.class)
class TrainOnClusterTest {
  @TempDir Path tmp;

  /** Synthesizes, prepares and labels {@code studies} studies; returns the dataset and the label snapshot. */
  private Path[] prepare(int studies, long seed) throws Exception {
    Path input = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies",
        String.valueOf(studies), "--seed", String.valueOf(seed)));
    Path dataset = tmp.resolve("dataset");
    SparkSession spark = SparkSession.builder().master("local[2]").appName("prepare").getOrCreate();
    try {
      PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(256, 64)
          .withSecretFile(tmp.resolve("secret").toString()));
      return new Path[] {dataset, LabelImport.run(spark, new LabelImport.Request(dataset.toString(), null,
          input.resolve("labels.csv"), "StudyInstanceUID", "density", List.of("A", "B", "C", "D"),
          tmp.resolve("labels"), null)).snapshot()};
    } finally {
      spark.stop();
    }
  }

  @Test
  void trainingSurvivesAKilledExecutor(StandaloneCluster cluster) throws Exception {
    Path[] prepared = prepare(40, 6);
    Path dataset = prepared[0];
    Path labels = prepared[1];

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

  /**
   * Two executors, two replicas averaged every step, learn the density classes: the kept epoch's validation kappa
   * (linear weights) is above 0.4 and above what chance reaches. Chance is worked out here from the kept epoch's
   * confusion matrix: the same predictions shuffled against the same reference labels, 20000 times; a model that
   * learned nothing scores like a shuffle. The kept epoch is the best of 8 on these studies, so its kappa is compared
   * with the shuffles' 1 - 0.01/8 quantile (a 1 % false alarm rate after choosing among 8 epochs). 0.4 is "moderate"
   * agreement (Landis and Koch), above what chance reaches with about 35 validation studies. The same model, data
   * size and epochs in local mode (TrainJobTest) clear 0.4 too.
   */
  @Test
  void aTwoExecutorRunLearnsDensityFarAboveChance(StandaloneCluster cluster) throws Exception {
    Path[] prepared = prepare(100, 41);
    Path model = tmp.resolve("model");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("dataset", prepared[0].toString());
    cfg.put("labels", prepared[1].toString());
    cfg.put("classes", List.of("A", "B", "C", "D"));
    cfg.put("inputSize", 64);
    cfg.put("batchSize", 16);
    cfg.put("maxEpochs", 8);
    cfg.put("validationFraction", 0.35);
    cfg.put("augmentation", "flips_rotations");
    cfg.put("maxRotation", 10);
    cfg.put("seed", 2);
    cfg.put("jobId", "cluster-learns");
    cfg.put("output", model.toString());
    train(cluster, cfg, "learn", 15);
    JsonNode card = new ObjectMapper().readTree(model.resolve("model.json").toFile());
    assertEquals("completed", card.get("status").asText());
    assertEquals(2, card.get("replicas").asInt(), "one replica per executor");
    JsonNode matrix = card.get("validation").get("confusionMatrix");
    int[][] counts = new int[4][4];
    int studies = 0;
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        counts[r][c] = matrix.get(r).get(c).asInt();
        studies += counts[r][c];
      }
    }
    assertTrue(studies >= 30, studies + " validation studies");
    double kappa = linearKappa(counts);
    assertEquals(card.get("validation").get("kappaLinear").asDouble(), kappa, 1e-9, "the card's kappa");
    double chance = shuffledKappaQuantile(counts, 1 - 0.01 / 8, 20000, new java.util.Random(7));
    assertTrue(kappa > 0.4 && kappa > chance, "validation kappa " + kappa + " against chance's " + chance
        + " (curves " + card.get("curves") + ")");
  }

  /**
   * A detector on the same 2-executor cluster: the box snapshot reaches both executors (each replica trains on its
   * share of the boxes), the replicas are averaged in a ring between the executors, and every epoch's validation
   * mAP is recorded. The training and
   * validation images together are the snapshot's images, counted here from the file.
   */
  @Test
  void aDetectorTrainsAcrossTwoExecutors(StandaloneCluster cluster) throws Exception {
    Path input = tmp.resolve("lesions");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "12",
        "--seed", "8", "--rows", "128", "--columns", "96", "--lesions"));
    Path dataset = tmp.resolve("lesion-dataset");
    Path boxes;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("prepare").getOrCreate();
    try {
      PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(128, 64)
          .withSecretFile(tmp.resolve("secret").toString()));
      boxes = org.radlab.prep.BoxLabelImport.run(spark, new org.radlab.prep.BoxLabelImport.Request(
          dataset.toString(), null, input.resolve("boxes.csv"), "SOPInstanceUID", List.of("mass", "calcification"),
          tmp.resolve("labels"), null)).snapshot();
    } finally {
      spark.stop();
    }
    org.radlab.core.dataset.BoxTable snapshot = org.radlab.core.dataset.BoxTable.readReference(boxes,
        org.radlab.core.dataset.BoxTable.IMAGE);
    Path model = tmp.resolve("detector");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("task", "detection");
    cfg.put("dataset", dataset.toString());
    cfg.put("labels", boxes.toString());
    cfg.put("classes", List.of("mass", "calcification"));
    cfg.put("inputSize", 64);
    cfg.put("width", 0.125);
    cfg.put("batchSize", 8);
    cfg.put("maxEpochs", 2);
    cfg.put("jobId", "cluster-detector");
    cfg.put("output", model.toString());
    // the replicas average among themselves: a ring between the two executors' JVMs, in barrier stages
    cfg.put("exchange", "ring");
    train(cluster, cfg, "detect", 10);
    JsonNode card = new ObjectMapper().readTree(model.resolve("model.json").toFile());
    assertEquals("completed", card.get("status").asText());
    assertEquals("detection", card.get("task").asText());
    assertEquals(2, card.get("replicas").asInt(), "one replica per executor");
    assertEquals(snapshot.images().size(), card.get("trainImages").asInt() + card.get("validationImages").asInt(),
        card.toString());
    assertEquals(2, card.get("curves").size());
    List<JsonNode> events = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(tmp.resolve("home/jobs/cluster-detector/progress"))) {
      events.add(new ObjectMapper().readTree(line));
    }
    JsonNode start = events.stream().filter(e -> e.get("event").asText().equals("start")).findFirst().orElseThrow();
    assertEquals("ring", start.get("exchange").asText(), start.toString());
    int steps = (card.get("trainImages").asInt() + 7) / 8; // batch 8: steps an epoch, one round each
    assertEquals(2 * steps, events.stream().filter(e -> e.get("event").asText().equals("step")).count(),
        "a step event for every round of both epochs");
    JsonNode state = new ObjectMapper().readTree(model.resolve("checkpoint/state.json").toFile());
    assertEquals(2, state.get("optimizerStates").size(), "both replicas' optimizer states came back");
    for (JsonNode epoch : card.get("curves")) {
      assertTrue(Double.isFinite(epoch.get("trainLoss").asDouble()), epoch.toString());
      double map = epoch.get("map").asDouble(-1);
      assertTrue(map >= 0 && map <= 1, "each epoch's validation mAP: " + epoch);
    }
  }

  /** Trains {@code cfg} through spark-submit on the shared cluster (which stays up for the other tests). */
  private void train(StandaloneCluster cluster, Map<String, Object> cfg, String name, int minutes) throws Exception {
    Path config = tmp.resolve(name + ".json");
    new ObjectMapper().writeValue(config.toFile(), cfg);
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(TrainJob.class.getName(), classpath, tmp.resolve("app-jars"));
    Path log = tmp.resolve(name + ".log");
    Process driver = ClusterRuns.submit(ClusterRuns.request(cluster, TrainJob.class, appJar, "1g"), config,
        classpath, log, Map.of("RADLAB_HOME", tmp.resolve("home").toString()));
    assertTrue(driver.waitFor(minutes, TimeUnit.MINUTES), "training did not finish:\n" + Files.readString(log));
    assertEquals(0, driver.exitValue(), Files.readString(log));
  }

  /** Linear-weighted Cohen's kappa of a confusion matrix (rows the reference), by its definition. */
  static double linearKappa(int[][] m) {
    int k = m.length;
    double n = 0;
    double[] rows = new double[k];
    double[] cols = new double[k];
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) {
        n += m[r][c];
        rows[r] += m[r][c];
        cols[c] += m[r][c];
      }
    }
    double observed = 0;
    double expected = 0;
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) {
        double disagreement = Math.abs(r - c) / (double) (k - 1);
        observed += disagreement * m[r][c] / n;
        expected += disagreement * rows[r] * cols[c] / (n * n);
      }
    }
    return 1 - observed / expected;
  }

  /** The {@code q} quantile of the kappa of the matrix's predictions shuffled against its reference labels. */
  static double shuffledKappaQuantile(int[][] m, double q, int rounds, java.util.Random random) {
    List<Integer> reference = new java.util.ArrayList<>();
    List<Integer> predicted = new java.util.ArrayList<>();
    for (int r = 0; r < m.length; r++) {
      for (int c = 0; c < m.length; c++) {
        for (int i = 0; i < m[r][c]; i++) {
          reference.add(r);
          predicted.add(c);
        }
      }
    }
    double[] kappas = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      java.util.Collections.shuffle(predicted, random);
      int[][] shuffled = new int[m.length][m.length];
      for (int i = 0; i < reference.size(); i++) {
        shuffled[reference.get(i)][predicted.get(i)]++;
      }
      double kappa = linearKappa(shuffled);
      kappas[round] = Double.isNaN(kappa) ? 0 : kappa;
    }
    java.util.Arrays.sort(kappas);
    return kappas[Math.min(rounds - 1, (int) Math.ceil(q * rounds) - 1)];
  }
}
