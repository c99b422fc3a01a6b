package org.radlab.cli.cluster;

import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.ProcessTrees;
import org.radlab.core.launch.JavaCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cluster start/status/stop} and {@code submit} through picocli, with the RadLab home in a
 * temporary directory. The cluster is started by a separate JVM that exits, to show that it
 * stays up on its own.
 */
class ClusterCommandTest {

  @TempDir
  Path home;

  private final List<Long> recordedPids = new ArrayList<>();

  @AfterEach
  void stopLeftovers() throws IOException {
    Duration grace = Duration.ofSeconds(10);
    ClusterRecord.read(ClusterRecord.clusterDir(home)).ifPresent(record -> {
      record.liveWorkers().forEach(p -> ProcessTrees.terminate(p, grace));
      record.liveMaster().ifPresent(p -> ProcessTrees.terminate(p, grace));
    });
  }

  @Test
  void startStatusSubmitStopAcrossProcesses() throws Exception {
    Run before = cluster("status");
    assertEquals(1, before.exitCode());
    assertTrue(before.out().contains("No RadLab cluster is running"), before.out());

    Process starter = startInAnotherJvm();
    assertTrue(starter.waitFor(3, TimeUnit.MINUTES), "cluster start did not return");
    String starterOutput = Files.readString(home.resolve("start.log"));
    assertEquals(0, starter.exitValue(), starterOutput);

    ClusterRecord record = ClusterRecord.read(ClusterRecord.clusterDir(home)).orElseThrow();
    recordedPids.add(record.masterPid());
    recordedPids.addAll(record.workerPids());
    assertTrue(starterOutput.contains("Spark master:  " + record.masterUrl()), starterOutput);
    assertTrue(starterOutput.contains("Web UI:        " + record.webUiUrl()), starterOutput);
    assertTrue(record.liveMaster().isPresent(), "the master outlives the JVM that started it");
    assertEquals(2, record.liveWorkers().size(), "the workers outlive the JVM that started it");
    JsonNode json = masterJson(record.webUiUrl());
    assertEquals(2, json.path("aliveworkers").asInt());
    assertEquals(record.masterUrl(), json.path("url").asText());

    Run again = cluster("start", "--workers", "1", "--port", "0", "--webui-port", "0");
    assertEquals(1, again.exitCode());
    assertTrue(again.err().contains("already running: " + record.masterUrl()), again.err());

    Run status = cluster("status");
    assertEquals(0, status.exitCode(), status.err());
    assertTrue(status.out().contains("Master:        " + record.masterUrl() + " (ALIVE)"),
        status.out());
    assertTrue(status.out().contains("Workers:       2 alive of 2"), status.out());
    assertTrue(status.out().contains("Cores:         2 (0 in use)"), status.out());
    assertTrue(status.out().contains("Memory:        2048 MiB (0 MiB in use)"), status.out());

    Path jobLog = home.resolve("job.log");
    StringWriter submitErr = new StringWriter();
    CommandLine submit = new CommandLine(new SubmitCommand(ProcessBuilder.Redirect.to(
        jobLog.toFile())));
    submit.setErr(new PrintWriter(submitErr, true));
    int submitExit = submit.execute("--home", home.toString(), "--class",
        SumOfSquaresApp.class.getName(), "--executor-memory", "512m", "--driver-memory", "512m",
        "--", "3000", "4");
    String jobOutput = Files.readString(jobLog);
    assertEquals(0, submitExit, submitErr + jobOutput);
    assertTrue(submitErr.toString().contains("master " + record.masterUrl()
        + " (the radlab cluster recorded in"), submitErr.toString());
    assertTrue(jobOutput.contains("sum-of-squares n=3000 result="
        + SumOfSquaresApp.expected(3000)), jobOutput);
    assertTrue(jobOutput.contains("master=" + record.masterUrl()), jobOutput);
    JsonNode completed = masterJson(record.webUiUrl()).path("completedapps");
    assertEquals(1, completed.size());
    assertEquals(SumOfSquaresApp.APP_NAME, completed.get(0).path("name").asText());

    Run stop = cluster("stop");
    assertEquals(0, stop.exitCode(), stop.err());
    assertTrue(stop.out().contains("Stopped the RadLab cluster at " + record.masterUrl()
        + " (3 processes)"), stop.out());
    for (long pid : recordedPids) {
      assertFalse(ClusterProcesses.alive(pid), "pid " + pid + " still running");
    }
    assertEquals(List.of(), ClusterProcesses.carryingMarker(ClusterRecord.clusterDir(home)));
    assertFalse(Files.exists(ClusterRecord.clusterDir(home).resolve(ClusterRecord.FILE_NAME)));

    Run stopAgain = cluster("stop");
    assertEquals(0, stopAgain.exitCode());
    assertTrue(stopAgain.out().contains("No RadLab cluster is running"), stopAgain.out());
    assertEquals(1, cluster("status").exitCode());
  }

