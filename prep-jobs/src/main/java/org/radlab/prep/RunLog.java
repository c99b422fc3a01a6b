package org.radlab.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which prep runs of a dataset completed. A run writes its tables under {@code run=N} folders and, when all of them
 * are on disk, a marker {@code private/runs/N.done}. A new run first deletes the folders of any run without a marker
 * (a crash or a kill), so a dataset never mixes a half-written run into its tables.
 */
final class RunLog {
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

  boolean hasCompletedRuns() {
    return !completed.isEmpty();
  }

  void markComplete(int run) throws IOException {
    Path marker = new Path(new Path(layout.privateRoot(), "runs"), run + ".done");
    try (OutputStream out = marker.getFileSystem(hadoop).create(marker, true)) {
      out.write(("run " + run + " complete\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    completed.add(run);
  }
}
