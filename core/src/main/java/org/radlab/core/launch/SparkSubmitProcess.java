package org.radlab.core.launch;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the child process that runs {@code org.apache.spark.deploy.SparkSubmit}: the same way for
 * the CLI, the control API's job runner and tests.
 *
 * <p>We start {@code java} ourselves instead of Spark's {@code spark-submit} script, so the things
 * that script's launcher would do for a client-mode driver are done here: Spark's module flags,
 * the driver heap ({@code -Xmx} from {@code --driver-memory}),
 * {@code spark.driver.extraJavaOptions} and {@code spark.driver.extraClassPath}. Executors need nothing
 * extra: SparkContext adds the module flags to {@code spark.executor.extraJavaOptions} by itself (checked
 * on Spark 4.2.0).
 */
public final class SparkSubmitProcess {

  public static final String MAIN_CLASS = "org.apache.spark.deploy.SparkSubmit";

  /** The address Spark binds to when the master is on this machine. */
  public static final String LOOPBACK = "127.0.0.1";

  private SparkSubmitProcess() {}

  /**
   * A process builder for {@code request}, its environment completed by {@link #environment}. Output is
   * inherited; redirect it on the returned builder as needed.
   */
  public static ProcessBuilder builder(SubmitRequest request, List<Path> classpath) {
    return builder(request, classpath, List.of());
  }

  /** The same, with {@code jvmOptions} for the driver JVM (see {@link #command(SubmitRequest, List, List)}). */
  public static ProcessBuilder builder(SubmitRequest request, List<Path> classpath, List<String> jvmOptions) {
    ProcessBuilder builder = new ProcessBuilder(command(request, classpath, jvmOptions)).inheritIO();
    environment(request, builder.environment());
    return builder;
  }

  /**
   * What a driver process needs in its environment, where not set already: {@code SPARK_LOCAL_IP=127.0.0.1} when
   * the master is on this machine, and the allocator settings of {@link NativeMemory} (a local-mode driver runs
   * the model replicas itself).
   */
  public static void environment(SubmitRequest request, Map<String, String> env) {
    if (request.masterIsLoopback()) {
      env.putIfAbsent("SPARK_LOCAL_IP", LOOPBACK);
    }
    NativeMemory.into(env);
  }

  /** {@code java <flags> -cp <classpath> SparkSubmit --master ... <app jar> <args>}. */
  public static List<String> command(SubmitRequest request, List<Path> classpath) {
    return command(request, classpath, List.of());
  }

  /**
   * The same, with {@code jvmOptions} for the driver JVM after Spark's module flags (such as {@link
   * ClassDataArchive#options}).
   */
  public static List<String> command(SubmitRequest request, List<Path> classpath, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(JavaCommand.executable());
    command.addAll(SparkJvmFlags.LIST);
    command.addAll(jvmOptions);
    request.driverHeap().ifPresent(heap -> command.add("-Xmx" + heap));
    String driverOptions = request.conf().get("spark.driver.extraJavaOptions");
    if (driverOptions != null) {
      command.addAll(splitOptions(driverOptions));
    }
    String driverClasspath = request.conf().get("spark.driver.extraClassPath");
    String joined = SparkClasspath.join(classpath);
    command.add("-cp");
    command.add(driverClasspath == null || driverClasspath.isBlank()
        ? joined : driverClasspath + File.pathSeparator + joined);
    command.add(MAIN_CLASS);
    command.add("--master");
    command.add(request.master());
    command.add("--class");
    command.add(request.mainClass());
    if (request.executorMemory() != null) {
      command.add("--executor-memory");
      command.add(request.executorMemory());
    }
    if (request.driverMemory() != null) {
      command.add("--driver-memory");
      command.add(request.driverMemory());
    }
    if (request.totalExecutorCores() != null) {
      command.add("--total-executor-cores");
      command.add(request.totalExecutorCores().toString());
    }
    if (request.propertiesFile() != null) {
      command.add("--properties-file");
      command.add(request.propertiesFile().toAbsolutePath().toString());
    }
    request.conf().forEach((key, value) -> {
      command.add("--conf");
      command.add(key + "=" + value);
    });
    command.add(request.appJar().toAbsolutePath().toString());
    command.addAll(request.appArgs());
    return command;
  }

  /** Splits JVM options as a shell would: on spaces, keeping quoted parts together. */
  static List<String> splitOptions(String options) {
    List<String> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inToken = false;
    char quote = 0;
    for (int i = 0; i < options.length(); i++) {
      char c = options.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inToken = true;
      } else if (Character.isWhitespace(c)) {
        if (inToken) {
          result.add(current.toString());
          current.setLength(0);
          inToken = false;
        }
      } else {
        current.append(c);
        inToken = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("Unbalanced quote in spark.driver.extraJavaOptions: "
          + options);
    }
    if (inToken) {
      result.add(current.toString());
    }
    return result;
  }
}
