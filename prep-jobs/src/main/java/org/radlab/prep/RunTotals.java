package org.radlab.prep;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one prep run added to its dataset, counted by the conversion tasks as they write the rows: files converted
 * and rejected per transfer syntax, images, reject reasons, and the sums behind the tensor mean and standard
 * deviation. Each task returns its own; the driver adds them up and keeps the run's totals in the run's completion
 * marker ({@code private/runs/N.done}, JSON). The dataset's {@code summary.json} is the sum over its completed runs,
 * so it needs no pass over the tables.
 *
 * <p>A transfer syntax that could not be read is counted under the key {@code "null"}.
 */
public final class RunTotals implements Serializable {
  private static final long serialVersionUID = 1L;

  public long convertedFiles;
  public long images;
  public long rejected;
  public Map<String, Long> convertedBySyntax = new TreeMap<>();
  public Map<String, Long> rejectedBySyntax = new TreeMap<>();
  public Map<String, Long> rejectReasons = new TreeMap<>();
  /** Sum over images of each tensor's mean. */
  public double tensorMeanSum;
  /** Sum over images of each tensor's mean square (std² + mean²). */
  public double tensorSquareSum;

  void convertedFile(String transferSyntax, int frames) {
    convertedFiles++;
    images += frames;
    convertedBySyntax.merge(String.valueOf(transferSyntax), 1L, Long::sum);
  }

  void image(double tensorMean, double tensorStd) {
    tensorMeanSum += tensorMean;
    tensorSquareSum += tensorStd * tensorStd + tensorMean * tensorMean;
  }

  void rejectedFile(String reason, String transferSyntax) {
    rejected++;
    rejectReasons.merge(reason, 1L, Long::sum);
    rejectedBySyntax.merge(String.valueOf(transferSyntax), 1L, Long::sum);
  }

  /** Adds {@code other} into this and returns this. */
  RunTotals add(RunTotals other) {
    convertedFiles += other.convertedFiles;
    images += other.images;
    rejected += other.rejected;
    other.convertedBySyntax.forEach((k, v) -> convertedBySyntax.merge(k, v, Long::sum));
    other.rejectedBySyntax.forEach((k, v) -> rejectedBySyntax.merge(k, v, Long::sum));
    other.rejectReasons.forEach((k, v) -> rejectReasons.merge(k, v, Long::sum));
    tensorMeanSum += other.tensorMeanSum;
    tensorSquareSum += other.tensorSquareSum;
    return this;
  }
}
