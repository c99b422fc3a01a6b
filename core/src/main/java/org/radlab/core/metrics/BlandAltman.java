package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Bland-Altman agreement of two measurements of the same cases (for example predicted and reference volumes):
 * each case's difference {@code a - b} against its mean {@code (a + b) / 2}; the bias is the mean difference and
 * the 95 % limits of agreement are {@code bias ± 1.96 s}, with {@code s} the sample standard deviation of the
 * differences (n - 1). Needs at least two cases.
 */
public record BlandAltman(double bias, double sd, double lower, double upper, List<Point> points) {
  /** One case: the mean of its two measurements and their difference. */
  public record Point(double mean, double difference) {}

  public static BlandAltman of(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " and " + b.length + " measurements");
    }
    if (a.length < 2) {
      throw new IllegalArgumentException("Bland-Altman needs at least two cases, not " + a.length);
    }
    List<Point> points = new ArrayList<>(a.length);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      points.add(new Point((a[i] + b[i]) / 2, d));
      sum += d;
    }
    double bias = sum / a.length;
    double ss = 0;
    for (Point p : points) {
      ss += (p.difference() - bias) * (p.difference() - bias);
    }
    double sd = Math.sqrt(ss / (a.length - 1));
    return new BlandAltman(bias, sd, bias - 1.96 * sd, bias + 1.96 * sd, List.copyOf(points));
  }
}
