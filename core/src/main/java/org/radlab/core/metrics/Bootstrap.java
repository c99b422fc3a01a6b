package org.radlab.core.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap confidence intervals: the statistic is recomputed on {@code resamples} resamples of the
 * cases (studies), each drawn with replacement and of the original size, and the interval runs from the
 * {@code (1-level)/2} to the {@code (1+level)/2} quantile of those values (linear interpolation between order
 * statistics). Resamples where the statistic is undefined (NaN, for example AUC with one class drawn) are left out
 * and counted. The same seed gives the same interval.
 */
public final class Bootstrap {
  /** An estimate on all cases and its interval; {@code undefined} resamples were left out. */
  public record Interval(double estimate, double lower, double upper, double level, int resamples, int undefined) {}

  private Bootstrap() {}

  /**
   * @param cases     number of cases
   * @param statistic computes the statistic from the case indices of one sample (with repeats)
   */
  public static Interval of(int cases, ToDoubleFunction<int[]> statistic, int resamples, double level, long seed) {
    if (cases < 1) {
      throw new IllegalArgumentException("the bootstrap needs at least one case");
    }
    if (resamples < 1 || !(level > 0 && level < 1)) {
      throw new IllegalArgumentException("resamples must be positive and level in (0, 1)");
    }
    int[] all = new int[cases];
    for (int i = 0; i < cases; i++) {
      all[i] = i;
    }
    double estimate = statistic.applyAsDouble(all);
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int defined = 0;
    int[] sample = new int[cases];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < cases; i++) {
        sample[i] = random.nextInt(cases);
      }
      double v = statistic.applyAsDouble(sample);
      if (!Double.isNaN(v)) {
        values[defined++] = v;
      }
    }
    if (defined == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN, level, resamples, resamples);
    }
    double[] sorted = Arrays.copyOf(values, defined);
    Arrays.sort(sorted);
    return new Interval(estimate, quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2), level,
        resamples, resamples - defined);
  }

  /**
   * The same interval, for statistics computed from case weights: each resample is given as how many times each
   * case was drawn ({@code counts[i]}, summing to {@code cases}), so a statistic can work in one pass over data it
   * sorted once (see {@link Auc#binaryWeighted}) instead of copying the sample. The full data is all ones.
   */
  public static Interval weighted(int cases, ToDoubleFunction<int[]> statistic, int resamples, double level,
      long seed) {
    return weighted(cases, List.of(statistic), resamples, level, seed).get(0);
  }

  /**
   * Several statistics on the same resamples: each draw of case counts feeds all of them, so the random draws are
   * made once (they dominate the cost on large data) and the intervals describe the same resampled populations.
   */
  public static List<Interval> weighted(int cases, List<ToDoubleFunction<int[]>> statistics, int resamples,
      double level, long seed) {
    if (cases < 1) {
      throw new IllegalArgumentException("the bootstrap needs at least one case");
    }
    if (resamples < 1 || !(level > 0 && level < 1)) {
      throw new IllegalArgumentException("resamples must be positive and level in (0, 1)");
    }
    int m = statistics.size();
    int[] counts = new int[cases];
    Arrays.fill(counts, 1);
    double[] estimates = new double[m];
    for (int s = 0; s < m; s++) {
      estimates[s] = statistics.get(s).applyAsDouble(counts);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[][] values = new double[m][resamples];
    int[] defined = new int[m];
    for (int r = 0; r < resamples; r++) {
      Arrays.fill(counts, 0);
      for (int i = 0; i < cases; i++) {
        counts[random.nextInt(cases)]++;
      }
      for (int s = 0; s < m; s++) {
        double v = statistics.get(s).applyAsDouble(counts);
        if (!Double.isNaN(v)) {
          values[s][defined[s]++] = v;
        }
      }
    }
    List<Interval> out = new java.util.ArrayList<>(m);
    for (int s = 0; s < m; s++) {
      if (defined[s] == 0) {
        out.add(new Interval(estimates[s], Double.NaN, Double.NaN, level, resamples, resamples));
        continue;
      }
      double[] sorted = Arrays.copyOf(values[s], defined[s]);
      Arrays.sort(sorted);
      out.add(new Interval(estimates[s], quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2), level,
          resamples, resamples - defined[s]));
    }
    return out;
  }

  /** The q-quantile of sorted values, interpolating linearly between order statistics (type 7). */
  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
