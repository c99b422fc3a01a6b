package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.launch.AppJars;
import org.radlab.cli.cluster.ExecutorProcess;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.cli.cluster.StandaloneCluster;
import org.radlab.core.launch.SubmitRequest;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * The prep job on a real 2-worker standalone cluster, through spark-submit, with one executor killed mid-job: it
 * completes, and its dataset equals the one a local[2] run writes from the same input.
 */
@ExtendWith(SharedCluster.class)
class PrepOnClusterTest {
  @TempDir Path tmp;

  @Test
  void clusterRunWithAKilledExecutorEqualsTheLocalRun(StandaloneCluster cluster) throws Exception {
    Path input = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "10",
        "--seed", "4", "--rows", "1400", "--columns", "1100"));
    Path secret = tmp.resolve("site-secret");
    Files.writeString(secret, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(PrepJob.class.getName(), classpath, tmp.resolve("app-jars"));

    Path local = tmp.resolve("ds-local");
    Process localRun = ClusterRuns.submit(SubmitRequest.of("local[2]", PrepJob.class.getName(), appJar),
        config(input, local, secret, null), classpath, tmp.resolve("local.log"), Map.of());
    assertTrue(localRun.waitFor(5, TimeUnit.MINUTES), "local prep did not finish");
    assertEquals(0, localRun.exitValue(), Files.readString(tmp.resolve("local.log")));

    Path remote = tmp.resolve("ds-cluster");
    Path progress = tmp.resolve("progress.json");
    Path log = tmp.resolve("cluster.log");
    { // the shared cluster stays up for the other tests
      Process driver = ClusterRuns.submit(ClusterRuns.request(cluster, PrepJob.class, appJar, "1500m"),
          config(input, remote, secret, progress), classpath, log, Map.of());

      // Kill one executor as soon as conversion has visibly started, and well before it ends.
      ExecutorProcess killed = ExecutorKills.killOneWhen(cluster, driver, () -> filesDone(progress) >= 1,
          Duration.ofMinutes(3));
      assertNotNull(killed, "no executor was killed while the job ran:\n" + Files.readString(log));
      assertTrue(driver.waitFor(5, TimeUnit.MINUTES), "cluster prep did not finish");
      String output = Files.readString(log);
      assertEquals(0, driver.exitValue(), output);
      assertTrue(output.contains("Lost executor") || output.contains("ExecutorLostFailure"),
          "the driver saw the executor go:\n" + output);
    }

    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare").getOrCreate();
    try {
      for (String table : List.of("images.parquet", "tensors", "private/rejects.parquet")) {
        List<Row> a = sorted(spark, local.resolve(table));
        List<Row> b = sorted(spark, remote.resolve(table));
        assertFalse(a.isEmpty() && !table.contains("rejects"), table + " is empty");
        assertEquals(a.size(), b.size(), table);
        if (!table.contains("rejects")) {
          assertEquals(a, b, table);
        }
      }
      assertEquals(40, spark.read().parquet(remote.resolve("images.parquet").toString()).count());
    } finally {
      spark.stop();
    }
    List<Path> pngs = pngs(local);
    assertEquals(40, pngs.size());
    for (Path p : pngs) {
      assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(remote.resolve(local.relativize(p))), p.toString());
    }
  }

  private static List<Row> sorted(SparkSession spark, Path table) {
    var df = spark.read().parquet(table.toString()).drop("run");
    String key = List.of(df.columns()).contains("image_id") ? "image_id" : df.columns()[0];
    var rows = df.orderBy(key).collectAsList();
    // Rejects name their source path, which differs between the two runs only in nothing: keep as is.
    return rows;
  }

  private static List<Path> pngs(Path dataset) throws IOException {
    try (Stream<Path> s = Files.walk(dataset.resolve("png"))) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  private static long filesDone(Path progress) {
    try {
      return new ObjectMapper().readTree(progress.toFile()).get("files_done").asLong();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private Path config(Path input, Path dataset, Path secret, Path progress) throws IOException {
    Map<String, Object> cfg = new java.util.LinkedHashMap<>();
    cfg.put("input", input.toString());
    cfg.put("dataset", dataset.toString());
    cfg.put("pngLongEdge", 512);
    cfg.put("tensorSide", 128);
    cfg.put("secretFile", secret.toString());
    cfg.put("partitions", 20);
    if (progress != null) {
      cfg.put("progressFile", progress.toString());
    }
    Path file = tmp.resolve(dataset.getFileName() + ".json");
    new ObjectMapper().writeValue(file.toFile(), cfg);
    return file;
  }
}
