package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LauncherTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** bin/spark-jvm-flags (for bin/radlab and the notebooks' kernel) and the test JVMs carry Spark's module flags. */
  @Test
  void launchersCarrySparksModuleFlags() throws Exception {
    String launcher = Files.readString(ROOT.resolve("bin/spark-jvm-flags"));
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    List<String> missing = new java.util.ArrayList<>();
    for (String flag : JavaModuleOptions.defaultModuleOptionArray()) {
      if (!launcher.contains(flag)) {
        missing.add("bin/spark-jvm-flags: " + flag);
      }
      if (!pom.contains(flag)) {
        missing.add("pom.xml: " + flag);
      }
    }
    assertEquals(List.of(), missing);
    // and libtorch's environment, the same as the Java launchers put into the drivers' and executors' environment
    // and the build into the test JVMs'
    org.radlab.core.launch.NativeMemory.DEFAULTS.forEach((variable, value) -> {
      assertTrue(launcher.contains("export " + variable + "=\"${" + variable + ":-" + value + "}\""), launcher);
      assertTrue(pom.contains("<" + variable + ">" + value + "</" + variable + ">"), "pom.xml's test environment");
    });
  }

  @Test
  void helpListsEverySubcommandAndEachHasItsOwnHelp() {
    CommandLine cli = RadLab.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("--help"));
    for (String name : List.of("demo", "synth", "prep", "labels", "train", "evaluate", "assess", "metrics", "serve",
        "cluster", "submit", "notebook")) {
      assertTrue(out.toString().contains(name), name + " missing from:\n" + out);
      StringWriter sub = new StringWriter();
      CommandLine fresh = RadLab.commandLine();
      fresh.setOut(new PrintWriter(sub));
      assertEquals(0, fresh.execute(name, "--help"), name);
      assertTrue(sub.toString().contains("Usage: radlab " + name), sub.toString());
    }
  }

  @Test
  void aTypoGetsASuggestionAndAnError() {
    CommandLine cli = RadLab.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int rc = cli.execute("prepp");
    assertNotEquals(0, rc);
    assertTrue(err.toString().contains("prep"), err.toString());
  }

  @Test
  void prepWithoutInputNamesWhatIsMissing() {
    CommandLine cli = RadLab.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int rc = cli.execute("prep", "--dataset", "/tmp/never-written");
    assertNotEquals(0, rc);
    assertTrue(err.toString().contains("--input"), err.toString());
  }
}
