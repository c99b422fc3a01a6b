package org.radlab.train;

import java.util.HashMap;
import java.util.Map;
import org.radlab.core.model.Replica;

/**
 * The model replicas living in this JVM, one per training job, kept between steps so that the network, the
 * optimizer state and libtorch stay loaded. Training tasks run one at a time per JVM ({@link #LOCK}): PyTorch's
 * gradient recording in DJL is per process, and one task already uses all the executor's cores.
 */
final class ExecutorReplicas {
  static final Object LOCK = new Object();
  private static final Map<String, Replica> REPLICAS = new HashMap<>();
  private static boolean threadsSet;

  private ExecutorReplicas() {}

  /**
   * Sets libtorch's thread counts, once per JVM and before the engine loads, and keeps DJL offline: it loads
   * libtorch from the native jar on the classpath and never reaches for the network.
   */
  static synchronized void useThreads(int threads) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (!threadsSet) {
      int n = Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors()));
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
      threadsSet = true;
    }
  }

  static synchronized Replica get(String job, Replica.Spec spec, int threads) {
    useThreads(threads);
    Replica r = REPLICAS.get(job);
    if (r == null || !r.spec().equals(spec)) {
      if (r != null) {
        r.close();
      }
      r = new Replica(spec);
      REPLICAS.put(job, r);
    }
    return r;
  }

  /** Frees the job's replica in this JVM, if there is one. */
  static synchronized void release(String job) {
    Replica r = REPLICAS.remove(job);
    if (r != null) {
      r.close();
    }
  }
}
