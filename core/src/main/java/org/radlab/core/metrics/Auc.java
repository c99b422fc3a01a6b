package org.radlab.core.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Area under the ROC curve. Binary AUC is the probability that a random positive scores higher than a random
 * negative, a tie counting one half (the Mann-Whitney U statistic over n⁺ · n⁻). Multi-class AUC is computed one
 * class against the rest, and its macro mean averages the classes that have both positives and negatives.
 * Undefined (NaN) without at least one positive and one negative.
 */
public final class Auc {
  private Auc() {}

  /** Binary AUC of {@code scores} for {@code positive[i]}. */
  public static double binary(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    // Rank-sum with mid-ranks for ties: U = R⁺ - n⁺(n⁺+1)/2
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1;
      for (int t = i; t <= j; t++) {
        if (positive[order[t]]) {
          rankSumPositive += midRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Case indices in increasing score: sort once, then {@link #binaryWeighted} any number of times. */
  public static int[] ascending(double[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    int[] out = new int[order.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = order[i];
    }
    return out;
  }

  /**
   * Binary AUC when case {@code i} counts {@code weights[i]} times (a bootstrap resample), in one pass over the
   * cases in increasing score ({@link #ascending}): each tie group adds its positive weight times (the negative
   * weight below it + half its own negative weight). Equal to {@link #binary} on the sample with every case
   * repeated by its weight.
   */
  public static double binaryWeighted(double[] scores, boolean[] positive, int[] ascending, int[] weights) {
    double u = 0;
    double negativesBelow = 0;
    double positives = 0;
    int i = 0;
    while (i < ascending.length) {
      double t = scores[ascending[i]];
      double pos = 0;
      double neg = 0;
      while (i < ascending.length && Double.compare(scores[ascending[i]], t) == 0) {
        int c = ascending[i];
        if (positive[c]) {
          pos += weights[c];
        } else {
          neg += weights[c];
        }
        i++;
      }
      u += pos * (negativesBelow + neg / 2);
      negativesBelow += neg;
      positives += pos;
    }
    return positives == 0 || negativesBelow == 0 ? Double.NaN : u / (positives * negativesBelow);
  }

  /** AUC of class {@code c} against the rest, from per-class probabilities {@code probabilities[i][c]}. */
  public static double oneVsRest(double[][] probabilities, int[] reference, int c) {
    double[] s = new double[reference.length];
    boolean[] pos = new boolean[reference.length];
    for (int i = 0; i < reference.length; i++) {
      s[i] = probabilities[i][c];
      pos[i] = reference[i] == c;
    }
    return binary(s, pos);
  }

  /** Mean of the defined one-vs-rest AUCs (NaN if none is defined). */
  public static double macroOneVsRest(double[][] probabilities, int[] reference, int classes) {
    double sum = 0;
    int defined = 0;
    for (int c = 0; c < classes; c++) {
      double a = oneVsRest(probabilities, reference, c);
      if (!Double.isNaN(a)) {
        sum += a;
        defined++;
      }
    }
    return defined == 0 ? Double.NaN : sum / defined;
  }

  /**
   * The ordinal binary view: classes {@code firstPositive} and above against those below (for breast density, C+D
   * dense against A+B, firstPositive = 2), scored by the summed probability of the positive classes.
   */
  public static double ordinalSplit(double[][] probabilities, int[] reference, int firstPositive) {
    double[] s = new double[reference.length];
    boolean[] pos = new boolean[reference.length];
    for (int i = 0; i < reference.length; i++) {
      for (int c = firstPositive; c < probabilities[i].length; c++) {
        s[i] += probabilities[i][c];
      }
      pos[i] = reference[i] >= firstPositive;
    }
    return binary(s, pos);
  }
}
