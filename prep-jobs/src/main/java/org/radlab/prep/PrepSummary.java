package org.radlab.prep;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The dataset's {@code summary.json}: totals over every run so far, plus what the latest run did.
 *
 * @param convertedFiles   input files converted (a multi-frame file counts once)
 * @param images           images in {@code images.parquet} (one per frame)
 * @param rejected         input files in {@code private/rejects.parquet}
 * @param transferSyntaxes per transfer syntax UID: its name and its converted and rejected file counts
 * @param rejectReasons    per reject reason: its count
 * @param tensorMean       mean of all tensor values (they lie in [0,1]); training subtracts it
 * @param tensorStd        standard deviation of all tensor values; training divides by it
 * @param skippedHidden    hidden files and folders (names starting with {@code .} or {@code _}) the latest run's
 *                         listing of the input skipped; they are neither converted nor rejected
 * @param lastRun          the latest run: files listed, files it converted or rejected, elapsed seconds
 */
public record PrepSummary(
    @JsonProperty("converted") long convertedFiles,
    long images,
    long rejected,
    Map<String, SyntaxCount> transferSyntaxes,
    Map<String, Long> rejectReasons,
    Double tensorMean,
    Double tensorStd,
    long skippedHidden,
    LastRun lastRun) {

  public record SyntaxCount(String name, long converted, long rejected) {}

  public record LastRun(long filesListed, long filesProcessed, double elapsedSeconds) {}

  /** The summary of a dataset whose completed runs add up to {@code totals}. */
  static PrepSummary of(RunTotals totals, long listed, long skippedHidden, long processed, double elapsedSeconds) {
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
    return new PrepSummary(totals.convertedFiles, totals.images, totals.rejected, syntaxes,
        new TreeMap<>(totals.rejectReasons), mean, std, skippedHidden,
        new LastRun(listed, processed, Math.round(elapsedSeconds * 10) / 10.0));
  }

  public String toJson() {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void write(Configuration hadoop, String file) throws IOException {
    Path path = new Path(file);
    try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      out.write((toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
