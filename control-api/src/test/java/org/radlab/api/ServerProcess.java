package org.radlab.api;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.radlab.core.launch.JavaCommand;
import org.radlab.core.launch.ProcessTrees;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkJvmFlags;

/** The control API as a real child process ({@code ServeCommand}), for tests that must kill it. */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/api");
  final Process process;
  final int port;
  final String firstToken;
  final Path log;

  private ServerProcess(Process process, int port, String firstToken, Path log) {
    this.process = process;
    this.port = port;
    this.firstToken = firstToken;
    this.log = log;
  }

  static ServerProcess start(Path home, Path log, String... options) throws IOException {
    return start(List.of(), java.util.Map.of(), home, log, options);
  }

  /**
   * The server started through {@code prefix} (a command that runs the rest, such as {@code bench/pacs-sim exec --},
   * which runs it in a network namespace), with {@code environment} added.
   */
  static ServerProcess start(List<String> prefix, java.util.Map<String, String> environment, Path home, Path log,
      String... options) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(JavaCommand.executable());
    command.addAll(SparkJvmFlags.LIST);
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(SparkClasspath.join(SparkClasspath.ofRunningJvm()));
    command.add(ServeCommand.class.getName());
    command.addAll(List.of("--port", "0", "--home", home.toString()));
    command.addAll(List.of(options));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(environment);
    long from = Files.exists(log) ? Files.size(log) : 0;
    // A new workspace says it made the first admin's token just after the listening line: wait for both.
    boolean expectToken = !Files.exists(home.resolve("radlab.db"));
    Process process = builder.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log).substring((int) from) : "";
      Matcher m = LISTENING.matcher(text);
      boolean tokenMade = text.contains("An admin API token was made");
      if (m.find() && (tokenMade || !expectToken)) {
        // The token is never in the output: a start that made one says so and writes it to admin-token.
        String token = tokenMade ? Files.readString(home.resolve("admin-token")).strip() : null;
        return new ServerProcess(process, Integer.parseInt(m.group(1)), token, log);
      }
      if (!process.isAlive()) {
        fail("the server exited with " + process.exitValue() + ":\n" + text);
      }
      Fixtures.sleep(100);
    }
    process.destroyForcibly();
    fail("the server did not start in 2 minutes:\n" + Files.readString(log));
    return null;
  }

  /** {@code kill -9}: no shutdown hook, no graceful anything. */
  void kill9() {
    ProcessTrees.kill9(process.toHandle(), Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy); // a server started through a prefix is its child
    if (process.isAlive()) {
      process.destroy();
      ProcessTrees.awaitExit(process.toHandle(), Duration.ofSeconds(30));
      process.destroyForcibly();
    }
  }
}
