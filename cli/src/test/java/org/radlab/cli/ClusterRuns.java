package org.radlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.cli.cluster.StandaloneCluster;
import org.radlab.core.launch.SubmitRequest;

/** What the cluster tests share: a 2-worker cluster of one core each, and a job submitted to it. */
final class ClusterRuns {
  private ClusterRuns() {}

  static StandaloneCluster twoWorkers(Path stateDir) throws IOException {
    return StandaloneCluster.builder().setStateDir(stateDir).setWorkers(2).optCoresPerWorker(1)
        .optMemoryPerWorker("2g").start();
  }

  /** A request that waits for both executors before the first job and runs without the web UI. */
  static SubmitRequest request(StandaloneCluster cluster, Class<?> job, Path appJar, String executorMemory) {
    return SubmitRequest.of(cluster.masterUrl(), job.getName(), appJar)
        .withExecutorMemory(executorMemory).withDriverMemory("1g")
        .withConf(Map.of("spark.scheduler.minRegisteredResourcesRatio", "1.0",
            "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s", "spark.ui.enabled", "false"));
  }

  /** Starts spark-submit with {@code config} as the job's argument, output to {@code log}. */
  static Process submit(SubmitRequest request, Path config, List<Path> classpath, Path log, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb = SparkSubmitProcess.builder(request.withAppArgs(List.of(config.toString())), classpath)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }
}
