package org.radlab.train;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.status.api.v1.ExecutorSummary;

/**
 * The shape of the cluster a run trains on: how many replicas it has and how many libtorch threads each of them uses.
 *
 * @param replicas          one per executor (one in local mode), unless {@value #REPLICAS} says otherwise
 * @param threadsPerReplica the cores of the executor a replica runs in
 */
record ClusterShape(int replicas, int threadsPerReplica) {
  /**
   * Spark setting that fixes the number of replicas (default: one per executor, one in local mode). Replicas beyond
   * the executors take turns in a JVM; in local mode they all do, which checks the averaging on one machine.
   */
  static final String REPLICAS = "spark.radlab.train.replicas";

  /** The shape of {@code spark}'s cluster; waits up to a minute for a first executor to register. */
  static ClusterShape of(SparkSession spark) {
    int replicas = replicaCount(spark);
    return new ClusterShape(replicas, threadsPerReplica(spark.sparkContext()));
  }

  /** Each replica's share of a round's {@code batchSize} images (rounded up, at least 1). */
  int batchPerReplica(int batchSize) {
    return Math.max(1, (batchSize + replicas - 1) / replicas);
  }

  /**
   * The number of replicas: {@value #REPLICAS} when the submitter set it, else one per executor, and 1 in local mode
   * (one JVM).
   */
  static int replicaCount(SparkSession spark) {
    String set = spark.conf().get(REPLICAS, "");
    if (!set.isBlank()) {
      return wholeSetting(REPLICAS, set, 1024);
    }
    SparkContext sc = spark.sparkContext();
    if (sc.isLocal()) {
      return 1;
    }
    long deadline = System.currentTimeMillis() + 60_000;
    int executors = sc.getExecutorMemoryStatus().size() - 1;
    while (executors < 1 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      executors = sc.getExecutorMemoryStatus().size() - 1;
    }
    if (executors < 1) {
      throw new IllegalStateException("no executor registered with the driver within 60 s");
    }
    return executors;
  }

  /** The Spark setting {@code key}'s {@code value}, a whole number from 1 to {@code max}; else a clear error. */
  static int wholeSetting(String key, String value, int max) {
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1 || n > max) {
      throw new IllegalArgumentException(key + " must be a whole number from 1 to " + max + ", not '" + value + "'");
    }
    return n;
  }

  /**
   * The tasks the cluster can run at once: the local master's threads, else the registered executors' cores over
   * {@code spark.task.cpus}. A barrier stage (the ring exchange) needs one for every replica.
   */
  static int slots(SparkContext sc) {
    if (sc.isLocal()) {
      return Math.max(1, sc.defaultParallelism());
    }
    int perTask = Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));
    int slots = 0;
    scala.collection.Iterator<ExecutorSummary> it = sc.statusStore().executorList(true).iterator();
    while (it.hasNext()) {
      ExecutorSummary e = it.next();
      if (!"driver".equals(e.id())) {
        slots += e.totalCores() / perTask;
      }
    }
    return slots;
  }

  /**
   * Threads for each replica: the local master's threads, else {@code spark.executor.cores}, else the fewest cores
   * any registered executor has (a standalone executor takes its worker's cores without setting the property).
   * More libtorch threads than cores oversubscribes the machine, which costs far more than it gains.
   */
  static int threadsPerReplica(SparkContext sc) {
    if (sc.isLocal()) {
      return Math.max(1, sc.defaultParallelism());
    }
    if (sc.getConf().contains("spark.executor.cores")) {
      return Math.max(1, sc.getConf().getInt("spark.executor.cores", 1));
    }
    int fewest = Integer.MAX_VALUE;
    scala.collection.Iterator<ExecutorSummary> it = sc.statusStore().executorList(true).iterator();
    while (it.hasNext()) {
      ExecutorSummary e = it.next();
      if (!"driver".equals(e.id()) && e.totalCores() > 0) {
        fewest = Math.min(fewest, e.totalCores());
      }
    }
    return fewest == Integer.MAX_VALUE ? 1 : fewest;
  }
}
