package org.radlab.core.metrics;

import java.util.Arrays;

/**
 * Counts of (reference class, predicted class) pairs: {@code counts()[r][p]}, rows the reference, columns the
 * prediction, classes numbered 0..K-1.
 */
public record ConfusionMatrix(long[][] counts) {

  /** The matrix of {@code reference[i]} against {@code predicted[i]}, both in 0..classes-1. */
  public static ConfusionMatrix of(int[] reference, int[] predicted, int classes) {
    if (reference.length != predicted.length) {
      throw new IllegalArgumentException(reference.length + " reference labels but " + predicted.length
          + " predictions");
    }
    if (classes < 2) {
      throw new IllegalArgumentException("at least 2 classes are needed, not " + classes);
    }
    long[][] c = new long[classes][classes];
    for (int i = 0; i < reference.length; i++) {
      check(reference[i], classes, "reference");
      check(predicted[i], classes, "prediction");
      c[reference[i]][predicted[i]]++;
    }
    return new ConfusionMatrix(c);
  }

  private static void check(int label, int classes, String what) {
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException(what + " class " + label + " is outside 0.." + (classes - 1));
    }
  }

  public int classes() {
    return counts.length;
  }

  public long total() {
    long n = 0;
    for (long[] row : counts) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  /** The fraction of pairs on the diagonal. */
  public double accuracy() {
    long n = total();
    long agree = 0;
    for (int i = 0; i < counts.length; i++) {
      agree += counts[i][i];
    }
    return n == 0 ? Double.NaN : (double) agree / n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix other && Arrays.deepEquals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(counts);
  }

  @Override
  public String toString() {
    return Arrays.deepToString(counts);
  }
}
