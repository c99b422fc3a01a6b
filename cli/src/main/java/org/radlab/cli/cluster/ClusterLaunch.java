package org.radlab.cli.cluster;


import org.radlab.core.launch.ProcessTrees;
import org.radlab.core.launch.SparkClasspath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One start attempt of a {@link StandaloneCluster}: prepares the state directory, launches the master, waits for
 * it, launches the workers, waits for them ({@link StartupWait}), and stops every process it started if any of
 * that fails.
 */
final class ClusterLaunch {

  /** What to start, as {@link StandaloneCluster.Builder} checked it; {@code classpath} null for the JVM's own. */
  record Settings(Path stateDir, int workers, int coresPerWorker, String memoryPerWorker, int masterPort,
      int webUiPort, boolean detached, Duration startTimeout, List<Path> classpath, Placement placement) {}

  private final Settings spec;
  private final Path stateDir;
  private final Path logDir;
  private final List<ProcessHandle> started = new ArrayList<>();

  ClusterLaunch(Settings spec) {
    this.spec = spec;
    this.stateDir = spec.stateDir().toAbsolutePath().normalize();
    this.logDir = stateDir.resolve("logs");
  }

  StandaloneCluster run() throws IOException {
    try {
      return launch();
    } catch (IOException | RuntimeException | Error e) {
      for (ProcessHandle process : started) {
        ProcessTrees.terminate(process, StandaloneCluster.GRACE);
      }
      throw e;
    }
  }

  private StandaloneCluster launch() throws IOException {
    Files.createDirectories(logDir);
    List<Path> classpath = spec.classpath() != null ? spec.classpath()
        : SparkClasspath.ofRunningJvm();
    SparkHome sparkHome = SparkHome.populate(stateDir.resolve("spark-home"), classpath);
    DaemonLauncher daemons = new DaemonLauncher(stateDir, sparkHome, spec.detached());
    Placement placement = spec.placement();
    String host = placement.masterHost();
    int masterPort = LoopbackPorts.portOrFree(host, "master port", spec.masterPort(), "--port");
    int webUiPort = LoopbackPorts.portOrFree(host, "web UI port", spec.webUiPort(), "--webui-port");
    String masterUrl = "spark://" + host + ":" + masterPort;
    URI webUi = URI.create("http://" + host + ":" + webUiPort);

    List<Path> logs = new ArrayList<>();
    Path masterLog = logDir.resolve("master.log");
    logs.add(masterLog);
    ProcessHandle master = start(daemons, masterLog, host, List.of(), StandaloneCluster.MASTER_CLASS,
        List.of("--host", host, "--port", Integer.toString(masterPort),
            "--webui-port", Integer.toString(webUiPort)));
    StartupWait wait = new StartupWait(webUi, spec.startTimeout());
    wait.awaitMaster(master, masterLog);

    List<ProcessHandle> workers = new ArrayList<>();
    for (int i = 1; i <= spec.workers(); i++) {
      Path workDir = Files.createDirectories(stateDir.resolve("work").resolve("worker-" + i));
      Path log = logDir.resolve("worker-" + i + ".log");
      logs.add(log);
      workers.add(start(daemons, log, placement.workerHost(i), placement.workerPrefix(i),
          StandaloneCluster.WORKER_CLASS, List.of("--host", placement.workerHost(i),
          "--webui-port", Integer.toString(LoopbackPorts.freePort(host)),
          "--cores", Integer.toString(spec.coresPerWorker()),
          "--memory", spec.memoryPerWorker(),
          "--work-dir", workDir.toString(), masterUrl)));
    }
    wait.awaitWorkers(master, workers, logs);
    return new StandaloneCluster(stateDir, masterUrl, webUi, logs, master, workers, spec.detached());
  }

  /** Starts a daemon and remembers it, so that a failed start stops it again. */
  private ProcessHandle start(DaemonLauncher daemons, Path log, String host, List<String> prefix, String mainClass,
      List<String> args) throws IOException {
    ProcessHandle handle = daemons.start(log, host, prefix, mainClass, args);
    started.add(handle);
    return handle;
  }
}
