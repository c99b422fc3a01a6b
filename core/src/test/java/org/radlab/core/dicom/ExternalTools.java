package org.radlab.core.dicom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the GDCM and DCMTK command-line tools that the tests use as independent references. */
final class ExternalTools {
  private ExternalTools() {}

  record Run(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  static boolean available(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool));
  }

  static Run run(Path workDir, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(workDir, "tool-", ".log");
    Process p = new ProcessBuilder(List.of(command)).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
      return new Run(-1, "timed out: " + String.join(" ", command));
    }
    String out = Files.readString(log, StandardCharsets.ISO_8859_1);
    Files.deleteIfExists(log);
    return new Run(p.exitValue(), out);
  }

  /** The pixel values of an uncompressed little-endian file, extracted with gdcmraw, unpacked by the test code. */
  static int[] pixelValues(Path workDir, Path uncompressed) throws IOException, InterruptedException {
    Path raw = Files.createTempFile(workDir, "pixels-", ".raw");
    Run r = run(workDir, "/usr/bin/gdcmraw", "-i", uncompressed.toString(), "-o", raw.toString(), "-t", "7fe0,0010");
    if (!r.ok()) {
      throw new IOException("gdcmraw failed: " + r.output());
    }
    int[] values = ReferencePixels.fromDump(dump(workDir, uncompressed)).unpack(Files.readAllBytes(raw));
    Files.deleteIfExists(raw);
    return values;
  }

  /**
   * Top-level elements of a {@code dcmdump} listing (nested sequence items are indented and skipped):
   * tag "gggg,eeee" to the printed value without brackets.
   */
  static Map<String, String> dump(Path workDir, Path file) throws IOException, InterruptedException {
    Run r = run(workDir, "/usr/bin/dcmdump", "-q", file.toString());
    if (!r.ok()) {
      throw new IOException("dcmdump failed on " + file + ": " + r.output());
    }
    Map<String, String> values = new HashMap<>();
    for (String line : r.output().split("\n")) {
      if (!line.startsWith("(") || line.length() < 15) {
        continue;
      }
      String tag = line.substring(1, 10).toLowerCase(java.util.Locale.ROOT);
      String rest = line.substring(15);
      int hash = rest.lastIndexOf(" #");
      String value = (hash >= 0 ? rest.substring(0, hash) : rest).trim();
      if (value.startsWith("[") && value.contains("]")) {
        value = value.substring(1, value.indexOf(']'));
      } else if (value.startsWith("=")) {
        value = value.substring(1);
      }
      values.putIfAbsent(tag, value.trim());
    }
    return values;
  }
}
