package org.radlab.cli.cluster;

import org.radlab.core.launch.ProcessTrees;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code radlab cluster start|stop|status}: a detached Spark standalone cluster on this machine,
 * recorded in {@code $RADLAB_HOME/cluster/}.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Start, stop or inspect a Spark standalone cluster on this machine (127.0.0.1 unless --host).",
    subcommands = {ClusterCommand.StartCommand.class, ClusterCommand.StopCommand.class,
        ClusterCommand.StatusCommand.class})
public final class ClusterCommand implements Runnable {

  private static final Duration GRACE = Duration.ofSeconds(10);

  @Spec
  private CommandSpec spec;

  /** Runs the command on its own, as {@code java ... org.radlab.cli.cluster.ClusterCommand}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ClusterCommand()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Name a subcommand: start, stop or status");
  }

  /** {@code cluster start}. */
  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start a master and N workers that keep running after this command exits.")
  public static final class StartCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    @Mixin
    private HomeOption home;

    @Option(names = "--workers", required = true, paramLabel = "N",
        description = "Number of workers.")
    private int workers;

    @Option(names = "--cores", paramLabel = "C", defaultValue = "1",
        description = "Cores per worker (default: ${DEFAULT-VALUE}).")
    private int cores;

    @Option(names = "--memory", paramLabel = "M", defaultValue = "2g",
        description = "Memory per worker for executors, e.g. 512m, 2g (default: ${DEFAULT-VALUE}).")
    private String memory;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7077",
        description = "Master port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--webui-port", paramLabel = "PORT", defaultValue = "8080",
        description = "Master web UI port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int webUiPort;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = StandaloneCluster.HOST,
        description = "Address the master (and the workers, without --worker-hosts) binds to "
            + "(default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--worker-hosts", paramLabel = "ADDRESS", split = ",",
        description = "One address per worker, comma-separated (default: the master's).")
    private List<String> workerHosts = List.of();

    @Option(names = "--worker-launcher", paramLabel = "COMMAND",
        description = "A command that starts each worker where it belongs: it is run as COMMAND N -- java ..."
            + " (N: the worker's number from 1) and must execute what follows --. bench/cluster-sim uses it to put"
            + " each worker in a network namespace and cgroup of its own.")
    private String workerLauncher;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "How long to wait for all workers (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path clusterDir = ClusterRecord.clusterDir(home.resolve());
      try {
        Optional<ClusterRecord> existing = ClusterRecord.read(clusterDir);
        if (existing.isPresent() && existing.get().anyAlive()) {
          err.printf("A RadLab cluster is already running: %s (web UI %s, master pid %d).%n"
              + "Stop it first with 'radlab cluster stop', or use another --home.%n",
              existing.get().masterUrl(), existing.get().webUiUrl(), existing.get().masterPid());
          return 1;
        }
        if (existing.isPresent()) {
          out.printf("Forgetting the cluster recorded at %s: its processes are gone.%n",
              existing.get().masterUrl());
          ClusterRecord.delete(clusterDir);
        }
        List<String> launcher = workerLauncher == null || workerLauncher.isBlank() ? List.of()
            : List.of(workerLauncher.trim().split("\\s+"));
        StandaloneCluster cluster = StandaloneCluster.builder()
            .setStateDir(clusterDir).setWorkers(workers).optCoresPerWorker(cores)
            .optPlacement(new Placement(host, workerHosts, launcher))
            .optMemoryPerWorker(memory).optMasterPort(port).optWebUiPort(webUiPort)
            .optStartTimeout(Duration.ofSeconds(timeoutSeconds)).optDetached(true)
            .start();
        try {
          ClusterRecord.of(cluster).write(clusterDir);
        } catch (IOException e) {
          cluster.stop();
          throw e;
        }
        out.printf("Spark master:  %s%n", cluster.masterUrl());
        out.printf("Web UI:        %s%n", cluster.webUiUrl());
        out.printf("Workers:       %d, each %d core(s) and %s%n", workers, cores, memory);
        out.printf("Logs:          %s%n", clusterDir.resolve("logs"));
        out.printf("Submit with 'radlab submit --class ...'; stop with 'radlab cluster stop'.%n");
        return 0;
      } catch (IOException | ClusterException | IllegalArgumentException e) {
        err.println("Cannot start the cluster: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code cluster stop}. */
  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop the cluster that 'radlab cluster start' started.")
  public static final class StopCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    @Mixin
    private HomeOption home;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Path clusterDir = ClusterRecord.clusterDir(home.resolve());
      try {
        Optional<ClusterRecord> record = ClusterRecord.read(clusterDir);
        if (record.isEmpty()) {
          out.printf("No RadLab cluster is running (nothing recorded in %s).%n", clusterDir);
          return 0;
        }
        List<ProcessHandle> live = new ArrayList<>(record.get().liveWorkers());
        record.get().liveMaster().ifPresent(live::add);
        for (ProcessHandle process : live) {
          ProcessTrees.terminate(process, GRACE);
        }
        ClusterRecord.delete(clusterDir);
        if (live.isEmpty()) {
          out.printf("No RadLab cluster is running: the one recorded at %s had already stopped."
              + " Removed its record.%n", record.get().masterUrl());
        } else {
          out.printf("Stopped the RadLab cluster at %s (%d processes).%n",
              record.get().masterUrl(), live.size());
        }
        return 0;
      } catch (IOException e) {
        spec.commandLine().getErr().println("Cannot stop the cluster: " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code cluster status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the master URL, alive workers, cores and memory of the cluster.")
  public static final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;
    @Mixin
    private HomeOption home;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path clusterDir = ClusterRecord.clusterDir(home.resolve());
      try {
        Optional<ClusterRecord> record = ClusterRecord.read(clusterDir);
        if (record.isEmpty() || record.get().liveMaster().isEmpty()) {
          out.printf("No RadLab cluster is running (%s). Start one with "
              + "'radlab cluster start --workers N'.%n", record.isEmpty()
              ? "nothing recorded in " + clusterDir
              : "the master recorded at " + record.get().masterUrl() + " has stopped");
          return 1;
        }
        MasterStatus status = MasterWebUi.fetch(record.get().webUiUrl(), Duration.ofSeconds(10));
        out.printf("Master:        %s (%s)%n", status.url(), status.status());
        out.printf("Web UI:        %s%n", record.get().webUiUrl());
        out.printf("Workers:       %d alive of %d recorded%n", status.aliveWorkers(),
            record.get().workerPids().size());
        out.printf("Cores:         %d (%d in use)%n", status.cores(), status.coresUsed());
        out.printf("Memory:        %d MiB (%d MiB in use)%n", status.memoryMb(),
            status.memoryUsedMb());
        out.printf("Applications:  %d running, %d completed%n", status.activeApps().size(),
            status.completedApps().size());
        for (MasterStatus.Worker w : status.workers()) {
          out.printf("  %s  %s  %d/%d cores  %d/%d MiB  %s%n", w.id(), w.state(), w.coresUsed(),
              w.cores(), w.memoryUsedMb(), w.memoryMb(), w.webUiAddress());
        }
        return 0;
      } catch (IOException e) {
        err.println("The cluster's master process is running but its web UI did not answer: "
            + e.getMessage() + ". Read " + clusterDir.resolve("logs/master.log") + ".");
        return 1;
      }
    }
  }
}