  @Test
  void stopForgetsARecordWhoseProcessesAreGone() throws IOException {
    Path clusterDir = ClusterRecord.clusterDir(home);
    new ClusterRecord("spark://127.0.0.1:1", URI.create("http://127.0.0.1:2"), deadPid(),
        List.of(deadPid()), clusterDir, java.time.Instant.now()).write(clusterDir);

    Run stop = cluster("stop");

    assertEquals(0, stop.exitCode());
    assertTrue(stop.out().contains("had already stopped"), stop.out());
    assertFalse(Files.exists(clusterDir.resolve(ClusterRecord.FILE_NAME)));
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : List.of("start", "stop", "status")) {
      Run help = cluster(sub, "--help");
      assertEquals(0, help.exitCode(), sub);
      assertTrue(help.out().startsWith("Usage: cluster " + sub), help.out());
      assertTrue(help.out().contains("--home"), help.out());
    }
    assertTrue(cluster("start", "--help").out().contains("--workers=N"));
    Run none = new Run(new CommandLine(new ClusterCommand()));
    assertEquals(2, none.execute().exitCode());
    assertTrue(none.err().contains("Name a subcommand"), none.err());
  }

  @Test
  void startRejectsBadSettingsWithAClearMessage() {
    Run run = cluster("start", "--workers", "0", "--port", "0", "--webui-port", "0");

    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("at least 1 worker"), run.err());
    assertFalse(Files.exists(ClusterRecord.clusterDir(home).resolve(ClusterRecord.FILE_NAME)));
  }

  /** A process id that belongs to no running process: one of a process that has exited. */
  private static long deadPid() throws IOException {
    Process p = new ProcessBuilder("true").start();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return p.pid();
  }

  private Process startInAnotherJvm() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(JavaCommand.executable());
    command.add("-cp");
    command.add(SparkClasspath.join(SparkClasspath.ofRunningJvm()));
    command.add(ClusterCommand.class.getName());
    command.addAll(List.of("start", "--workers", "2", "--cores", "1", "--memory", "1g",
        "--port", "0", "--webui-port", "0", "--home", home.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve("start.log").toFile()).start();
  }

  private Run cluster(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      all.add("--home");
      all.add(home.toString());
    }
    return new Run(new CommandLine(new ClusterCommand())).execute(all.toArray(String[]::new));
  }

  private static JsonNode masterJson(URI webUi) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(webUi.resolve("/json/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return new ObjectMapper().readTree(response.body());
  }

  /** One picocli execution with its output captured. */
  private static final class Run {
    private final CommandLine commandLine;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private int exitCode = -1;

    Run(CommandLine commandLine) {
      this.commandLine = commandLine;
      commandLine.setOut(new PrintWriter(out, true));
      commandLine.setErr(new PrintWriter(err, true));
    }

    Run execute(String... args) {
      exitCode = commandLine.execute(args);
      return this;
    }

    int exitCode() {
      return exitCode;
    }

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }
  }
}
