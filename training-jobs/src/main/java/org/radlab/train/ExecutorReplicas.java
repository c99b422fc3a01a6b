package org.radlab.train;

import ai.djl.Device;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceInformation;
import org.radlab.core.model.Replica;

/**
 * The model replicas living in this JVM, one per training job and partition (normally one partition per executor;
 * in local mode, or with more replicas than executors, several take turns in one JVM), kept between steps so that
 * the network, the optimizer state and libtorch stay loaded. Training tasks run one at a time per JVM
 * ({@link #LOCK}): PyTorch's gradient recording in DJL is per process, and one task already uses all the executor's
 * cores. At the end of a run the driver frees them on every executor ({@link #releaseOnExecutors}).
 */
final class ExecutorReplicas {
  static final Object LOCK = new Object();
  private static final Map<String, Held> REPLICAS = new HashMap<>();

  /** A resident replica and the round whose weights it holds (-1: none yet). */
  static final class Held {
    final Replica replica;
    long version = -1;
    /** The weights the replica started the current round from (the driver's weights of that round). */
    float[] base;

    Held(Replica replica) {
      this.replica = replica;
    }
  }

  private ExecutorReplicas() {}

  static synchronized Held get(String job, int partition, Replica.Spec spec, int threads) {
    org.radlab.core.model.TorchSetup.useThreads(threads);
    String key = job + "/" + partition;
    Held h = REPLICAS.get(key);
    if (h == null || !h.replica.spec().equals(spec)) {
      if (h != null) {
        h.replica.close();
      }
      h = new Held(new Replica(spec, device()));
      REPLICAS.put(key, h);
    }
    return h;
  }

  /**
   * The GPU Spark's resource scheduling gave this task ({@code spark.task.resource.gpu.amount}), else the CPU.
   * libtorch must be a CUDA build for a GPU to work: see cluster-config/README.md.
   */
  static Device device() {
    TaskContext task = TaskContext.get();
    if (task != null) {
      ResourceInformation gpu = task.resources().get("gpu").getOrElse(() -> null);
      if (gpu != null && gpu.addresses().length > 0) {
        return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
      }
    }
    return Device.cpu();
  }

  /**
   * From the driver: frees the job's replicas in the executors that hold partitions of {@code shards} (best effort:
   * they go with their executors anyway).
   */
  static void releaseOnExecutors(JavaRDD<?> shards, String job) {
    try {
      shards.foreachPartition(it -> release(job));
    } catch (RuntimeException e) {
      System.err.println("train: could not free the executors' model replicas: " + e.getMessage());
    }
  }

  /** Frees the job's replicas in this JVM, if there are any. */
  static synchronized void release(String job) {
    var it = REPLICAS.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (e.getKey().startsWith(job + "/")) {
        e.getValue().replica.close();
        it.remove();
      }
    }
  }
}
