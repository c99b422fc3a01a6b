package org.radlab.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.radlab.core.dataset.DatasetLayout;

/**
 * Which prep runs of a dataset completed. A run writes its tables under {@code run=N} folders and, when all of them
 * are on disk, a marker {@code private/runs/N.done} holding the run's {@link RunTotals}. A new run first deletes the folders of any run without a marker
 * (a crash or a kill), so a dataset never mixes a half-written run into its tables. Files a task had not yet
 * committed carry hidden names ({@code _tmp-…}) that readers skip, and go with their run's folder.
 */
final class RunLog {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
      .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  private final Configuration hadoop;
  private final DatasetLayout layout;
  private final TreeSet<Integer> completed = new TreeSet<>();

  RunLog(Configuration hadoop, DatasetLayout layout) {
    this.hadoop = hadoop;
    this.layout = layout;
  }

  /** Cleans up unfinished runs and returns the number of the new one. */
  int startNewRun() throws IOException {
    Path markers = new Path(layout.privateRoot(), "runs");
    FileSystem fs = markers.getFileSystem(hadoop);
    if (fs.exists(markers)) {
      for (FileStatus s : fs.listStatus(markers)) {
        String name = s.getPath().getName();
        if (name.endsWith(".done")) {
          completed.add(Integer.parseInt(name.substring(0, name.length() - 5)));
        }
      }
    }
    int highest = completed.isEmpty() ? 0 : completed.last();
    for (String table : new String[] {layout.images(), layout.tensors(), layout.rejects(), layout.idMap(),
        layout.sources()}) {
      Path dir = new Path(table);
      if (!fs.exists(dir)) {
        continue;
      }
      for (FileStatus s : fs.listStatus(dir)) {
        String name = s.getPath().getName();
        if (name.startsWith("run=")) {
          int n = Integer.parseInt(name.substring(4));
          highest = Math.max(highest, n);
          if (!completed.contains(n)) {
            fs.delete(s.getPath(), true);
          }
        }
      }
    }
    return highest + 1;
  }

  /** The totals of every completed run, added up: what {@code summary.json} reports. */
  RunTotals totals() throws IOException {
    RunTotals sum = new RunTotals();
    FileSystem fs = new Path(layout.privateRoot()).getFileSystem(hadoop);
    for (int run : completed) {
      Path marker = marker(run);
      try (var in = fs.open(marker)) {
        sum.add(JSON.readValue((java.io.InputStream) in, RunTotals.class));
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        throw new IOException("the completion marker " + marker + " is not readable run totals (" + e.getOriginalMessage()
            + "); delete the dataset and prepare it again", e);
      }
    }
    return sum;
  }

  /** The runs completed so far, in order. */
  List<Integer> completedRuns() {
    return List.copyOf(completed);
  }

  /**
   * Keeps the run's lines of {@code images.csv} ({@link ImageCatalog#line}) beside its marker, as
   * {@code private/runs/N.catalog.csv}. Written before the marker: a run without a marker is ignored, so its
   * part is too.
   */
  void writeCatalogPart(int run, List<String> lines) throws IOException {
    Path part = catalogPart(run);
    try (OutputStream out = part.getFileSystem(hadoop).create(part, true)) {
      out.write((String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The {@code images.csv} lines of every completed run, in run order; null when a completed run has no part
   * (it was prepared before parts were kept), so the caller must read the tables instead.
   */
  List<String> catalogLines() throws IOException {
    List<String> lines = new ArrayList<>();
    FileSystem fs = new Path(layout.privateRoot()).getFileSystem(hadoop);
    for (int run : completed) {
      Path part = catalogPart(run);
      if (!fs.exists(part)) {
        return null;
      }
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(part),
          StandardCharsets.UTF_8))) {
        in.lines().filter(l -> !l.isEmpty()).forEach(lines::add);
      }
    }
    return lines;
  }

  /** Records the run as complete, with what it added; its tables are all on disk by now. */
  void markComplete(int run, RunTotals totals) throws IOException {
    Path marker = marker(run);
    try (OutputStream out = marker.getFileSystem(hadoop).create(marker, true)) {
      JSON.writeValue(out, totals);
    }
    completed.add(run);
  }

  private Path catalogPart(int run) {
    return new Path(new Path(layout.privateRoot(), "runs"), run + ".catalog.csv");
  }

  private Path marker(int run) {
    return new Path(new Path(layout.privateRoot(), "runs"), run + ".done");
  }
}
