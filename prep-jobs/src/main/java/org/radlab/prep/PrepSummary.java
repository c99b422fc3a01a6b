package org.radlab.prep;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The dataset's {@code summary.json}: totals over every run so far, plus what the latest run did.
 *
 * @param convertedFiles   input files converted (a multi-frame file counts once)
 * @param images           images in {@code images.parquet} (one per frame)
 * @param rejected         input files in {@code rejects.parquet}
 * @param transferSyntaxes per transfer syntax UID: its name and its converted and rejected file counts
 * @param rejectReasons    per reject reason: its count
 * @param tensorMean       mean of all tensor values (they lie in [0,1]); training subtracts it
 * @param tensorStd        standard deviation of all tensor values; training divides by it
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
    LastRun lastRun) {

  public record SyntaxCount(String name, long converted, long rejected) {}

  public record LastRun(long filesListed, long filesProcessed, double elapsedSeconds) {}

  static PrepSummary compute(SparkSession spark, DatasetLayout layout, long listed, long processed,
      double elapsedSeconds) {
    Dataset<Row> images = PrepJob.exists(spark, layout.images()) ? spark.read().parquet(layout.images()) : null;
    Dataset<Row> rejects = PrepJob.exists(spark, layout.rejects()) ? spark.read().parquet(layout.rejects()) : null;
    Map<String, long[]> bySyntax = new TreeMap<>();
    long convertedFiles = 0;
    long imageCount = 0;
    Double mean = null;
    Double std = null;
    if (images != null) {
      // One pass: per transfer syntax, images, distinct instances, and the sums behind the tensor statistics.
      double sumMean = 0;
      double sumSquares = 0;
      for (Row r : images.groupBy(col("transfer_syntax")).agg(count(lit(1)), countDistinct("sop_uid"),
          sum("tensor_mean"), sum(col("tensor_std").multiply(col("tensor_std"))
              .plus(col("tensor_mean").multiply(col("tensor_mean"))))).collectAsList()) {
        imageCount += r.getLong(1);
        convertedFiles += r.getLong(2);
        bySyntax.computeIfAbsent(String.valueOf(r.get(0)), k -> new long[2])[0] = r.getLong(2);
        sumMean += r.getDouble(3);
        sumSquares += r.getDouble(4);
      }
      if (imageCount > 0) {
        mean = sumMean / imageCount;
        std = Math.sqrt(Math.max(0, sumSquares / imageCount - mean * mean));
      }
    }
    long rejectedCount = 0;
    Map<String, Long> reasons = new TreeMap<>();
    if (rejects != null) {
      for (Row r : rejects.groupBy(col("reason"), col("transfer_syntax")).count().collectAsList()) {
        long n = r.getLong(2);
        rejectedCount += n;
        reasons.merge(r.getString(0), n, Long::sum);
        bySyntax.computeIfAbsent(String.valueOf(r.get(1)), k -> new long[2])[1] += n;
      }
    }
    Map<String, SyntaxCount> syntaxes = new TreeMap<>();
    bySyntax.forEach((uid, c) -> syntaxes.put(uid, new SyntaxCount(TransferSyntaxNames.name(uid), c[0], c[1])));
    return new PrepSummary(convertedFiles, imageCount, rejectedCount, syntaxes, reasons, mean, std,
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
