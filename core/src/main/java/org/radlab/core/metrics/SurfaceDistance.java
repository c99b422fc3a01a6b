package org.radlab.core.metrics;

import java.util.Arrays;

/**
 * Surface distances between two masks of the same volume ({@code width} x {@code height} x {@code depth} voxels,
 * x fastest, spacing in millimetres per axis), as MONAI computes its Hausdorff distance: a mask's surface is its
 * voxels with a face neighbour outside the mask or outside the volume (4 neighbours in a single slice, 6 across
 * slices); each surface voxel of one mask has its Euclidean distance, in millimetres, to the nearest surface voxel
 * of the other. {@link #hd95} is the larger of the two directed distances' 95th percentiles (linear interpolation
 * between order statistics, numpy's default). Distances come from an exact separable distance transform
 * (Felzenszwalb and Huttenlocher, 2012) with anisotropic spacing, so a volume costs a few passes, not a pairwise
 * search.
 */
public final class SurfaceDistance {
  private SurfaceDistance() {}

  /** The 95th-percentile Hausdorff distance in mm; NaN when either mask is empty (no surface to measure from). */
  public static double hd95(boolean[] predicted, boolean[] reference, int width, int height, int depth,
      double[] spacing) {
    return percentileHausdorff(predicted, reference, width, height, depth, spacing, 95);
  }

  /** The same at any percentile in [0, 100] (100 is the Hausdorff distance itself). */
  public static double percentileHausdorff(boolean[] predicted, boolean[] reference, int width, int height,
      int depth, double[] spacing, double percentile) {
    checkShape(predicted, width, height, depth);
    checkShape(reference, width, height, depth);
    if (spacing.length != 3 || !(spacing[0] > 0) || !(spacing[1] > 0) || !(spacing[2] > 0)) {
      throw new IllegalArgumentException("spacing is {x, y, z} in mm, each positive; got " + Arrays.toString(spacing));
    }
    boolean[] sp = surface(predicted, width, height, depth);
    boolean[] sr = surface(reference, width, height, depth);
    if (!any(sp) || !any(sr)) {
      return Double.NaN;
    }
    double[] toReference = squaredDistanceTo(sr, width, height, depth, spacing);
    double[] toPredicted = squaredDistanceTo(sp, width, height, depth, spacing);
    return Math.max(percentile(distancesAt(sp, toReference), percentile),
        percentile(distancesAt(sr, toPredicted), percentile));
  }

  /** The surface of a mask: its voxels with a face neighbour outside it or outside the volume. */
  static boolean[] surface(boolean[] mask, int w, int h, int d) {
    boolean[] out = new boolean[mask.length];
    int plane = w * h;
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = z * plane + y * w + x;
          if (!mask[i]) {
            continue;
          }
          boolean edge = x == 0 || x == w - 1 || y == 0 || y == h - 1 || !mask[i - 1] || !mask[i + 1]
              || !mask[i - w] || !mask[i + w];
          if (!edge && d > 1) {
            edge = z == 0 || z == d - 1 || !mask[i - plane] || !mask[i + plane];
          }
          out[i] = edge;
        }
      }
    }
    return out;
  }

  /** The squared distance in mm² from every voxel to the nearest voxel of {@code feature}. */
  static double[] squaredDistanceTo(boolean[] feature, int w, int h, int d, double[] spacing) {
    double[] f = new double[feature.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = feature[i] ? 0 : Double.POSITIVE_INFINITY;
    }
    int[] size = {w, h, d};
    int[] stride = {1, w, w * h};
    int longest = Math.max(w, Math.max(h, d));
    double[] line = new double[longest];
    double[] result = new double[longest];
    int[] v = new int[longest];
    double[] z = new double[longest + 1];
    for (int axis = 0; axis < 3; axis++) {
      int n = size[axis];
      if (n == 1) {
        continue;
      }
      int s = stride[axis];
      int[] others = otherAxes(axis);
      for (int a = 0; a < size[others[0]]; a++) {
        for (int b = 0; b < size[others[1]]; b++) {
          int start = a * stride[others[0]] + b * stride[others[1]];
          for (int k = 0; k < n; k++) {
            line[k] = f[start + k * s];
          }
          transform1d(line, n, spacing[axis], result, v, z);
          for (int k = 0; k < n; k++) {
            f[start + k * s] = result[k];
          }
        }
      }
    }
    return f;
  }

  private static int[] otherAxes(int axis) {
    return switch (axis) {
      case 0 -> new int[] {1, 2};
      case 1 -> new int[] {0, 2};
      default -> new int[] {0, 1};
    };
  }

  /**
   * The lower envelope of parabolas {@code (x - p)² + f(p)} over the points {@code p} where f is finite, positions
   * {@code k * step}: {@code out[q] = min_p ((q - p)·step)² + f(p)}; all infinite when no point is finite.
   */
  private static void transform1d(double[] f, int n, double step, double[] out, int[] v, double[] z) {
    int k = -1;
    for (int q = 0; q < n; q++) {
      if (f[q] == Double.POSITIVE_INFINITY) {
        continue;
      }
      double xq = q * step;
      while (true) {
        if (k < 0) {
          k = 0;
          v[0] = q;
          z[0] = Double.NEGATIVE_INFINITY;
          z[1] = Double.POSITIVE_INFINITY;
          break;
        }
        double xv = v[k] * step;
        double s = ((f[q] + xq * xq) - (f[v[k]] + xv * xv)) / (2 * xq - 2 * xv);
        if (s <= z[k]) {
          k--;
          continue;
        }
        k++;
        v[k] = q;
        z[k] = s;
        z[k + 1] = Double.POSITIVE_INFINITY;
        break;
      }
    }
    if (k < 0) {
      Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
      return;
    }
    int j = 0;
    for (int q = 0; q < n; q++) {
      double xq = q * step;
      while (z[j + 1] < xq) {
        j++;
      }
      double dx = xq - v[j] * step;
      out[q] = dx * dx + f[v[j]];
    }
  }

  private static double[] distancesAt(boolean[] at, double[] squared) {
    int n = 0;
    for (boolean b : at) {
      n += b ? 1 : 0;
    }
    double[] out = new double[n];
    int k = 0;
    for (int i = 0; i < at.length; i++) {
      if (at[i]) {
        out[k++] = Math.sqrt(squared[i]);
      }
    }
    return out;
  }

  /** numpy's default percentile: linear interpolation at rank {@code (n - 1) · p / 100}. */
  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double rank = (sorted.length - 1) * p / 100;
    int lo = (int) Math.floor(rank);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  private static boolean any(boolean[] mask) {
    for (boolean b : mask) {
      if (b) {
        return true;
      }
    }
    return false;
  }

  private static void checkShape(boolean[] mask, int w, int h, int d) {
    if (w < 1 || h < 1 || d < 1 || mask.length != (long) w * h * d) {
      throw new IllegalArgumentException("a " + w + " x " + h + " x " + d + " volume has " + (long) w * h * d
          + " voxels, not " + mask.length);
    }
  }
}
