package org.radlab.core.launch;

import java.util.Map;

/**
 * How the C allocator behaves in the JVMs that run libtorch (training replicas, inference).
 *
 * <p>libtorch allocates every activation, gradient and optimizer temporary with {@code malloc}: tens to hundreds of
 * MB, freed again within the same step. With glibc's defaults these become fresh {@code mmap}s, handed back to the
 * kernel at {@code free}, so each step faults every page in again and the kernel zeroes it. Raising the mmap
 * threshold does not prevent it: glibc caps that threshold at 32 MiB, and a Java thread allocates from a secondary
 * arena whose heaps stop at 64 MiB, so any larger tensor is mapped and unmapped whatever the threshold. RadLab's
 * processes therefore use one arena (the main one, which grows without that limit), never {@code mmap} for an
 * allocation, and keep up to 4 GiB of freed memory for reuse. A 256-pixel U-Net step then made a sixth of the page
 * faults and ran 2.9 times faster; a ResNet-18 step at 128 pixels came to PyTorch's speed, and prep's parallel tasks
 * were as fast as before (docs/benchmarks.md). The price is a resident size that stays at the peak of a step.
 *
 * <p>The same processes also cap the instruction set of oneDNN, libtorch's CPU convolution library, at AVX2. With
 * its AVX-512 kernels (oneDNN 3.7.1 in libtorch 2.7.1) and two or more intra-op threads, the first backward pass in
 * a process gave wrong gradients for the early layers, often NaN, on an AMD EPYC machine: two identical replicas
 * differed after one step and the weights turned NaN. Capped at AVX2, every pass agrees ({@code ReplicaTwinsTest}
 * checks it with two threads).
 *
 * <p>And they make libtorch's OpenMP threads sleep, not spin, while they wait for work ({@code
 * OMP_WAIT_POLICY=PASSIVE}). A spinning thread holds its core; when more threads want the cores than there are
 * (two JVMs with two libtorch threads each on two cores, as with two executors or a driver beside an executor),
 * the spinners and the working threads take turns: two such JVMs ran GoogLeNet forward passes five times slower
 * than with sleeping threads, while a lone training replica is as fast either way (docs/benchmarks.md).
 *
 * <p>glibc, oneDNN and OpenMP read their variables only when a process starts, so they are set for the processes RadLab
 * launches: by {@code bin/spark-jvm-flags} for {@code bin/radlab} and the notebooks' kernel, by {@link #into} for
 * the drivers the control API and the CLI start, by {@link #executorDefault} for the executors of training and
 * evaluation jobs, and by the build for the test JVMs.
 */
public final class NativeMemory {
  /** The environment variable glibc reads its allocator settings from. */
  public static final String VARIABLE = "GLIBC_TUNABLES";
  /** Our settings; a value the user set is always kept. */
  public static final String TUNABLES =
      "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296";
  /** The Spark setting that puts the variable into each executor's environment. */
  public static final String EXECUTOR_ENV = "spark.executorEnv." + VARIABLE;
  /** The environment variable oneDNN reads the highest instruction set it may use from. */
  public static final String ONEDNN_ISA = "ONEDNN_MAX_CPU_ISA";
  /** Our cap: AVX2 kernels (see the class comment). */
  public static final String ONEDNN_ISA_CAP = "AVX2";
  /** The environment variable OpenMP reads how waiting threads behave from. */
  public static final String OMP_WAIT = "OMP_WAIT_POLICY";
  /** Ours: waiting threads sleep (see the class comment). */
  public static final String OMP_WAIT_PASSIVE = "PASSIVE";
  /** Every variable RadLab sets for a libtorch process, with its value; a value the user set is always kept. */
  public static final Map<String, String> DEFAULTS =
      Map.of(VARIABLE, TUNABLES, ONEDNN_ISA, ONEDNN_ISA_CAP, OMP_WAIT, OMP_WAIT_PASSIVE);

  private NativeMemory() {}

  /** Adds our settings to a child process's environment, each unless its variable is set there already. */
  public static void into(Map<String, String> environment) {
    DEFAULTS.forEach(environment::putIfAbsent);
  }

  /**
   * Asks for our settings in the executors of the SparkContext created next (as a system property, which
   * SparkConf reads), unless the submitter chose a value; with none chosen, the driver's own value is passed on.
   */
  public static void executorDefault() {
    DEFAULTS.forEach((variable, value) -> {
      String key = "spark.executorEnv." + variable;
      if (System.getProperty(key) == null) {
        String own = System.getenv(variable);
        System.setProperty(key, own == null || own.isBlank() ? value : own);
      }
    });
  }
}
