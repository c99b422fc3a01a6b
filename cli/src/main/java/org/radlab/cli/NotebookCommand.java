package org.radlab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.radlab.core.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code radlab notebook}: Jupyter on 127.0.0.1 over the notebooks folder, with the "radlab" kernel (Kotlin, RadLab's
 * jars on the classpath, a JVM ready for a local SparkSession) that bin/bootstrap installs.
 */
@Command(name = "notebook", mixinStandardHelpOptions = true,
    description = {"Start Jupyter on 127.0.0.1 over the notebooks folder. Its kernel \"radlab\" runs Kotlin with "
        + "RadLab's own jars on the classpath, so cells call the same code as the jobs (and can start Spark in local "
        + "mode). The notebooks read and write the workspace ($RADLAB_HOME or ./radlab-home).",
        "Jupyter prints the address to open, with its access token. Ctrl-C stops it."})
public final class NotebookCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8888", description = "Port (default ${DEFAULT-VALUE}; Jupyter takes the "
      + "next free one if it is busy).")
  int port;

  @Option(names = "--dir", paramLabel = "DIR", description = "Folder of notebooks (default: the project's "
      + "notebooks/).")
  Path dir;

  @Option(names = "--home", paramLabel = "DIR", description = "Workspace the notebooks use (default $RADLAB_HOME or "
      + "./radlab-home).")
  Path home;

  @Option(names = "--browser", description = "Also open a web browser on this machine.")
  boolean browser;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path notebooks = dir != null ? dir : projectRoot().resolve("notebooks");
    if (!Files.isDirectory(notebooks)) {
      throw new IllegalArgumentException("no notebooks folder at " + notebooks + "; give one with --dir");
    }
    String kernels = run(List.of("jupyter", "kernelspec", "list"));
    if (kernels == null) {
      throw new IllegalStateException("Jupyter is not installed; run bin/bootstrap (it installs Debian's "
          + "jupyter-notebook)");
    }
    if (!kernels.lines().anyMatch(l -> l.trim().startsWith("radlab "))) {
      throw new IllegalStateException("the Jupyter kernel \"radlab\" is not installed; run bin/bootstrap");
    }
    Path workspace = (home != null ? home : Workspace.home()).toAbsolutePath();
    List<String> command = new ArrayList<>(List.of("jupyter", "notebook", "--ip=127.0.0.1", "--port=" + port,
        "--notebook-dir=" + notebooks.toAbsolutePath()));
    if (!browser) {
      command.add("--no-browser");
    }
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--allow-root"); // Jupyter refuses root otherwise; containers and fresh machines often are root
    }
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().put("RADLAB_HOME", workspace.toString());
    System.out.printf("Jupyter over %s, workspace %s, kernel \"radlab\"; it prints the address to open.%n",
        notebooks.toAbsolutePath(), workspace);
    Process jupyter = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (jupyter.isAlive()) {
        jupyter.destroy();
      }
    }));
    return jupyter.waitFor();
  }

  /** The project folder: $RADLAB_ROOT (set by bin/radlab), else the working directory. */
  static Path projectRoot() {
    String root = System.getenv("RADLAB_ROOT");
    return Path.of(root != null && !root.isBlank() ? root : ".").toAbsolutePath().normalize();
  }

  /** A command's output, or null when it cannot be run or fails. */
  private static String run(List<String> command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    }
  }
}
