package org.radlab.cli.cluster;

import java.util.List;

/**
 * A running executor JVM ({@code CoarseGrainedExecutorBackend}) started by one of a cluster's
 * workers.
 *
 * @param pid the executor's process id
 * @param executorId Spark's executor id ({@code --executor-id})
 * @param appId the application it serves ({@code --app-id})
 * @param workerIndex which worker of the cluster started it, from 1
 * @param arguments its JVM arguments, as the operating system reports them
 */
public record ExecutorProcess(long pid, String executorId, String appId, int workerIndex,
    List<String> arguments) {

  /** The main class of an executor JVM. */
  public static final String MAIN_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  public ExecutorProcess {
    arguments = List.copyOf(arguments);
  }
}
