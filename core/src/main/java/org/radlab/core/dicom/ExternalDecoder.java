package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.EXTERNAL_DECODER_FAILED;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Decompresses what PixelMed cannot (JPEG-LS, 12-bit lossy JPEG), and lossless JPEG, which GDCM decodes faster,
 * with GDCM's {@code gdcmconv --raw}, run as a
 * child process with a timeout, and returns the uncompressed DICOM file it writes. GDCM is never loaded
 * in-process: its JNI binding can abort the JVM on malformed input.
 */
final class ExternalDecoder {
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final int MAX_LOG_CHARS = 400;

  private ExternalDecoder() {}

  /** {@code /usr/bin/gdcmconv} when installed there, else whatever {@code gdcmconv} the PATH finds. */
  static String gdcmconv() {
    Path debian = Path.of("/usr/bin/gdcmconv");
    return Files.isExecutable(debian) ? debian.toString() : "gdcmconv";
  }

  /**
   * Runs {@code gdcmconv --raw} on {@code file}; an output longer than {@code maxOutputBytes} (what the header's
   * Rows, Columns and frames allow, plus the header) is refused before it is read.
   */
  static byte[] decompress(byte[] file, long maxOutputBytes) throws DicomRejectException {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("radlab-gdcm-");
      Path in = dir.resolve("in.dcm");
      Path out = dir.resolve("out.dcm");
      Path log = dir.resolve("gdcmconv.log");
      Files.write(in, file);
      Process process = new ProcessBuilder(List.of(gdcmconv(), "--raw", in.toString(), out.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      boolean finished;
      try {
        finished = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "interrupted while waiting for gdcmconv", e);
      }
      if (!finished) {
        process.destroyForcibly();
        waitQuietly(process);
        throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "gdcmconv --raw timed out after "
            + TIMEOUT.toSeconds() + " s");
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(out) || Files.size(out) == 0) {
        throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "gdcmconv --raw failed (exit " + process.exitValue()
            + "): " + tail(log));
      }
      if (Files.size(out) > maxOutputBytes) {
        throw new DicomRejectException(DicomRejectException.SIZE_MISMATCH, "gdcmconv --raw wrote " + Files.size(out)
            + " bytes, more than the " + maxOutputBytes + " the header's image size allows");
      }
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "cannot run gdcmconv (is GDCM's libgdcm-tools installed?): "
          + Failures.describe(e), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void waitQuietly(Process process) {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(Path log) {
    try {
      String text = Files.readString(log, StandardCharsets.ISO_8859_1).replaceAll("\\s+", " ").trim();
      if (text.isEmpty()) {
        return "no output";
      }
      return text.length() > MAX_LOG_CHARS ? "..." + text.substring(text.length() - MAX_LOG_CHARS) : text;
    } catch (IOException e) {
      return "no output";
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary directory is not worth failing a decode for
    }
  }
}
