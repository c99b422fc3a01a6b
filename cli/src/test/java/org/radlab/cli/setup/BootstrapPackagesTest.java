package org.radlab.cli.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fresh Debian machine has every command the project runs once bin/bootstrap has installed its package list:
 * each command below (found by reading src/main, src/test, bin/, bench/ and notebooks/ for the programs they start)
 * is on the PATH (or at the absolute path the project runs it by) and comes from a package of that list, from a
 * package those depend on, or from Debian's essential set. The list is read from bin/bootstrap itself, so the test
 * follows the script.
 */
class BootstrapPackagesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Each command the project runs, and where. */
  static final Map<String, String> COMMANDS = new LinkedHashMap<>();

  static {
    for (String c : List.of("apt-get", "dpkg-query", "unzip", "mvn", "cmp", "mktemp", "awk", "sed", "grep", "tr", "sort",
        "tail", "find", "env", "id", "dirname")) {
      COMMANDS.put(c, "bin/bootstrap");
    }
    // Python is always run by this path, so a python3 of another kind earlier on the PATH is not what they get
    COMMANDS.put("/usr/bin/python3", "bin/bootstrap, PretrainedTorchScriptTest, the detection metrics and loss tests "
        + "(numpy, which python3-torch brings), bench/train, bench/web");
    COMMANDS.put("java", "bin/radlab, the notebooks' kernel, the cluster and job launchers");
    COMMANDS.put("jupyter", "bin/bootstrap (kernelspec install), radlab notebook, NotebooksTest (nbconvert)");
    COMMANDS.put("jupyter-kernelspec", "jupyter kernelspec: bin/bootstrap, radlab notebook, NotebooksTest");
    COMMANDS.put("jupyter-notebook", "jupyter notebook: radlab notebook");
    COMMANDS.put("jupyter-nbconvert", "jupyter nbconvert: NotebooksTest");
    COMMANDS.put("gdcmconv", "ExternalDecoder (JPEG-LS, 12-bit lossy JPEG), core's codec tests");
    COMMANDS.put("/usr/bin/gdcmconv", "ExternalDecoder (first choice), core's codec tests");
    COMMANDS.put("gdcmraw", "core's codec tests");
    for (String c : List.of("dcmcjpeg", "dcmcjpls", "dcmcrle")) {
      COMMANDS.put(c, "synth's compressed variants (DcmtkTranscoder), core's codec tests");
    }
    for (String c : List.of("dcmdump", "dcmconv", "dcmdjpeg", "dcmdjpls", "dcmdrle", "dcmodify")) {
      COMMANDS.put(c, "core's and prep's tests (dcmtk references)");
    }
    COMMANDS.put("dsrdump", "ClassificationReportWriterTest and PullTest (the reports radlab send stores)");
    COMMANDS.put("dcmj2pnm", "bench/prep (the dcmtk reference)");
    COMMANDS.put("/usr/bin/chromium", "WebPagesTest and bench/web (through playwright-core)");
    COMMANDS.put("node", "bin/bootstrap (the web build), WebPagesTest (e2e scenarios), bench/web");
    COMMANDS.put("npm", "bin/bootstrap (npm ci, npm run build)");
    COMMANDS.put("wrk", "bench/api");
    COMMANDS.put("curl", "bench/api");
    COMMANDS.put("git", "bench/* (the commit in the results), bin/fresh-debian-check");
    COMMANDS.put("sha256sum", "QueueAndLoadTest (a model archive's SHA256SUMS)");
    COMMANDS.put("setsid", "the cluster launcher (DaemonLauncher), Hadoop's shell helpers");
    COMMANDS.put("kill", "Hadoop's shell helpers");
    COMMANDS.put("ps", "procps, kept for looking at a cluster by hand");
    COMMANDS.put("pkill", "procps, kept for stopping a cluster by hand");
    COMMANDS.put("taskset", "bench/prep (one-core runs)");
    COMMANDS.put("sh", "the job launcher (JobRunner), tests");
    COMMANDS.put("bash", "bin/*, bench/*, cluster-config/gpu-discovery.sh");
    COMMANDS.put("ip", "bench/cluster-sim (network namespaces, links), SimulatedClusterTest");
    COMMANDS.put("tc", "bench/cluster-sim (each node's bandwidth), SimulatedClusterTest");
    COMMANDS.put("Orthanc", "bench/pacs-sim (the PACS of PullTest and bench/pull)");
    for (String c : List.of("nsenter", "nproc", "seq", "paste", "id")) {
      COMMANDS.putIfAbsent(c, "bench/cluster-sim");
    }
    for (String c : List.of("mmdebstrap", "chroot", "mount", "umount", "mountpoint", "findmnt")) {
      COMMANDS.put(c, "bin/fresh-debian-check");
    }
  }

  /** dpkg-query -S takes a while: each path is asked once. */
  private static final Map<Path, Optional<String>> OWNERS = new HashMap<>();

  static DebianPackages dpkg;
  static List<String> listed;

  @BeforeAll
  static void read() throws Exception {
    assertTrue(DebianPackages.onPath("dpkg-query").isPresent(), "dpkg-query is missing: RadLab runs on Debian");
    dpkg = DebianPackages.load();
    listed = DebianPackages.bootstrapList(Files.readString(ROOT.resolve("bin/bootstrap")));
  }

  @Test
  void everyCommandTheProjectRunsComesFromThePackagesTheBootstrapInstalls() throws Exception {
    List<String> problems = problems(listed);
    assertEquals(List.of(), problems, "bin/bootstrap's DEBIAN_PACKAGES: " + listed);
  }

  /** The check itself can fail: without jupyter-client, `jupyter kernelspec` (the fresh-machine bug) is caught. */
  @Test
  void withoutJupyterClientTheKernelSpecCommandIsReported() throws Exception {
    assertTrue(listed.contains("jupyter-client"), listed.toString());
    List<String> without = new ArrayList<>(listed);
    without.remove("jupyter-client");
    List<String> problems = problems(without);
    assertEquals(1, problems.stream().filter(p -> p.startsWith("jupyter-kernelspec ")).count(), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("package jupyter-client,")), problems.toString());
    // and nothing else depended on jupyter-client
    assertEquals(1, problems.size(), problems.toString());
  }

  /** Only the list counts, not what happens to be installed: an empty list leaves chromium and dcmtk uncovered. */
  @Test
  void anEmptyListCoversOnlyTheEssentialCommands() throws Exception {
    List<String> problems = problems(List.of());
    for (String c : List.of("/usr/bin/chromium", "dcmdump", "gdcmconv", "wrk", "mvn", "java", "node")) {
      assertTrue(problems.stream().anyMatch(p -> p.startsWith(c + " ")), c + " not reported: " + problems);
    }
    for (String c : List.of("sh", "bash", "sha256sum", "mktemp", "setsid", "chroot")) {
      assertFalse(problems.stream().anyMatch(p -> p.startsWith(c + " ")), c + " is essential: " + problems);
    }
  }

  @Test
  void aCommandMissingFromThePathIsReported() throws Exception {
    assertEquals(Optional.empty(), DebianPackages.onPath("radlab-no-such-command-" + ProcessHandle.current().pid()));
  }

  /** The list is the array's words, without the comments that explain them. */
  @Test
  void theListIsReadWithoutItsComments() {
    String script = "#!/bin/bash\nX=(a)\nDEBIAN_PACKAGES=(\n  one two   # the build (maven)\n"
        + "  # a whole comment line\n  three\n)\nOTHER=(four)\n";
    assertEquals(List.of("one", "two", "three"), DebianPackages.bootstrapList(script));
    assertFalse(listed.isEmpty());
    for (String name : listed) {
      assertTrue(name.matches("[a-z0-9][a-z0-9.+-]+"), "not a Debian package name: " + name);
    }
  }

  /** Each command not covered by the packages, with why. */
  private static List<String> problems(List<String> packages) throws Exception {
    Set<String> covered = dpkg.closure(packages);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : COMMANDS.entrySet()) {
      String command = e.getKey();
      Optional<Path> path = command.startsWith("/")
          ? Optional.of(Path.of(command)).filter(Files::isExecutable) : DebianPackages.onPath(command);
      if (path.isEmpty()) {
        problems.add(command + " (used by " + e.getValue() + ") is not on the PATH");
        continue;
      }
      Optional<String> owner = OWNERS.containsKey(path.get()) ? OWNERS.get(path.get())
          : DebianPackages.owner(path.get());
      OWNERS.put(path.get(), owner);
      if (owner.isEmpty()) {
        problems.add(command + " (used by " + e.getValue() + ") is " + path.get().toRealPath()
            + ", which no Debian package installed");
      } else if (!covered.contains(owner.get())) {
        problems.add(command + " (used by " + e.getValue() + ") comes from package " + owner.get()
            + ", which the list neither names nor brings as a dependency");
      }
    }
    return problems;
  }
}
