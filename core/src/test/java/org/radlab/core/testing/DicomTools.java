package org.radlab.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The independent references the tests of every module compare RadLab with: dcmtk's and GDCM's command-line tools
 * (Debian packages that bin/bootstrap installs), run as child processes, and plain file listings. Nothing here uses
 * RadLab's own DICOM code. Shipped to the other modules in core's test-jar.
 */
public final class DicomTools {
  private static final long TIMEOUT_SECONDS = 300;

  private DicomTools() {}

  /** What a command printed (standard output and error together) and its exit status; -1 when it timed out. */
  public record Run(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** True when {@code tool} is an executable in /usr/bin. */
  public static boolean available(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool));
  }

  /** Runs {@code command} in {@code workDir}; never throws for a failing command (see {@link Run}). */
  public static Run run(Path workDir, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(workDir, "tool-", ".log");
    try {
      Process p = new ProcessBuilder(List.of(command)).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Run(-1, "timed out: " + String.join(" ", command));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Runs {@code command} and returns its output; fails with that output when it exits non-zero or times out. */
  public static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + text);
    }
    return text;
  }

  /** One attribute's value as {@code dcmdump +P KEYWORD} prints it, without brackets; null when the file lacks it. */
  public static String dcmdumpValue(Path file, String keyword) throws IOException, InterruptedException {
    String out = output("dcmdump", "-q", "+P", keyword, file.toString());
    for (String line : out.split("\n")) {
      int open = line.indexOf('[');
      int close = line.lastIndexOf(']');
      if (open >= 0 && close > open) {
        return line.substring(open + 1, close).trim();
      }
    }
    return null;
  }

  /**
   * The top-level attributes of a file as dcmdump prints them, by dictionary keyword, file meta information
   * included; UIDs as numbers, multiple values joined by a backslash. Stops before the pixel data.
   */
  public static Map<String, String> dcmdumpByKeyword(Path file) throws IOException, InterruptedException {
    String out = output("dcmdump", "-q", "-Un", "+sb", "7fe0,0010", file.toString());
    Map<String, String> tags = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      if (!line.startsWith("(")) {
        continue; // comments, and nested sequence items (indented)
      }
      int hash = line.lastIndexOf('#');
      String[] trailer = line.substring(hash + 1).trim().split("\\s+");
      String keyword = trailer[trailer.length - 1];
      String body = line.substring(12, hash).trim(); // after "(gggg,eeee) "
      String value = body.length() > 3 ? body.substring(3).trim() : "";
      if (value.startsWith("[") && value.endsWith("]")) {
        value = value.substring(1, value.length() - 1);
      }
      tags.put(keyword, value);
    }
    return tags;
  }

  /**
   * The top-level elements of a {@code dcmdump} listing by tag, "gggg,eeee" in lower case, to the printed value
   * without brackets (nested sequence items are indented and skipped; the first of a repeated tag wins).
   */
  public static Map<String, String> dcmdumpByTag(Path workDir, Path file) throws IOException, InterruptedException {
    Run r = run(workDir, "/usr/bin/dcmdump", "-q", file.toString());
    if (!r.ok()) {
      throw new IOException("dcmdump failed on " + file + ": " + r.output());
    }
    Map<String, String> values = new HashMap<>();
    for (String line : r.output().split("\n")) {
      if (!line.startsWith("(") || line.length() < 15) {
        continue;
      }
      String tag = line.substring(1, 10).toLowerCase(Locale.ROOT);
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

  /**
   * The native (decompressed) pixel bytes of a file, decoded by dcmtk: compressed files are first decompressed with
   * dcmdjpeg, dcmdrle or dcmdjpls, deflated and implicit ones converted with dcmconv, then dcmdump writes the pixel
   * data of the explicit little endian result to a raw file.
   */
  public static byte[] dcmtkPixels(Path file, Path work) throws IOException, InterruptedException {
    Files.createDirectories(work);
    String syntax = dcmdumpByKeyword(file).get("TransferSyntaxUID");
    Path explicit = work.resolve("decoded.dcm");
    Files.deleteIfExists(explicit);
    switch (syntax) {
      case "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.57" ->
          output("dcmdjpeg", file.toString(), explicit.toString());
      case "1.2.840.10008.1.2.5" -> output("dcmdrle", file.toString(), explicit.toString());
      case "1.2.840.10008.1.2.4.80" -> output("dcmdjpls", file.toString(), explicit.toString());
      default -> output("dcmconv", "+te", file.toString(), explicit.toString());
    }
    Path rawDir = work.resolve("raw");
    Files.createDirectories(rawDir);
    try (Stream<Path> old = Files.list(rawDir)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    output("dcmdump", "-q", "+W", rawDir.toString(), explicit.toString());
    try (Stream<Path> raws = Files.list(rawDir)) {
      List<Path> written = raws.toList();
      if (written.size() != 1) {
        throw new IOException("expected one raw pixel file from dcmdump, got " + written);
      }
      return Files.readAllBytes(written.get(0));
    }
  }

  /**
   * The first .dcm file under {@code dir} (in {@link #dicomFiles} order) whose attributes all have the given values
   * as {@code dcmdump} prints them (keyword to value); empty when none has.
   */
  public static Optional<Path> firstWith(Path dir, Map<String, String> values)
      throws IOException, InterruptedException {
    for (Path f : dicomFiles(dir)) {
      boolean all = true;
      for (Map.Entry<String, String> e : values.entrySet()) {
        if (!e.getValue().equals(dcmdumpValue(f, e.getKey()))) {
          all = false;
          break;
        }
      }
      if (all) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Every .dcm file under {@code dir}, sorted. */
  public static List<Path> dicomFiles(Path dir) throws IOException {
    return files(dir, ".dcm");
  }

  /** Every regular file under {@code dir} whose name ends with {@code suffix}, sorted; none when there is no dir. */
  public static List<Path> files(Path dir, String suffix) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix)).sorted()
          .toList();
    }
  }

  /** Every regular file under {@code dir}, as sorted paths relative to it. */
  public static List<Path> relativeFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }
}
