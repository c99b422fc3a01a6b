package org.radlab.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code cluster-config/gpu-discovery.sh} with bash, with a fake {@code nvidia-smi} first on
 * the PATH, and reads its output with Spark's own parser for discovery scripts.
 */
class GpuDiscoveryScriptTest {

  private static final Path SCRIPT = Path.of("..", "cluster-config", "gpu-discovery.sh")
      .toAbsolutePath().normalize();

  @TempDir
  Path bin;

  @Test
  void listsTheIndicesThatNvidiaSmiReports() throws Exception {
    fakeNvidiaSmi("""
        case "$*" in
          "--query-gpu=index --format=csv,noheader") printf '0\\n1\\n' ;;
          *) echo "unexpected arguments: $*" >&2; exit 2 ;;
        esac
        """);

    String json = run();

    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", json);
    ResourceInformation parsed = ResourceInformation.parseJson(json);
    assertEquals("gpu", parsed.name());
    assertArrayEquals(new String[] {"0", "1"}, parsed.addresses());
  }

  @Test
  void toleratesSpacesAndBlankLinesInTheListing() throws Exception {
    fakeNvidiaSmi("printf ' 3 \\n\\n7\\n'");

    assertArrayEquals(new String[] {"3", "7"}, ResourceInformation.parseJson(run()).addresses());
  }

  @Test
  void reportsNoGpuWithoutNvidiaSmi() throws Exception {
    String json = run();

    assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", json);
    assertEquals(0, ResourceInformation.parseJson(json).addresses().length);
  }

  @Test
  void reportsNoGpuWhenNvidiaSmiFails() throws Exception {
    fakeNvidiaSmi("""
        echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
        exit 9
        """);

    assertEquals(0, ResourceInformation.parseJson(run()).addresses().length);
  }

  private void fakeNvidiaSmi(String body) throws IOException {
    Path fake = bin.resolve("nvidia-smi");
    Files.writeString(fake, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs the script with a PATH of the fake bin directory and the basic system tools only. */
  private String run() throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toString());
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString());
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), out);
    return out.strip();
  }
}
