package org.radlab.prep.synth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Compresses a DICOM file with a dcmtk command-line tool ({@code dcmcjpeg}, {@code dcmcrle}, {@code dcmcjpls}, from
 * Debian's {@code dcmtk} package) in a child process. PixelMed cannot encode lossless JPEG, RLE or JPEG-LS, and dcmtk
 * writes them losslessly, keeps the SOP Instance UID ({@code +un}) and gives the same bytes for the same input.
 */
final class DcmtkTranscoder {
  private static final long TIMEOUT_SECONDS = 600;
  private static final int MAX_MESSAGE = 2000;

  private DcmtkTranscoder() {}

  /**
   * Checks, before any work, that the tools for {@code syntaxes} run ({@code tool --version} exits with 0).
   *
   * @throws IOException naming the missing tool and what to do
   */
  static void requireTools(Collection<SynthTransferSyntax> syntaxes) throws IOException {
    Map<String, SynthTransferSyntax> tools = new TreeMap<>();
    for (SynthTransferSyntax s : syntaxes) {
      if (!s.writtenByPixelMed()) {
        tools.putIfAbsent(s.dcmtkCommand().get(0), s);
      }
    }
    for (var e : tools.entrySet()) {
      String tool = e.getKey();
      int exit;
      try {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
          in.readAllBytes();
        }
        exit = p.waitFor();
      } catch (IOException ex) {
        throw missing(tool, e.getValue(), ex);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while checking for " + tool, ex);
      }
      if (exit != 0) {
        throw new IOException(tool + " --version failed with exit code " + exit + "; the " + e.getValue().optionName()
            + " transfer syntax needs a working dcmtk (apt-get install dcmtk)");
      }
    }
  }

  /**
   * Writes {@code target} as {@code source} re-encoded in {@code syntax}.
   *
   * @throws IOException naming the tool and its exit code and output when it is missing, fails or writes nothing
   */
  static void transcode(Path source, Path target, SynthTransferSyntax syntax) throws IOException {
    List<String> command = new ArrayList<>(syntax.dcmtkCommand());
    if (command.isEmpty()) {
      throw new IllegalArgumentException(syntax.optionName() + " is written by PixelMed, not transcoded with dcmtk");
    }
    String tool = command.get(0);
    command.add(source.toString());
    command.add(target.toString());
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw missing(tool, syntax, e);
    }
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(tool + " did not finish within " + TIMEOUT_SECONDS + " s compressing " + source);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + tool + " compressed " + source, e);
    }
    int exit = process.exitValue();
    if (exit != 0) {
      throw new IOException(tool + " failed with exit code " + exit + " compressing " + source + " to "
          + syntax.optionName() + ": " + shorten(output));
    }
    if (!Files.isRegularFile(target) || Files.size(target) == 0) {
      throw new IOException(tool + " exited with code 0 but wrote no " + target + ": " + shorten(output));
    }
  }

  private static IOException missing(String tool, SynthTransferSyntax syntax, IOException cause) {
    return new IOException(tool + " could not be started (" + cause.getMessage() + "). The " + syntax.optionName()
        + " transfer syntax needs dcmtk on the PATH: install it (apt-get install dcmtk), or choose a syntax"
        + " PixelMed writes (--transfer-syntax explicit-le, implicit-le or deflate, or --compressed-share 0)", cause);
  }

  private static String shorten(String output) {
    if (output.isEmpty()) {
      return "(no output)";
    }
    return output.length() <= MAX_MESSAGE ? output : output.substring(0, MAX_MESSAGE) + " ...";
  }
}
