package org.radlab.core.metrics;

/**
 * Overlap of a predicted region with a reference one. For masks (same size, true = inside):
 * Dice {@code 2|A∩B| / (|A| + |B|)} and IoU {@code |A∩B| / |A∪B|}. For axis-aligned boxes {@code [x1, y1, x2, y2]}
 * (x2 > x1, y2 > y1, continuous coordinates) the same with areas. Two empty masks agree perfectly: both are 1.
 */
public final class Overlap {
  private Overlap() {}

  public static double dice(boolean[] predicted, boolean[] reference) {
    long[] c = counts(predicted, reference);
    return c[1] + c[2] == 0 ? 1 : 2.0 * c[0] / (c[1] + c[2]);
  }

  public static double iou(boolean[] predicted, boolean[] reference) {
    long[] c = counts(predicted, reference);
    long union = c[1] + c[2] - c[0];
    return union == 0 ? 1 : (double) c[0] / union;
  }

  /** IoU of two boxes {@code [x1, y1, x2, y2]}. */
  public static double iou(double[] a, double[] b) {
    double inter = intersection(a, b);
    return inter / (area(a) + area(b) - inter);
  }

  public static double dice(double[] a, double[] b) {
    return 2 * intersection(a, b) / (area(a) + area(b));
  }

  static double area(double[] box) {
    if (box.length != 4 || !(box[2] > box[0]) || !(box[3] > box[1])) {
      throw new IllegalArgumentException("a box is [x1, y1, x2, y2] with x2 > x1 and y2 > y1");
    }
    return (box[2] - box[0]) * (box[3] - box[1]);
  }

  private static double intersection(double[] a, double[] b) {
    area(a);
    area(b);
    double w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
    double h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return w > 0 && h > 0 ? w * h : 0;
  }

  /** {intersection, |predicted|, |reference|}. */
  private static long[] counts(boolean[] p, boolean[] r) {
    if (p.length != r.length) {
      throw new IllegalArgumentException("masks differ in size: " + p.length + " and " + r.length);
    }
    long both = 0;
    long np = 0;
    long nr = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i]) {
        np++;
      }
      if (r[i]) {
        nr++;
      }
      if (p[i] && r[i]) {
        both++;
      }
    }
    return new long[] {both, np, nr};
  }
}
