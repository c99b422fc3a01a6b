package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.cli.cluster.StandaloneCluster;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.eval.EvaluateJob;
import org.radlab.prep.LabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.train.TrainJob;
import picocli.CommandLine;

/** The evaluation job through spark-submit on a 2-worker standalone cluster gives the local run's predictions. */
@ExtendWith(SharedCluster.class)
class EvaluateOnClusterTest {
  @TempDir Path tmp;

  @Test
  void clusterEvaluationEqualsTheLocalOne(StandaloneCluster cluster) throws Exception {
    Path input = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "24",
        "--seed", "5"));
    Path dataset = tmp.resolve("dataset");
    Path model = tmp.resolve("model");
    Path labels;
    Path local = tmp.resolve("eval-local");
    SparkSession spark = SparkSession.builder().master("local[2]").appName("prepare").getOrCreate();
    try {
      PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(256, 64)
          .withSecretFile(tmp.resolve("secret").toString()));
      labels = LabelImport.run(spark, new LabelImport.Request(dataset.toString(), null, input.resolve("labels.csv"),
          "StudyInstanceUID", "density", List.of("A", "B", "C", "D"), tmp.resolve("labels"), null)).snapshot();
      TrainJob.run(spark, TrainConfig.of(dataset.toString(), labels.toString(), List.of("A", "B", "C", "D"))
          .with("{\"inputSize\":64,\"batchSize\":16,\"maxEpochs\":1,\"jobId\":\"m\",\"output\":\"" + model + "\"}"));
      EvaluateJob.run(spark, new EvalConfig(dataset.toString(), labels.toString(), List.of(model.toString()),
          null, null, 50, null, "local", local.toString()));
    } finally {
      spark.stop();
    }

    Path remote = tmp.resolve("eval-cluster");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("dataset", dataset.toString());
    cfg.put("labels", labels.toString());
    cfg.put("models", List.of(model.toString()));
    cfg.put("bootstrap", 50);
    cfg.put("jobId", "cluster");
    cfg.put("output", remote.toString());
    Path config = tmp.resolve("eval.json");
    new ObjectMapper().writeValue(config.toFile(), cfg);
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(EvaluateJob.class.getName(), classpath, tmp.resolve("app-jars"));
    Path log = tmp.resolve("driver.log");
    { // the shared cluster stays up for the other tests
      Process driver = ClusterRuns.submit(ClusterRuns.request(cluster, EvaluateJob.class, appJar, "1g"), config,
          classpath, log, Map.of());
      assertTrue(driver.waitFor(10, TimeUnit.MINUTES), "evaluation did not finish:\n" + Files.readString(log));
      assertEquals(0, driver.exitValue(), Files.readString(log));
    }

    SparkSession compare = SparkSession.builder().master("local[1]").appName("compare").getOrCreate();
    try {
      Map<String, Double> a = probabilities(compare, local);
      Map<String, Double> b = probabilities(compare, remote);
      assertEquals(a.size(), b.size());
      assertTrue(a.size() > 24, "image and study rows");
      a.forEach((k, v) -> assertEquals(v, b.get(k), 1e-6, k));
    } finally {
      compare.stop();
    }
    // libtorch may sum in another order with other thread counts: the same metrics, up to rounding
    var l = new ObjectMapper().readTree(local.resolve("comparison.json").toFile()).get(0);
    var r = new ObjectMapper().readTree(remote.resolve("comparison.json").toFile()).get(0);
    assertEquals(l.get("kappaLinear").asDouble(), r.get("kappaLinear").asDouble(), 1e-3);
    assertEquals(l.get("aucMacro").asDouble(), r.get("aucMacro").asDouble(), 1e-3);
    assertEquals(l.get("studies").asInt(), r.get("studies").asInt());
  }

  private static Map<String, Double> probabilities(SparkSession spark, Path out) {
    Map<String, Double> m = new TreeMap<>();
    for (Row r : spark.read().parquet(out.resolve("predictions.parquet").toString()).collectAsList()) {
      String key = r.getAs("level") + "/" + r.getAs("image_id") + "/" + r.getAs("study_uid");
      m.put(key, r.<Double>getAs("p_A") + 10 * r.<Double>getAs("p_B") + 100 * r.<Double>getAs("p_C"));
    }
    return m;
  }
}
