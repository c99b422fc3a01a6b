package org.radlab.core.launch;

import java.util.Map;

/**
 * How the C allocator behaves in the JVMs that run libtorch (training replicas, inference).
 *
 * <p>libtorch allocates every activation, gradient and optimizer temporary with {@code malloc}: tens of MB, freed
 * again within the same step. With glibc's defaults most of these are fresh {@code mmap}s (or memory handed back to
 * the kernel at the next {@code free}), so each step faults every page of them in again and the kernel zeroes it.
 * Raising the mmap threshold to 256 MiB and the trim threshold to 1 GiB keeps that memory in the process for reuse:
 * a ResNet-18 training step spends a quarter of its former system time and is about 9 % faster, while native
 * PyTorch is unchanged by the same settings (docs/benchmarks.md). The price is a resident size that stays at the
 * step's peak, which a training process reaches anyway.
 *
 * <p>glibc reads the variable only when a process starts, so it is set for the processes RadLab launches: by
 * {@code bin/spark-jvm-flags} for {@code bin/radlab} and the notebooks' kernel, by {@link #into} for the drivers
 * the control API and the CLI start, and by {@link #executorDefault} for the executors of a training job.
 */
public final class NativeMemory {
  /** The environment variable glibc reads its allocator settings from. */
  public static final String VARIABLE = "GLIBC_TUNABLES";
  /** Our settings; a value the user set is always kept. */
  public static final String TUNABLES =
      "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824";
  /** The Spark setting that puts the variable into each executor's environment. */
  public static final String EXECUTOR_ENV = "spark.executorEnv." + VARIABLE;

  private NativeMemory() {}

  /** Adds our settings to a child process's environment unless the variable is set there already. */
  public static void into(Map<String, String> environment) {
    environment.putIfAbsent(VARIABLE, TUNABLES);
  }

  /**
   * Asks for our settings in the executors of the SparkContext created next (as a system property, which
   * SparkConf reads), unless the submitter chose a value; with none chosen, the driver's own value is passed on.
   */
  public static void executorDefault() {
    if (System.getProperty(EXECUTOR_ENV) == null) {
      String own = System.getenv(VARIABLE);
      System.setProperty(EXECUTOR_ENV, own == null || own.isBlank() ? TUNABLES : own);
    }
  }
}
