package org.radlab.cli.cluster;

import org.radlab.core.launch.JavaCommand;
import org.radlab.core.launch.SparkJvmFlags;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the Spark daemons of one cluster (master, workers) as child JVMs: each with the cluster's marker on its
 * command line, the jars of its {@link SparkHome} as class path, and its output in a log file; a detached one in a
 * session of its own ({@code setsid}). Also reads the end of a daemon's log for error messages.
 *
 * @param stateDir the cluster's state directory (absolute): the daemons' working directory and marker
 * @param detached whether the daemons are to outlive this JVM
 */
record DaemonLauncher(Path stateDir, SparkHome sparkHome, boolean detached) {
  private static final String DAEMON_HEAP = "-Xmx512m";

  /**
   * Starts {@code mainClass} with {@code args}, bound to {@code host}, its standard output and error going to
   * {@code log}; {@code prefix} (a {@link Placement}'s launcher, or nothing) goes before {@code java}.
   */
  ProcessHandle start(Path log, String host, List<String> prefix, String mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (detached) {
      setsid().ifPresent(command::add);
    }
    command.addAll(prefix);
    command.add(JavaCommand.executable());
    command.addAll(SparkJvmFlags.LIST);
    command.add(DAEMON_HEAP);
    command.add("-D" + StandaloneCluster.MARKER_PROPERTY + "=" + stateDir);
    command.add("-cp");
    command.add(sparkHome.jarsWildcard());
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(stateDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = builder.environment();
    env.put("SPARK_HOME", sparkHome.dir().toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", host);
    env.remove("SPARK_CONF_DIR");
    return builder.start().toHandle();
  }

  /** The last {@code lines} lines of a log, or why it cannot be read. */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** setsid(1) puts a detached daemon in its own session, away from the terminal's signals. */
  private static Optional<String> setsid() {
    for (String dir : List.of("/usr/bin", "/bin")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
