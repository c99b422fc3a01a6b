package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ROC curve of binary scores: one point per distinct score used as a threshold (a case is called positive
 * when its score is at least the threshold), from (0, 0) with an infinite threshold to (1, 1). Tied scores move
 * the curve diagonally in one step, which is why the trapezoid area under these points equals {@link Auc#binary}
 * with ties counted as half.
 */
public final class Roc {
  /** One operating point: false and true positive rates when calling positive every score {@code >= threshold}. */
  public record Point(double threshold, double falsePositiveRate, double truePositiveRate) {}

  private Roc() {}

  public static List<Point> curve(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
    }
    long pos = 0;
    for (boolean p : positive) {
      if (p) {
        pos++;
      }
    }
    long neg = scores.length - pos;
    if (pos == 0 || neg == 0) {
      throw new IllegalArgumentException("a ROC curve needs positive and negative cases; there are " + pos
          + " positive and " + neg + " negative");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    List<Point> points = new ArrayList<>();
    points.add(new Point(Double.POSITIVE_INFINITY, 0, 0));
    long tp = 0;
    long fp = 0;
    int i = 0;
    while (i < order.length) {
      double t = scores[order[i]];
      while (i < order.length && Double.compare(scores[order[i]], t) == 0) {
        if (positive[order[i]]) {
          tp++;
        } else {
          fp++;
        }
        i++;
      }
      points.add(new Point(t, (double) fp / neg, (double) tp / pos));
    }
    return points;
  }

  /** Trapezoid area under the points. */
  public static double area(List<Point> points) {
    double a = 0;
    for (int i = 1; i < points.size(); i++) {
      Point p = points.get(i - 1);
      Point q = points.get(i);
      a += (q.falsePositiveRate() - p.falsePositiveRate()) * (q.truePositiveRate() + p.truePositiveRate()) / 2;
    }
    return a;
  }
}
