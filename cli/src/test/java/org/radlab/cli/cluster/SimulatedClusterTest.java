package org.radlab.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.launch.JavaCommand;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkJvmFlags;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * bench/cluster-sim, as the scaling benchmarks use it: two nodes of a quarter core each, in network namespaces of
 * their own behind shaped links; a prep job whose executors really run inside the nodes (their CPU is counted in
 * the nodes' cgroups, which throttle them, and they bind to the nodes' addresses); a small training whose replicas
 * average in a ring between the nodes; the links' byte counters against a known payload; then nothing is left
 * behind, also when the start fails half-way.
 */
class SimulatedClusterTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SIM = ROOT.resolve("bench/cluster-sim");
  private static final String NAME = "rsimt" + (ProcessHandle.current().pid() % 10000);
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

  @TempDir Path tmp;

  @AfterEach
  void down() throws Exception {
    sim("down");
  }

  @Test
  void twoQuarterCoreNodesRunAPrepJobInsideTheirCgroupsAndNamespaces() throws Exception {
    Run up = sim("up", "--nodes", "2", "--cpu", "0.25", "--bandwidth", "50mbit", "--driver-bandwidth", "80mbit",
        "--memory", "1g");
    assertEquals(0, up.code(), up.output());
    assertTrue(up.output().contains("master=spark://10.213.0.1:7077"), up.output());

    // The namespaces, the links' shaping (both directions) and the nodes' CPU limits, as the kernel reports them.
    String namespaces = run(List.of("ip", "netns", "list"), Map.of()).output();
    for (String ns : List.of(NAME + "-hub", NAME + "-drv", NAME + "-n1", NAME + "-n2")) {
      assertTrue(namespaces.contains(ns), namespaces);
    }
    String driverLink = run(List.of("tc", "-n", NAME + "-hub", "qdisc", "show", "dev", "vd"), Map.of()).output()
        + run(List.of("tc", "-n", NAME + "-drv", "qdisc", "show", "dev", "eth0"), Map.of()).output();
    assertEquals(2, driverLink.split("rate 80Mbit", -1).length - 1, driverLink);
    for (int n = 1; n <= 2; n++) {
      String hubSide = run(List.of("tc", "-n", NAME + "-hub", "qdisc", "show", "dev", "v" + n), Map.of()).output();
      String nodeSide = run(List.of("tc", "-n", NAME + "-n" + n, "qdisc", "show", "dev", "eth0"), Map.of()).output();
      assertTrue(hubSide.contains("tbf") && hubSide.contains("rate 50Mbit"), hubSide);
      assertTrue(nodeSide.contains("tbf") && nodeSide.contains("rate 50Mbit"), nodeSide);
      assertEquals("25000", read(group("cpu", "n" + n).resolve("cpu.cfs_quota_us")));
      assertEquals("100000", read(group("cpu", "n" + n).resolve("cpu.cfs_period_us")));
    }
    assertNotEquals(read(group("cpuset", "driver").resolve("cpuset.cpus")),
        read(group("cpuset", "n1").resolve("cpuset.cpus")), "the driver has a core of its own");

    // A prep job as the cluster's driver.
    Path input = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "6",
        "--seed", "9", "--rows", "300", "--columns", "240"));
    long dicomFiles;
    try (var files = Files.walk(input)) {
      dicomFiles = files.filter(p -> p.toString().endsWith(".dcm")).count();
    }
    long[] before = {usage("n1"), usage("n2")};
    Path dataset = tmp.resolve("dataset");
    Run prep = sim("exec", "--", "sh", "-c", "exec \"$0\" prep --master \"$SIM_MASTER\" --input \"$1\" --dataset \"$2\"",
        radlab().toString(), input.toString(), dataset.toString());
    assertEquals(0, prep.code(), prep.output());
    JsonNode summary = new ObjectMapper().readTree(dataset.resolve("summary.json").toFile());
    assertEquals(dicomFiles, summary.path("images").asLong(), summary.toString());

    for (int n = 1; n <= 2; n++) {
      double cpuSeconds = (usage("n" + n) - before[n - 1]) / 1e9;
      assertTrue(cpuSeconds > 1, "node " + n + "'s cgroup counted only " + cpuSeconds + " CPU-s of the job: its "
          + "executor did not run inside it");
      String stat = read(group("cpu", "n" + n).resolve("cpu.stat"));
      long throttled = Long.parseLong(stat.replaceAll("(?s).*nr_throttled (\\d+).*", "$1"));
      assertTrue(throttled > 0, "node " + n + " was never held to its quarter core: " + stat);
      // The worker launched the executor with the node's own address.
      String stderr = executorLogs(n);
      assertTrue(stderr.contains("10.213.0." + (10 + n)), "node " + n + "'s executor log: " + stderr);
    }

    trainInARingBetweenTheNodes(input, dataset);

    // The links' byte counters, against a known payload: 5 MB from node 1 to a listener in the driver's namespace.
    Map<String, long[]> start = counters();
    Path listening = tmp.resolve("listening");
    ProcessBuilder listener = new ProcessBuilder(SIM.toString(), "exec", "--", "/usr/bin/python3", "-c",
        "import socket, sys\n"
            + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('10.213.0.1', 7600)); s.listen(1); open(sys.argv[1], 'w').close()\n"
            + "c, _ = s.accept(); n = 0\n"
            + "while True:\n    b = c.recv(1 << 16)\n    if not b: break\n    n += len(b)\n"
            + "print(n)\n", listening.toString()).redirectErrorStream(true);
    listener.environment().putAll(simEnvironment());
    Path received = tmp.resolve("received.txt");
    Process server = listener.redirectOutput(received.toFile()).start();
    for (int i = 0; i < 300 && !Files.exists(listening); i++) {
      Thread.sleep(100);
    }
    Run send = sim("enter", "1", "--", "/usr/bin/python3", "-c", "import socket\n"
        + "s = socket.create_connection(('10.213.0.1', 7600)); s.sendall(bytes(5000000)); s.close()\n");
    assertEquals(0, send.code(), send.output());
    assertTrue(server.waitFor(2, TimeUnit.MINUTES));
    assertEquals("5000000", Files.readString(received).trim());
    Map<String, long[]> end = counters();
    long nodeSent = end.get("n1")[0] - start.get("n1")[0];
    long driverReceived = end.get("driver")[1] - start.get("driver")[1];
    for (long bytes : new long[] {nodeSent, driverReceived}) {
      assertTrue(bytes >= 5_000_000 && bytes < 5_500_000, "counted " + bytes + " bytes for a 5 MB payload: " + end);
    }

    Run down = sim("down");
    assertEquals(0, down.code(), down.output());
    assertNothingLeft();
  }

  /**
   * A small training on the two nodes, the replicas averaging in a ring: each round's change goes from node to node
   * over their links, not through the driver's. A replica sends its whole fp32 change every round (2 (N-1)/N of it
   * with N = 2), so each node's link carries at least rounds x 4 x parameters out; the driver's carries only the
   * start (the initial weights, the tasks), well under half of that. Through the driver it would carry the change to
   * both nodes every round: twice a node's.
   */
  private void trainInARingBetweenTheNodes(Path input, Path dataset) throws Exception {
    // two classes, alternating over synth's studies, so that both have studies whatever the split
    List<String> rows = Files.readAllLines(input.resolve("labels.csv"));
    List<String> header = List.of(rows.get(0).split(","));
    int study = header.indexOf("StudyInstanceUID");
    StringBuilder labels = new StringBuilder("StudyInstanceUID,label\n");
    for (int i = 1; i < rows.size(); i++) {
      labels.append(rows.get(i).split(",")[study]).append(i % 2 == 0 ? ",A\n" : ",B\n");
    }
    Files.writeString(tmp.resolve("ab.csv"), labels);
    Path snapshot = tmp.resolve("ab-snapshot.csv");
    Run imported = run(List.of(radlab().toString(), "labels", "import", "--dataset", dataset.toString(), "--csv",
        tmp.resolve("ab.csv").toString(), "--label-column", "label", "--classes", "A,B", "--out", snapshot.toString()),
        simEnvironment());
    assertEquals(0, imported.code(), imported.output());
    Path model = tmp.resolve("model");
    Map<String, Object> cfg = new java.util.LinkedHashMap<>();
    cfg.put("dataset", dataset.toString());
    cfg.put("labels", snapshot.toString());
    cfg.put("classes", List.of("A", "B"));
    cfg.put("architecture", "resnet18");
    cfg.put("width", 0.125);
    cfg.put("inputSize", 32);
    cfg.put("batchSize", 4); // two images per replica: batch norm needs more than one
    cfg.put("maxEpochs", 6);
    cfg.put("exchange", "ring");
    cfg.put("jobId", "sim-ring");
    cfg.put("output", model.toString());
    Path config = tmp.resolve("ring.json");
    new ObjectMapper().writeValue(config.toFile(), cfg);
    Map<String, long[]> before = counters();
    Run train = sim("exec", "--", "sh", "-c", "exec \"$0\" submit --master \"$SIM_MASTER\" --executor-memory 700m"
        + " --conf spark.scheduler.minRegisteredResourcesRatio=1.0 --conf spark.ui.enabled=false"
        + " --class org.radlab.train.TrainJob -- \"$1\"", radlab().toString(), config.toString());
    assertEquals(0, train.code(), train.output());
    Map<String, long[]> after = counters();
    JsonNode card = new ObjectMapper().readTree(model.resolve("model.json").toFile());
    assertEquals("completed", card.get("status").asText(), card.toString());
    assertEquals(2, card.get("replicas").asInt(), "a replica on each node");
    List<String> progress = Files.readAllLines(tmp.resolve("home/jobs/sim-ring/progress"));
    assertTrue(progress.stream().anyMatch(l -> l.contains("\"event\":\"start\"") && l.contains("\"exchange\":"
        + "\"ring\"")), String.join("\n", progress));
    long rounds = progress.stream().filter(l -> l.contains("\"event\":\"step\"")).count();
    long parameters = card.get("parameterCount").asLong();
    long ringBytes = rounds * 4 * parameters;
    assertTrue(rounds >= 12, rounds + " rounds");
    long driverOut = after.get("driver")[0] - before.get("driver")[0];
    System.out.println("ring training: " + rounds + " rounds of " + parameters + " parameters; bytes out: driver "
        + driverOut + ", n1 " + (after.get("n1")[0] - before.get("n1")[0]) + ", n2 "
        + (after.get("n2")[0] - before.get("n2")[0]));
    for (String node : List.of("n1", "n2")) {
      long out = after.get(node)[0] - before.get(node)[0];
      assertTrue(out >= ringBytes, node + " sent " + out + " bytes, less than its " + rounds + " rounds' changes ("
          + ringBytes + ")");
      assertTrue(driverOut < out / 2, "the driver's link sent " + driverOut + " bytes, node " + node + "'s " + out
          + ": the rounds went through the driver");
    }
  }

  @Test
  void aStartThatFailsHalfWayUndoesItselfAndBadOptionsAreRefused() throws Exception {
    Run tooMuch = sim("up", "--nodes", "3", "--cpu", "0.5");
    assertNotEquals(0, tooMuch.code());
    assertTrue(tooMuch.output().contains("at most one core"), tooMuch.output());
    Run badRate = sim("up", "--bandwidth", "fast");
    assertNotEquals(0, badRate.code());
    assertTrue(badRate.output().contains("a bandwidth looks like"), badRate.output());

    // The namespaces and cgroups exist when the workers fail to start (bad memory size): all are removed again.
    Run failed = sim("up", "--nodes", "1", "--memory", "lots");
    assertNotEquals(0, failed.code(), failed.output());
    assertTrue(failed.output().contains("Worker memory must look like 512m or 2g"), failed.output());
    assertTrue(failed.output().contains("undoing it"), failed.output());
    assertNothingLeft();
  }

  private void assertNothingLeft() throws Exception {
    String namespaces = run(List.of("ip", "netns", "list"), Map.of()).output();
    assertFalse(namespaces.contains(NAME + "-"), namespaces);
    for (String controller : List.of("cpu", "cpuset", "cpuacct")) {
      assertFalse(Files.exists(CGROUPS.resolve(controller).resolve(NAME)), controller + " cgroup left behind");
    }
  }

  private String executorLogs(int node) throws IOException {
    Path work = tmp.resolve("sim/home/cluster/work/worker-" + node);
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(work)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        all.append(Files.readString(f));
      }
    }
    return all.toString();
  }

  private static Path group(String controller, String member) {
    return CGROUPS.resolve(controller).resolve(NAME).resolve(member);
  }

  private static long usage(String member) throws IOException {
    return Long.parseLong(read(group("cpuacct", member).resolve("cpuacct.usage")));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file).trim();
  }

  /** A radlab command for the simulation: this test's class path, as bin/radlab would run it. */
  private Path radlab() throws IOException {
    Path script = tmp.resolve("radlab");
    if (!Files.exists(script)) {
      List<String> words = new ArrayList<>();
      words.add(JavaCommand.executable());
      words.addAll(SparkJvmFlags.LIST);
      words.addAll(List.of("-Xmx1g", "-cp", SparkClasspath.join(SparkClasspath.ofRunningJvm()),
          "org.radlab.cli.RadLab"));
      StringBuilder text = new StringBuilder("#!/bin/sh\nexec");
      for (String w : words) {
        text.append(" '").append(w.replace("'", "'\\''")).append('\'');
      }
      text.append(" \"$@\"\n");
      Files.writeString(script, text);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return script;
  }

  /** {@code bench/cluster-sim counters}: member -> {sent, received}. */
  private Map<String, long[]> counters() throws Exception {
    Run run = sim("counters");
    assertEquals(0, run.code(), run.output());
    Map<String, long[]> bytes = new HashMap<>();
    for (String line : run.output().strip().split("\n")) {
      String[] f = line.split(" ");
      bytes.put(f[0], new long[] {Long.parseLong(f[1].substring("sent=".length())),
          Long.parseLong(f[2].substring("received=".length()))});
    }
    return bytes;
  }

  private Run sim(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SIM.toString()));
    command.addAll(List.of(args));
    return run(command, simEnvironment());
  }

  private Map<String, String> simEnvironment() throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("RADLAB_SIM_NAME", NAME);
    env.put("RADLAB_SIM_WORK", tmp.resolve("sim").toString());
    env.put("RADLAB_SIM_RADLAB", radlab().toString());
    env.put("RADLAB_HOME", tmp.resolve("home").toString());
    return env;
  }

  private Run run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "run", ".log");
    builder.redirectOutput(out.toFile());
    Process p = builder.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish: " + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }

  private record Run(int code, String output) {}
}
