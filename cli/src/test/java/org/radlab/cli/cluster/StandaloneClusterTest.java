package org.radlab.cli.cluster;

import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SubmitRequest;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.SparkJvmFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 2-worker standalone cluster on 127.0.0.1, started from the test class path: jobs
 * submitted by SparkSubmit child processes, an executor killed mid-job, and a stop that leaves no
 * process behind.
 *
 * <p>The drivers run in child JVMs rather than in this one: on the Surefire class path Debian's
 * PixelMed jar drags in SLF4J 1.7 and its JDK14 binding ahead of Spark's SLF4J 2 (manifest
 * Class-Path), and a SparkSession here dies with a StackOverflowError between SLF4J's JUL bridge
 * and that binding. SparkClasspath orders the child class path so that it cannot happen there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class StandaloneClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path stateDir;

  private StandaloneCluster cluster;

  @BeforeAll
  void startCluster() throws IOException {
    cluster = StandaloneCluster.builder()
        .setStateDir(stateDir).setWorkers(2).optCoresPerWorker(1).optMemoryPerWorker("2g")
        .start();
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  @Order(1)
  void masterReportsTwoAliveWorkersWithTheirResources() throws IOException {
    MasterStatus status = cluster.status();

    assertTrue(cluster.masterUrl().matches("spark://127\\.0\\.0\\.1:\\d+"), cluster.masterUrl());
    assertEquals(cluster.masterUrl(), status.url());
    assertEquals("ALIVE", status.status());
    assertEquals(2, status.aliveWorkers());
    assertEquals(2, status.workers().size());
    for (MasterStatus.Worker worker : status.workers()) {
      assertEquals("ALIVE", worker.state());
      assertEquals("127.0.0.1", worker.host());
      assertEquals(1, worker.cores());
      assertEquals(2048, worker.memoryMb());
    }
    assertTrue(Files.isRegularFile(stateDir.resolve("logs/master.log")));
    assertTrue(Files.isRegularFile(stateDir.resolve("logs/worker-1.log")));
    assertTrue(Files.isRegularFile(stateDir.resolve("logs/worker-2.log")));
  }

  @Test
  @Order(2)
  void runsASubmittedJobWhoseClassComesFromAnAppJar() throws Exception {
    Path log = stateDir.resolve("submit.log");
    Process process = submit(SumOfSquaresApp.class, log, "5000", "6");

    assertTrue(process.waitFor(3, TimeUnit.MINUTES), "spark-submit did not finish");
    String output = Files.readString(log);
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("sum-of-squares n=5000 result=" + SumOfSquaresApp.expected(5000)),
        output);
    assertTrue(output.contains("master=" + cluster.masterUrl()), output);
    List<String> completed = cluster.status().completedApps().stream()
        .map(MasterStatus.App::name).toList();
    assertTrue(completed.contains(SumOfSquaresApp.APP_NAME), completed.toString());
  }

  @Test
  @Order(3)
  void spreadsExecutorsOverBothWorkersAndSurvivesAKilledExecutor() throws Exception {
    Path log = stateDir.resolve("slow-sum.log");
    Process driver = submit(SlowSumApp.class, log, "600", "6", "2500", "2");
    try {
      Waits.until(WAIT, "tasks running on two executors (" + log + ")",
          () -> taskStartExecutors(log).size() == 2);
      MasterStatus running = cluster.status();
      assertEquals(1, running.activeApps().size());
      assertEquals(SlowSumApp.APP_NAME, running.activeApps().get(0).name());
      assertEquals(2, running.activeApps().get(0).cores());
      for (MasterStatus.Worker worker : running.workers()) {
        assertEquals(1, worker.coresUsed(), "cores in use on " + worker.id());
        assertEquals(512, worker.memoryUsedMb(), "memory in use on " + worker.id());
      }
      List<ExecutorProcess> executors = cluster.executors();
      assertEquals(Set.of(1, 2), executors.stream().map(ExecutorProcess::workerIndex)
          .collect(Collectors.toSet()));
      for (ExecutorProcess executor : executors) {
        assertTrue(executor.arguments().containsAll(SparkJvmFlags.LIST),
            "Spark added its module flags to executor " + executor.executorId());
      }
      assertTrue(driver.isAlive(), "the job must still be running when the executor dies");

      ExecutorProcess killed = cluster.killOneExecutor().orElseThrow();

      assertFalse(ClusterProcesses.alive(killed.pid()), "executor pid " + killed.pid());
      assertTrue(driver.waitFor(3, TimeUnit.MINUTES), "the job did not finish: " + log);
      String output = Files.readString(log);
      assertEquals(0, driver.exitValue(), output);
      assertTrue(output.contains("sum-of-squares n=600 result=" + SumOfSquaresApp.expected(600)),
          output);
      assertTrue(output.contains("event executor-removed executor=" + killed.executorId()),
          output);
      String after = output.lines().filter(l -> l.startsWith("executors-after-job="))
          .findFirst().orElseThrow();
      Set<String> survivors = Set.of(after.substring(after.indexOf('[') + 1, after.indexOf(']'))
          .split(",\\s*"));
      assertEquals(2, survivors.size(), after);
      assertFalse(survivors.contains(killed.executorId()), after);
    } finally {
      driver.destroyForcibly();
    }
  }

  private static Set<String> taskStartExecutors(Path log) {
    try {
      return Files.readAllLines(log).stream()
          .filter(l -> l.startsWith("event task-start executor="))
          .map(l -> l.substring("event task-start executor=".length()).trim())
          .collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** Submits {@code app} to the cluster in a SparkSubmit child process, output to {@code log}. */
  private Process submit(Class<?> app, Path log, String... args) throws IOException {
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    Path appJar = AppJars.containing(app.getName(), classpath, stateDir.resolve("app-jars"));
    SubmitRequest request = SubmitRequest.of(cluster.masterUrl(), app.getName(), appJar)
        .withExecutorMemory("512m").withDriverMemory("512m")
        .withConf(Map.of("spark.scheduler.minRegisteredResourcesRatio", "1.0",
            "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s",
            "spark.ui.enabled", "false"))
        .withAppArgs(List.of(args));
    return SparkSubmitProcess.builder(request, classpath)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  @Test
  @Order(4)
  void stopEndsEveryProcessOfTheCluster() {
    List<Long> pids = new ArrayList<>();
    pids.add(cluster.masterProcess().pid());
    cluster.workerProcesses().forEach(p -> pids.add(p.pid()));
    cluster.executors().forEach(e -> pids.add(e.pid()));
    assertEquals(3, ClusterProcesses.carryingMarker(stateDir).size(),
        "a master and two workers carry the marker before stop");

    cluster.stop();
    cluster.stop();

    for (long pid : pids) {
      assertFalse(ClusterProcesses.alive(pid), "pid " + pid + " still running");
    }
    assertEquals(List.of(), ClusterProcesses.carryingMarker(stateDir));
    assertEquals(List.of(), cluster.executors());
  }

  @Test
  @Order(5)
  void refusesAMasterPortThatIsInUse(@TempDir Path otherDir) throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      StandaloneCluster.Builder builder = StandaloneCluster.builder().setStateDir(otherDir)
          .setWorkers(1).optMasterPort(taken.getLocalPort());

      ClusterException error = assertThrows(ClusterException.class, builder::start);

      assertTrue(error.getMessage().contains("master port " + taken.getLocalPort()),
          error.getMessage());
      assertTrue(error.getMessage().contains("--port"), error.getMessage());
    }
    assertEquals(List.of(), ClusterProcesses.carryingMarker(otherDir));
  }

  @Test
  @Order(6)
  void aStartThatTimesOutNamesTheLogAndCleansUp(@TempDir Path otherDir) {
    StandaloneCluster.Builder builder = StandaloneCluster.builder().setStateDir(otherDir)
        .setWorkers(1).optStartTimeout(Duration.ofMillis(1));

    ClusterException error = assertThrows(ClusterException.class, builder::start);

    assertTrue(error.getMessage().contains(otherDir.resolve("logs/master.log").toString()),
        error.getMessage());
    assertEquals(List.of(), ClusterProcesses.carryingMarker(otherDir));
  }

  @Test
  @Order(7)
  void rejectsBadSettingsBeforeLaunchingAnything(@TempDir Path otherDir) {
    assertThrows(IllegalArgumentException.class,
        () -> StandaloneCluster.builder().setStateDir(otherDir).setWorkers(0).start());
    assertThrows(IllegalArgumentException.class,
        () -> StandaloneCluster.builder().setStateDir(otherDir).setWorkers(1)
            .optMemoryPerWorker("two gigs").start());
    assertThrows(IllegalArgumentException.class,
        () -> StandaloneCluster.builder().setWorkers(1).start());
    assertFalse(Files.exists(otherDir.resolve("logs")));
  }
}
