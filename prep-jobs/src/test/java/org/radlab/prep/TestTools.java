package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.radlab.prep.synth.SynthCommand;

/** Shared set-up for the prep tests: a local Spark session, synthetic studies, and dcmtk as an independent reader. */
final class TestTools {
  private static SparkSession spark;

  private TestTools() {}

  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.start("radlab-prep-test", "local[2]");
    }
    return spark;
  }

  /** Writes {@code studies} synthetic studies into {@code dir} through the real command line. */
  static Path synth(Path dir, int studies, long seed) {
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", dir.toString(), "--studies",
        String.valueOf(studies), "--seed", String.valueOf(seed));
    assertEquals(0, rc, "synth failed");
    return dir;
  }

  static List<Path> dicomFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  /** One attribute's value as dcmtk's dcmdump prints it (an independent DICOM parser), or null. */
  static String dcmdumpValue(Path file, String keyword) throws IOException, InterruptedException {
    String out = run("dcmdump", "-q", "+P", keyword, file.toString());
    for (String line : out.split("\n")) {
      int open = line.indexOf('[');
      int close = line.lastIndexOf(']');
      if (open >= 0 && close > open) {
        return line.substring(open + 1, close).trim();
      }
    }
    return null;
  }

  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
          + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  static List<Path> files(Path dir, String suffix) throws IOException {
    if (!Files.exists(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }
}
