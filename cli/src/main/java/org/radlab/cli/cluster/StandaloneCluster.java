package org.radlab.cli.cluster;

import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.ProcessTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on this machine: one master and N workers, each a child JVM bound to
 * 127.0.0.1 (or where a {@link Placement} puts it) and started from the running JVM's own class path (no Spark
 * download).
 *
 * <pre>{@code
 * try (StandaloneCluster cluster = StandaloneCluster.builder()
 *     .setStateDir(dir).setWorkers(2).optMemoryPerWorker("2g").start()) {
 *   SparkSession.builder().master(cluster.masterUrl())...
 * }
 * }</pre>
 *
 * <p>The state directory holds {@code logs/master.log}, {@code logs/worker-<i>.log}, each
 * worker's {@code work/worker-<i>} directory and the {@code spark-home/} the workers launch
 * executors from (see {@link SparkHome}). {@link #start} returns once the master reports every
 * worker ALIVE. An attached cluster (the default) is also stopped when this JVM exits; a detached
 * one ({@code optDetached(true)}) keeps running until someone stops its processes.
 *
 * <p>This class holds the running cluster (its processes, executors and stopping) and the {@link Builder}'s
 * settings; {@link ClusterLaunch} starts it.
 */
public final class StandaloneCluster implements AutoCloseable {

  /** The host every daemon binds to. */
  public static final String HOST = SparkSubmitProcess.LOOPBACK;
  /** Marks a daemon's command line as belonging to the cluster whose state directory follows. */
  public static final String MARKER_PROPERTY = "radlab.cluster.dir";
  public static final String MASTER_CLASS = "org.apache.spark.deploy.master.Master";
  public static final String WORKER_CLASS = "org.apache.spark.deploy.worker.Worker";

  /** How long a stopped or killed process may take to exit. */
  static final Duration GRACE = Duration.ofSeconds(10);
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[kKmMgGtT]?");

  private final Path stateDir;
  private final String masterUrl;
  private final URI webUiUrl;
  private final List<Path> logs;
  private final ProcessHandle master;
  private final List<ProcessHandle> workers;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread shutdownHook;

  StandaloneCluster(Path stateDir, String masterUrl, URI webUiUrl, List<Path> logs,
      ProcessHandle master, List<ProcessHandle> workers, boolean detached) {
    this.stateDir = stateDir;
    this.masterUrl = masterUrl;
    this.webUiUrl = webUiUrl;
    this.logs = List.copyOf(logs);
    this.master = master;
    this.workers = List.copyOf(workers);
    this.shutdownHook = detached ? null : new Thread(this::stop, "radlab-cluster-stop");
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code spark://127.0.0.1:<port>}, or the placement's master address. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The master's web UI, {@code http://127.0.0.1:<port>}. */
  public URI webUiUrl() {
    return webUiUrl;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** {@code logs/master.log}, then {@code logs/worker-1.log} and on. */
  public List<Path> logFiles() {
    return logs;
  }

  public ProcessHandle masterProcess() {
    return master;
  }

  public List<ProcessHandle> workerProcesses() {
    return workers;
  }

  /** The master's current state, read over HTTP. */
  public MasterStatus status() throws IOException {
    return MasterWebUi.fetch(webUiUrl, Duration.ofSeconds(10));
  }

  /** The executor JVMs that this cluster's workers are running now. */
  public List<ExecutorProcess> executors() {
    List<ExecutorProcess> result = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      int workerIndex = i + 1;
      workers.get(i).descendants()
          .filter(p -> p.isAlive() && ProcessTrees.hasArgument(p, ExecutorProcess.MAIN_CLASS))
          .forEach(p -> result.add(new ExecutorProcess(p.pid(),
              ProcessTrees.argumentValue(p, "--executor-id").orElse("?"),
              ProcessTrees.argumentValue(p, "--app-id").orElse("?"), workerIndex,
              Arrays.asList(p.info().arguments().orElse(new String[0])))));
    }
    return result;
  }

  /**
   * Sends SIGKILL ({@code kill -9}) to one executor JVM of this cluster and waits until it has
   * gone, as a lost machine would. Empty if no executor is running.
   */
  public Optional<ExecutorProcess> killOneExecutor() {
    Optional<ExecutorProcess> victim = executors().stream().findFirst();
    victim.ifPresent(this::kill9);
    return victim;
  }

  /** Sends SIGKILL to this executor and waits until it has gone. */
  public void kill9(ExecutorProcess executor) {
    ProcessHandle handle = ProcessHandle.of(executor.pid())
        .orElseThrow(() -> new ClusterException("Executor " + executor.executorId()
            + " (pid " + executor.pid() + ") is not running"));
    if (!ProcessTrees.kill9(handle, GRACE)) {
      throw new ClusterException("Executor pid " + executor.pid() + " survived SIGKILL for "
          + GRACE.toSeconds() + " s");
    }
  }

  /** Stops the workers (and their executors), then the master. Safe to call more than once. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    for (ProcessHandle worker : workers) {
      ProcessTrees.terminate(worker, GRACE);
    }
    ProcessTrees.terminate(master, GRACE);
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or about to; nothing to undo
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Settings of a cluster to start; {@link #start()} checks them before launching anything. */
  public static final class Builder {
    private Path stateDir;
    private int workers = -1;
    private int coresPerWorker = 1;
    private String memoryPerWorker = "2g";
    private int masterPort;
    private int webUiPort;
    private boolean detached;
    private Duration startTimeout = Duration.ofSeconds(120);
    private List<Path> classpath;
    private Placement placement = Placement.LOOPBACK;

    private Builder() {}

    /** Where logs, work directories and the generated SPARK_HOME go. Required. */
    public Builder setStateDir(Path dir) {
      this.stateDir = dir;
      return this;
    }

    /** How many workers. Required, at least 1. */
    public Builder setWorkers(int count) {
      this.workers = count;
      return this;
    }

    /** Cores each worker offers; default 1. */
    public Builder optCoresPerWorker(int cores) {
      this.coresPerWorker = cores;
      return this;
    }

    /** Memory each worker offers to executors, as {@code 512m} or {@code 2g}; default 2g. */
    public Builder optMemoryPerWorker(String memory) {
      this.memoryPerWorker = memory;
      return this;
    }

    /** The master's RPC port; 0 (the default) picks a free one. */
    public Builder optMasterPort(int port) {
      this.masterPort = port;
      return this;
    }

    /** The master's web UI port; 0 (the default) picks a free one. */
    public Builder optWebUiPort(int port) {
      this.webUiPort = port;
      return this;
    }

    /** True: keep running after this JVM exits (the CLI's {@code cluster start}). */
    public Builder optDetached(boolean value) {
      this.detached = value;
      return this;
    }

    /** How long to wait for the master and every worker; default 120 s. */
    public Builder optStartTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** The class path for the daemons and executors; default: the running JVM's. */
    public Builder optClasspath(List<Path> entries) {
      this.classpath = List.copyOf(entries);
      return this;
    }

    /** Where the daemons run; default {@link Placement#LOOPBACK}. */
    public Builder optPlacement(Placement where) {
      this.placement = where;
      return this;
    }

    /** Starts the master and workers and waits until all workers are ALIVE. */
    public StandaloneCluster start() throws IOException {
      check();
      return new ClusterLaunch(new ClusterLaunch.Settings(stateDir, workers, coresPerWorker, memoryPerWorker,
          masterPort, webUiPort, detached, startTimeout, classpath, placement)).run();
    }

    private void check() {
      if (stateDir == null) {
        throw new IllegalArgumentException("A cluster needs a state directory: setStateDir(dir)");
      }
      if (workers < 1) {
        throw new IllegalArgumentException("A cluster needs at least 1 worker, got " + workers);
      }
      if (placement == null) {
        throw new IllegalArgumentException("A cluster needs a placement (Placement.LOOPBACK by default)");
      }
      placement.checkWorkers(workers);
      if (coresPerWorker < 1) {
        throw new IllegalArgumentException("Cores per worker must be at least 1, got "
            + coresPerWorker);
      }
      if (memoryPerWorker == null || !MEMORY.matcher(memoryPerWorker).matches()) {
        throw new IllegalArgumentException("Worker memory must look like 512m or 2g, got '"
            + memoryPerWorker + "'");
      }
      checkPort("master port", masterPort);
      checkPort("web UI port", webUiPort);
      if (masterPort != 0 && masterPort == webUiPort) {
        throw new IllegalArgumentException("The master port and web UI port must differ");
      }
      if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("The start timeout must be positive");
      }
    }

    private static void checkPort(String what, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("The " + what + " must be 0 (any free port) or "
            + "1-65535, got " + port);
      }
    }
  }
}
