package org.radlab.cli.cluster;

import org.radlab.core.launch.SubmitRequest;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.SparkJvmFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code submit} to local[*]: real SparkSubmit child processes. */
class SubmitCommandTest {

  private static final Path SPARK_DEFAULTS = Path.of("..", "cluster-config", "spark-defaults.conf")
      .toAbsolutePath().normalize();

  @TempDir
  Path home;

  @Test
  void runsAJobLocallyWhenNoClusterIsRecorded() throws Exception {
    assertTrue(Files.isRegularFile(SPARK_DEFAULTS), SPARK_DEFAULTS.toString());
    Submission run = submit("--class", SumOfSquaresApp.class.getName(),
        "--properties-file", SPARK_DEFAULTS.toString(), "--driver-memory", "768m",
        "--", "3000", "3");

    assertEquals(0, run.exitCode(), run.err() + run.output());
    assertTrue(run.err().contains("master local[*] (no radlab cluster is running"), run.err());
    assertTrue(run.output().contains("sum-of-squares n=3000 result="
        + SumOfSquaresApp.expected(3000)), run.output());
    assertTrue(run.output().contains("master=local[*]"), run.output());
    assertTrue(run.output().contains("serializer=org.apache.spark.serializer.KryoSerializer"),
        "the properties file reached the job: " + run.output());
  }

  @Test
  void aFailingJobGivesANonZeroExitCode() throws Exception {
    Submission run = submit("--master", "local[1]", "--class", SumOfSquaresApp.class.getName(),
        "--", "-4", "1");

    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("master local[1] (from --master)"), run.err());
    assertTrue(run.output().contains("n must be >= 0, got -4"), run.output());
  }

  @Test
  void anUnknownClassIsReportedWithoutStartingSpark() throws Exception {
    Submission run = submit("--class", "org.radlab.NoSuchJob", "--", "1");

    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("Class org.radlab.NoSuchJob is not on the RadLab class path"),
        run.err());
    assertFalse(Files.exists(home.resolve("job.log")) && Files.size(home.resolve("job.log")) > 0);
  }

  @Test
  void commandPutsSparkFlagsHeapAndSettingsWhereSparkSubmitExpectsThem() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.b", "2");
    conf.put("spark.a", "1");
    conf.put("spark.driver.extraJavaOptions", "-Dx=1 \"-Dy=a b\"");
    SubmitRequest request = SubmitRequest.of("spark://127.0.0.1:7077", "org.example.Job",
            Path.of("/jobs/job.jar"))
        .withConf(conf).withDriverMemory("3g").withTotalExecutorCores(4)
        .withAppArgs(List.of("--config", "c.json"));

    List<String> command = SparkSubmitProcess.command(request, List.of(Path.of("/lib/a.jar"),
        Path.of("/lib/b.jar")));

    int flags = Collections.indexOfSubList(command, SparkJvmFlags.LIST);
    assertEquals(1, flags);
    int cp = command.indexOf("-cp");
    assertTrue(command.subList(flags, cp).containsAll(List.of("-Xmx3g", "-Dx=1", "-Dy=a b")),
        command.toString());
    assertEquals("/lib/a.jar:/lib/b.jar", command.get(cp + 1));
    assertEquals(List.of(SparkSubmitProcess.MAIN_CLASS, "--master", "spark://127.0.0.1:7077",
            "--class", "org.example.Job", "--driver-memory", "3g", "--total-executor-cores", "4",
            "--conf", "spark.b=2", "--conf", "spark.a=1", "--conf",
            "spark.driver.extraJavaOptions=-Dx=1 \"-Dy=a b\"", "/jobs/job.jar", "--config",
            "c.json"),
        command.subList(cp + 2, command.size()));
    assertTrue(request.masterIsLoopback());
    assertFalse(SubmitRequest.of("spark://10.0.0.5:7077", "org.example.Job", Path.of("a.jar"))
        .masterIsLoopback());
  }

  @Test
  void requestsAreCheckedBeforeAnythingRuns() {
    assertThrows(IllegalArgumentException.class,
        () -> SubmitRequest.of("", "org.example.Job", Path.of("a.jar")));
    assertThrows(IllegalArgumentException.class,
        () -> SubmitRequest.of("local[*]", "not a class", Path.of("a.jar")));
    assertThrows(IllegalArgumentException.class,
        () -> SubmitRequest.of("local[*]", "org.example.Job", Path.of("a.jar"))
            .withExecutorMemory("lots"));
    assertThrows(IllegalArgumentException.class,
        () -> SubmitRequest.of("local[*]", "org.example.Job", Path.of("a.jar"))
            .withTotalExecutorCores(0));
  }

  private Submission submit(String... args) throws Exception {
    Path log = home.resolve("job.log");
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new SubmitCommand(ProcessBuilder.Redirect.to(
        log.toFile())));
    commandLine.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--home";
    all[1] = home.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int exit = commandLine.execute(all);
    String output = Files.exists(log) ? Files.readString(log) : "";
    return new Submission(exit, err.toString(), output);
  }

  private record Submission(int exitCode, String err, String output) {}
}
