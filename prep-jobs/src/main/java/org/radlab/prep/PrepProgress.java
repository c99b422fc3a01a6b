package org.radlab.prep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.radlab.core.io.AtomicFiles;

/**
 * Progress of a prep run, counted by Spark accumulators in the tasks and reported by the driver every few seconds:
 * on standard error for people, and as JSON in an optional progress file for the control API.
 */
final class PrepProgress {
  private final int total;
  private final String progressFile;
  private final LongAccumulator files;
  private final LongAccumulator images;
  private final LongAccumulator rejected;
  private final long started = System.nanoTime();
  private ScheduledExecutorService ticker;

  PrepProgress(SparkContext sc, int total, String progressFile) {
    this.total = total;
    this.progressFile = progressFile;
    this.files = sc.longAccumulator("prep files");
    this.images = sc.longAccumulator("prep images");
    this.rejected = sc.longAccumulator("prep rejected");
  }

  LongAccumulator files() { return files; }
  LongAccumulator images() { return images; }
  LongAccumulator rejected() { return rejected; }

  /** Seconds since this run started. */
  double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  void log(String format, Object... args) {
    System.err.println("prep: " + String.format(Locale.ROOT, format, args));
  }

  void startTicker() {
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "prep-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::report, 2, 2, TimeUnit.SECONDS);
  }

  void stopTicker() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    report();
  }

  void finish() {
    write("done");
  }

  private void report() {
    long done = Math.min(files.value(), total);
    double seconds = (System.nanoTime() - started) / 1e9;
    double rate = done / Math.max(seconds, 1e-3);
    String eta = done > 0 && done < total ? String.format(Locale.ROOT, ", about %.0f s left", (total - done) / rate) : "";
    log("%d/%d files (%.0f%%), %d images, %d rejected, %.1f files/s%s", done, total,
        total == 0 ? 100.0 : 100.0 * done / total, images.value(), rejected.value(), rate, eta);
    write("running");
  }

  private synchronized void write(String state) {
    if (progressFile == null) {
      return;
    }
    String json = String.format(Locale.ROOT,
        "{\"state\":\"%s\",\"files_total\":%d,\"files_done\":%d,\"images\":%d,\"rejected\":%d,\"elapsed_s\":%.1f}%n",
        state, total, files.value(), images.value(), rejected.value(), (System.nanoTime() - started) / 1e9);
    try {
      AtomicFiles.writeString(Path.of(progressFile), json);
    } catch (IOException e) {
      log("cannot write progress file %s: %s", progressFile, e.getMessage());
    }
  }
}
