package org.radlab.cli.cluster;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.launch.ProcessTrees;

/**
 * The detached cluster that {@code radlab cluster start} left running, as written to
 * {@code $RADLAB_HOME/cluster/cluster.properties}: its master URL, web UI and process ids.
 *
 * <p>A pid only counts as this cluster's while the process still carries the cluster's marker
 * ({@code -Dradlab.cluster.dir=<state dir>}) on its command line, so a pid that the system has
 * since given to another process is never stopped.
 */
public record ClusterRecord(String masterUrl, URI webUiUrl, long masterPid, List<Long> workerPids,
    Path stateDir, Instant startedAt) {

  public static final String FILE_NAME = "cluster.properties";

  public ClusterRecord {
    workerPids = List.copyOf(workerPids);
    stateDir = stateDir.toAbsolutePath().normalize();
  }

  /** {@code <radlab home>/cluster}: the state directory of the CLI's cluster. */
  public static Path clusterDir(Path radlabHome) {
    return radlabHome.resolve("cluster");
  }

  /** What to record for a cluster that was just started. */
  public static ClusterRecord of(StandaloneCluster cluster) {
    return new ClusterRecord(cluster.masterUrl(), cluster.webUiUrl(),
        cluster.masterProcess().pid(),
        cluster.workerProcesses().stream().map(ProcessHandle::pid).toList(),
        cluster.stateDir(), Instant.now());
  }

  /** The record in {@code clusterDir}, if there is one. */
  public static Optional<ClusterRecord> read(Path clusterDir) throws IOException {
    Path file = clusterDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    try {
      List<Long> workers = new ArrayList<>();
      String list = p.getProperty("worker.pids", "").trim();
      if (!list.isEmpty()) {
        Arrays.stream(list.split(",")).map(String::trim).map(Long::parseLong).forEach(workers::add);
      }
      return Optional.of(new ClusterRecord(require(p, "master.url", file),
          URI.create(require(p, "webui.url", file)), Long.parseLong(require(p, "master.pid", file)),
          workers, Path.of(require(p, "state.dir", file)),
          Instant.parse(p.getProperty("started.at", Instant.EPOCH.toString()))));
    } catch (RuntimeException e) {
      throw new IOException("The cluster record " + file + " is damaged (" + e.getMessage()
          + "). Stop any leftover Spark processes by hand and delete the file.", e);
    }
  }

  /** Writes {@code clusterDir/cluster.properties}, replacing it atomically. */
  public void write(Path clusterDir) throws IOException {
    Files.createDirectories(clusterDir);
    Properties p = new Properties();
    p.setProperty("master.url", masterUrl);
    p.setProperty("webui.url", webUiUrl.toString());
    p.setProperty("master.pid", Long.toString(masterPid));
    p.setProperty("worker.pids",
        String.join(",", workerPids.stream().map(String::valueOf).toList()));
    p.setProperty("state.dir", stateDir.toString());
    p.setProperty("started.at", startedAt.toString());
    AtomicFiles.write(clusterDir.resolve(FILE_NAME),
        out -> p.store(out, "RadLab standalone cluster, written by 'radlab cluster start'"));
  }

  /** Removes the record file. */
  public static void delete(Path clusterDir) throws IOException {
    Files.deleteIfExists(clusterDir.resolve(FILE_NAME));
  }

  /** The recorded master process, if it is still running and still ours. */
  public Optional<ProcessHandle> liveMaster() {
    return ProcessTrees.liveWithArgument(masterPid, marker());
  }

  /** The recorded worker processes that are still running and still ours. */
  public List<ProcessHandle> liveWorkers() {
    return workerPids.stream()
        .flatMap(pid -> ProcessTrees.liveWithArgument(pid, marker()).stream())
        .toList();
  }

  /** True if any recorded process is still running. */
  public boolean anyAlive() {
    return liveMaster().isPresent() || !liveWorkers().isEmpty();
  }

  private String marker() {
    return "-D" + StandaloneCluster.MARKER_PROPERTY + "=" + stateDir;
  }

  private static String require(Properties p, String key, Path file) {
    String value = p.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing " + key + " in " + file);
    }
    return value.trim();
  }
}
