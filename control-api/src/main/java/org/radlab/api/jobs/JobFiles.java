package org.radlab.api.jobs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.radlab.core.Workspace;

/**
 * A job's folder, {@code $RADLAB_HOME/jobs/job-<id>}: {@code config.json} (what the job runs with), {@code log}
 * (its standard output and error), {@code progress} (JSON the job writes as it goes) and {@code exit} (its exit
 * code, written by the launcher shell when the process ends, so it outlives a control API restart).
 */
public record JobFiles(Path dir) {
  public static JobFiles of(Path home, long jobId) {
    return new JobFiles(new Workspace(home).job(name(jobId)));
  }

  /** {@code job-<id>}: the job's folder name and the job id the train and evaluate jobs are given. */
  public static String name(long jobId) {
    return "job-" + jobId;
  }

  public Path config() { return dir.resolve("config.json"); }

  public Path log() { return dir.resolve("log"); }

  public Path progress() { return dir.resolve("progress"); }

  public Path exit() { return dir.resolve("exit"); }

  /** The exit code the launcher recorded, if the process has ended. */
  public Optional<Integer> exitCode() {
    try {
      String text = Files.readString(exit()).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(Integer.parseInt(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The last {@code maxBytes} of a file (whole lines), or "" if it does not exist. */
  public static String tail(Path file, int maxBytes) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long start = Math.max(0, length - maxBytes);
      byte[] bytes = new byte[(int) (length - start)];
      in.seek(start);
      in.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      int firstBreak = text.indexOf('\n');
      return start > 0 && firstBreak >= 0 ? text.substring(firstBreak + 1) : text;
    } catch (IOException e) {
      return "";
    }
  }
}
