package org.radlab.core.launch;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One spark-submit run: where, which class from which jar, with which settings and arguments.
 * Checked when built, before any process starts.
 *
 * @param master {@code local[*]}, {@code spark://host:port}, {@code yarn}, {@code k8s://...}
 * @param mainClass the job's main class
 * @param appJar the jar that holds it; spark-submit ships it to the executors
 * @param conf Spark properties, passed as {@code --conf key=value} in this order
 * @param executorMemory {@code --executor-memory}, or null for Spark's default
 * @param driverMemory {@code --driver-memory} and the driver JVM's {@code -Xmx}, or null
 * @param totalExecutorCores {@code --total-executor-cores} (standalone), or null
 * @param propertiesFile {@code --properties-file}, or null
 * @param appArgs arguments for the main class
 */
public record SubmitRequest(String master, String mainClass, Path appJar, Map<String, String> conf,
    String executorMemory, String driverMemory, Integer totalExecutorCores, Path propertiesFile,
    List<String> appArgs) {

  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[kKmMgGtT]?");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

  public SubmitRequest {
    if (master == null || master.isBlank()) {
      throw new IllegalArgumentException("A master is required, such as local[*] or "
          + "spark://127.0.0.1:7077");
    }
    if (mainClass == null || !CLASS_NAME.matcher(mainClass).matches()) {
      throw new IllegalArgumentException("--class needs a fully qualified class name, got '"
          + mainClass + "'");
    }
    if (appJar == null) {
      throw new IllegalArgumentException("An application jar is required");
    }
    checkMemory("--executor-memory", executorMemory);
    checkMemory("--driver-memory", driverMemory);
    if (totalExecutorCores != null && totalExecutorCores < 1) {
      throw new IllegalArgumentException("--total-executor-cores must be at least 1, got "
          + totalExecutorCores);
    }
    Map<String, String> ordered = new LinkedHashMap<>(conf == null ? Map.of() : conf);
    ordered.forEach((key, value) -> {
      if (key == null || key.isBlank() || value == null) {
        throw new IllegalArgumentException("--conf needs key=value, got " + key + "=" + value);
      }
    });
    conf = Collections.unmodifiableMap(ordered);
    appArgs = List.copyOf(appArgs == null ? List.of() : appArgs);
  }

  /** A request with no extra settings; add them with the {@code with...} methods. */
  public static SubmitRequest of(String master, String mainClass, Path appJar) {
    return new SubmitRequest(master, mainClass, appJar, Map.of(), null, null, null, null,
        List.of());
  }

  public SubmitRequest withConf(Map<String, String> values) {
    Map<String, String> merged = new LinkedHashMap<>(conf);
    merged.putAll(values);
    return new SubmitRequest(master, mainClass, appJar, merged, executorMemory, driverMemory,
        totalExecutorCores, propertiesFile, appArgs);
  }

  public SubmitRequest withExecutorMemory(String memory) {
    return new SubmitRequest(master, mainClass, appJar, conf, memory, driverMemory,
        totalExecutorCores, propertiesFile, appArgs);
  }

  public SubmitRequest withDriverMemory(String memory) {
    return new SubmitRequest(master, mainClass, appJar, conf, executorMemory, memory,
        totalExecutorCores, propertiesFile, appArgs);
  }

  public SubmitRequest withTotalExecutorCores(Integer cores) {
    return new SubmitRequest(master, mainClass, appJar, conf, executorMemory, driverMemory,
        cores, propertiesFile, appArgs);
  }

  public SubmitRequest withPropertiesFile(Path file) {
    return new SubmitRequest(master, mainClass, appJar, conf, executorMemory, driverMemory,
        totalExecutorCores, file, appArgs);
  }

  public SubmitRequest withAppArgs(List<String> args) {
    return new SubmitRequest(master, mainClass, appJar, conf, executorMemory, driverMemory,
        totalExecutorCores, propertiesFile, args);
  }

  /** The driver's heap: {@code --driver-memory}, else {@code spark.driver.memory} in conf. */
  public Optional<String> driverHeap() {
    if (driverMemory != null) {
      return Optional.of(driverMemory);
    }
    return Optional.ofNullable(conf.get("spark.driver.memory"));
  }

  /** True for masters on this machine: local mode, or a standalone master on the loopback. */
  public boolean masterIsLoopback() {
    return master.startsWith("local")
        || master.startsWith("spark://127.0.0.1:")
        || master.startsWith("spark://localhost:");
  }

  private static void checkMemory(String option, String value) {
    if (value != null && !MEMORY.matcher(value).matches()) {
      throw new IllegalArgumentException(option + " must look like 512m or 2g, got '" + value
          + "'");
    }
  }
}
