package org.radlab.cli.cluster;

import org.radlab.core.Workspace;
import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.ClassDataArchive;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SubmitRequest;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.ProcessTrees;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code radlab submit}: runs a Spark job class through {@code SparkSubmit} in a child JVM and
 * returns its exit code.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = {"Run a Spark job class with spark-submit in a child process.",
        "Master: --master, else the running 'radlab cluster', else local[*]."})
public final class SubmitCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;
  @Mixin
  private HomeOption home;

  @Option(names = "--master", paramLabel = "URL",
      description = "local[*], spark://host:port, yarn or k8s://... "
          + "(default: the running radlab cluster, else local[*]).")
  private String master;

  @Option(names = "--class", required = true, paramLabel = "CLASS",
      description = "The job's main class.")
  private String mainClass;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark property; repeatable.")
  private Map<String, String> conf = new LinkedHashMap<>();

  @Option(names = "--properties-file", paramLabel = "FILE",
      description = "Spark properties file, e.g. cluster-config/spark-defaults.conf.")
  private Path propertiesFile;

  @Option(names = "--executor-memory", paramLabel = "M", description = "e.g. 1g.")
  private String executorMemory;

  @Option(names = "--driver-memory", paramLabel = "M",
      description = "e.g. 2g; also the driver JVM's -Xmx.")
  private String driverMemory;

  @Option(names = "--total-executor-cores", paramLabel = "N",
      description = "Cores for the whole job (standalone).")
  private Integer totalExecutorCores;

  @Option(names = "--app-jar", paramLabel = "JAR",
      description = "The jar holding the class (default: found on the RadLab class path).")
  private Path appJar;

  @Parameters(paramLabel = "ARGS", description = "Arguments for the job's main method.")
  private List<String> args = new ArrayList<>();

  private final ProcessBuilder.Redirect output;

  /** The job's stdout and stderr go to this command's own. */
  public SubmitCommand() {
    this(ProcessBuilder.Redirect.INHERIT);
  }

  /** The job's stdout and stderr both go to {@code output} (for example a job log file). */
  public SubmitCommand(ProcessBuilder.Redirect output) {
    this.output = output;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Path radlabHome = home.resolve();
    try {
      ClassDataArchive.Launch jvm = ClassDataArchive.launch(SparkClasspath.ofRunningJvm(),
          new Workspace(radlabHome).cache());
      List<Path> classpath = jvm.classpath();
      Path jar = appJar != null ? appJar
          : AppJars.containing(mainClass, classpath, radlabHome.resolve("app-jars"));
      SubmitRequest request = SubmitRequest.of(chooseMaster(radlabHome, err), mainClass, jar)
          .withConf(conf).withExecutorMemory(executorMemory).withDriverMemory(driverMemory)
          .withTotalExecutorCores(totalExecutorCores).withPropertiesFile(propertiesFile)
          .withAppArgs(args);
      err.printf("radlab submit: %s from %s%n", mainClass, jar);
      err.flush();
      return run(SparkSubmitProcess.builder(request, classpath, jvm.jvmOptions()));
    } catch (IOException | IllegalArgumentException e) {
      err.println("Cannot submit " + mainClass + ": " + e.getMessage());
      return 1;
    }
  }

  private String chooseMaster(Path radlabHome, PrintWriter err) throws IOException {
    if (master != null) {
      err.printf("radlab submit: master %s (from --master)%n", master);
      return master;
    }
    Path clusterDir = ClusterRecord.clusterDir(radlabHome);
    Optional<ClusterRecord> cluster = ClusterRecord.read(clusterDir)
        .filter(r -> r.liveMaster().isPresent());
    if (cluster.isPresent()) {
      err.printf("radlab submit: master %s (the radlab cluster recorded in %s)%n",
          cluster.get().masterUrl(), clusterDir);
      return cluster.get().masterUrl();
    }
    err.printf("radlab submit: master local[*] (no radlab cluster is running in %s)%n",
        clusterDir);
    return "local[*]";
  }

  private int run(ProcessBuilder builder) throws IOException, InterruptedException {
    if (output != ProcessBuilder.Redirect.INHERIT) {
      builder.redirectErrorStream(true).redirectOutput(output);
    }
    Process process = builder.start();
    Thread stopChild = new Thread(() -> ProcessTrees.terminate(process.toHandle(),
        Duration.ofSeconds(10)), "radlab-submit-stop");
    Runtime.getRuntime().addShutdownHook(stopChild);
    try {
      return process.waitFor();
    } finally {
      if (process.isAlive()) {
        ProcessTrees.terminate(process.toHandle(), Duration.ofSeconds(10));
      }
      try {
        Runtime.getRuntime().removeShutdownHook(stopChild);
      } catch (IllegalStateException shuttingDown) {
        // the hook is already stopping the child
      }
    }
  }
}
