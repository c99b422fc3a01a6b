package org.radlab.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.dataset.DatasetSummary.LastRun;
import org.radlab.core.dataset.DatasetSummary.SyntaxCount;

/** Makes and writes a dataset's {@link DatasetSummary} from its completed runs. */
final class PrepSummary {
  private PrepSummary() {}

  /** The summary of a dataset whose completed runs add up to {@code totals}. */
  static DatasetSummary of(RunTotals totals, long listed, long skippedHidden, long processed, double elapsedSeconds,
      Map<String, Double> phaseSeconds) {
    Double mean = null;
    Double std = null;
    if (totals.images > 0) {
      mean = totals.tensorMeanSum / totals.images;
      std = Math.sqrt(Math.max(0, totals.tensorSquareSum / totals.images - mean * mean));
    }
    Map<String, SyntaxCount> syntaxes = new TreeMap<>();
    java.util.Set<String> uids = new java.util.TreeSet<>(totals.convertedBySyntax.keySet());
    uids.addAll(totals.rejectedBySyntax.keySet());
    for (String uid : uids) {
      syntaxes.put(uid, new SyntaxCount(TransferSyntaxNames.name(uid), totals.convertedBySyntax.getOrDefault(uid, 0L),
          totals.rejectedBySyntax.getOrDefault(uid, 0L)));
    }
    return new DatasetSummary(totals.convertedFiles, totals.images, totals.rejected, syntaxes,
        new TreeMap<>(totals.rejectReasons), mean, std, skippedHidden,
        new LastRun(listed, processed, Math.round(elapsedSeconds * 10) / 10.0, phaseSeconds));
  }

  static void write(DatasetSummary summary, Configuration hadoop, String file) throws IOException {
    Path path = new Path(file);
    try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      out.write((summary.toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
