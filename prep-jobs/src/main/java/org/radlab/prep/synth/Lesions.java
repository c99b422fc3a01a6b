package org.radlab.prep.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Findings drawn into a synthetic view for detection and segmentation ({@code radlab synth --lesions}): masses and
 * clusters of calcifications, and their ground truth as boxes and as a mask.
 *
 * <ul>
 *   <li>A mass is a rotated ellipse, 5 to 12 % of the image width across its long axis, denser than the tissue
 *       around it, with a soft edge;</li>
 *   <li>a calcification cluster is 5 to 14 small bright dots within a circle 3 to 6 % of the image width
 *       across.</li>
 * </ul>
 * About a third of views have none; the others one to three. Lesions sit well inside the breast and outside the
 * pectoral muscle. The lesions of a view come from their own generator, so a run without lesions draws exactly the
 * same images as before lesions existed.
 *
 * <p>The ground truth is the drawn lesion itself: its mask holds every pixel the lesion brightens by at least half
 * its full contrast (value 1 for masses, 2 for calcifications), and its box is the smallest pixel-aligned box around
 * those pixels ({@code x_max} and {@code y_max} are one past the last pixel), in the coordinates of the stored
 * image (after the right breast's mirroring).
 */
final class Lesions {
  /** Mask values and box labels. */
  enum Kind {
    MASS("mass", 1), CALCIFICATION("calcification", 2);

    final String label;
    final int maskValue;

    Kind(String label, int maskValue) {
      this.label = label;
      this.maskValue = maskValue;
    }
  }

  /** What the view got: its lesions and its mask (row-major, one byte per pixel, 0 = background). */
  record Drawn(List<SynthLesion> lesions, byte[] mask) {}

  private static final float MASS_CONTRAST = 0.22f;
  private static final float CALCIFICATION_CONTRAST = 0.45f;

  private Lesions() {}

  /** Draws the view's lesions into {@code display} (values in [0, 1], already mirrored for a right breast). */
  static Drawn draw(BreastAnatomy a, float[] display, int rows, int columns, SplittableRandom r) {
    byte[] mask = new byte[rows * columns];
    List<SynthLesion> lesions = new ArrayList<>();
    double u = r.nextDouble();
    int count = u < 0.35 ? 0 : u < 0.70 ? 1 : u < 0.90 ? 2 : 3;
    for (int n = 0; n < count; n++) {
      double[] centre = place(a, rows, columns, r);
      if (centre == null) {
        continue;
      }
      Kind kind = r.nextDouble() < 0.6 ? Kind.MASS : Kind.CALCIFICATION;
      float[] contrast = new float[rows * columns]; // this lesion's brightening, before mirroring
      int reach = kind == Kind.MASS ? mass(contrast, rows, columns, centre, r)
          : calcifications(contrast, rows, columns, centre, r);
      // everything it drew lies within reach of its centre
      int x0 = Math.max(0, (int) centre[0] - reach);
      int x1 = Math.min(columns, (int) centre[0] + reach + 1);
      int y0 = Math.max(0, (int) centre[1] - reach);
      int y1 = Math.min(rows, (int) centre[1] + reach + 1);
      float full = kind == Kind.MASS ? MASS_CONTRAST : CALCIFICATION_CONTRAST;
      // its box: the pixels inside the breast it brightens by at least half its full contrast
      int xMin = columns;
      int yMin = rows;
      int xMax = -1;
      int yMax = -1;
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          int stored = a.chestWallOnRight() ? columns - 1 - x : x;
          if (contrast[y * columns + x] >= full / 2 && display[y * columns + stored] > 0f) {
            xMin = Math.min(xMin, stored);
            xMax = Math.max(xMax, stored);
            yMin = Math.min(yMin, y);
            yMax = Math.max(yMax, y);
          }
        }
      }
      SynthLesion lesion = new SynthLesion(kind.label, kind.maskValue, xMin, yMin, xMax + 1, yMax + 1);
      if (xMax < 0 || overlaps(lesion, lesions, Math.max(2, (int) Math.ceil(0.01 * columns)))) {
        continue; // outside the breast, or too close to a lesion drawn already: each box holds one finding
      }
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          float c = contrast[y * columns + x];
          int i = y * columns + (a.chestWallOnRight() ? columns - 1 - x : x);
          if (c > 0f && display[i] > 0f) {
            display[i] = Math.min(0.99f, display[i] + c);
            if (c >= full / 2) {
              mask[i] = (byte) kind.maskValue;
            }
          }
        }
      }
      lesions.add(lesion);
    }
    return new Drawn(List.copyOf(lesions), mask);
  }

  /** Whether {@code l}'s box, grown by {@code gap} pixels, meets one of {@code drawn}. */
  private static boolean overlaps(SynthLesion l, List<SynthLesion> drawn, int gap) {
    for (SynthLesion d : drawn) {
      if (l.xMin() - gap < d.xMax() && d.xMin() < l.xMax() + gap && l.yMin() - gap < d.yMax()
          && d.yMin() < l.yMax() + gap) {
        return true;
      }
    }
    return false;
  }

  /** A centre inside the breast (elliptical radius below 0.75) and off the pectoral muscle, or null. */
  private static double[] place(BreastAnatomy a, int rows, int columns, SplittableRandom r) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int x = (int) (r.nextDouble() * columns);
      int y = (int) (r.nextDouble() * rows);
      if (BreastPhantom.ellipticalRadius(a, x, y, rows, columns) < 0.75f && !onPectoral(a, x, y, rows, columns)) {
        return new double[] {x + 0.5, y + 0.5};
      }
    }
    return null;
  }

  private static boolean onPectoral(BreastAnatomy a, int x, int y, int rows, int columns) {
    if (!a.hasPectoralMuscle()) {
      return false;
    }
    double fx = (x + 0.5) / columns / a.pectoralWidth();
    double fy = (y + 0.5) / rows / a.pectoralHeight();
    return fx + fy < 1.15; // with a margin, so the lesion does not reach into the muscle
  }

  /** Draws a mass around {@code c}; returns how far from {@code c} (in pixels, along x or y) it reaches. */
  private static int mass(float[] contrast, int rows, int columns, double[] c, SplittableRandom r) {
    double long_ = columns * (0.025 + 0.035 * r.nextDouble()); // semi-axes
    double short_ = long_ * (0.55 + 0.4 * r.nextDouble());
    double angle = Math.PI * r.nextDouble();
    double cos = StrictMath.cos(angle);
    double sin = StrictMath.sin(angle);
    int reach = (int) Math.ceil(long_ * 1.3) + 1;
    for (int y = Math.max(0, (int) (c[1] - reach)); y < Math.min(rows, (int) (c[1] + reach)); y++) {
      for (int x = Math.max(0, (int) (c[0] - reach)); x < Math.min(columns, (int) (c[0] + reach)); x++) {
        double dx = x + 0.5 - c[0];
        double dy = y + 0.5 - c[1];
        double u = (dx * cos + dy * sin) / long_;
        double v = (-dx * sin + dy * cos) / short_;
        double d = Math.sqrt(u * u + v * v); // 1 on the ellipse
        // full contrast inside 0.8, falling smoothly to 0 at 1.2: half contrast on the ellipse itself
        float t = (float) Math.max(0, Math.min(1, (1.2 - d) / 0.4));
        contrast[y * columns + x] = Math.max(contrast[y * columns + x], MASS_CONTRAST * ValueNoise.smoothstep(t));
      }
    }
    return reach + 1;
  }

  /** Draws a cluster around {@code c}; returns how far from {@code c} (in pixels, along x or y) it reaches. */
  private static int calcifications(float[] contrast, int rows, int columns, double[] c, SplittableRandom r) {
    double radius = columns * (0.015 + 0.015 * r.nextDouble());
    double dot = Math.max(0.8, columns * 0.0025);
    int dotReach = (int) Math.ceil(dot) + 1;
    int dots = 5 + r.nextInt(10);
    for (int k = 0; k < dots; k++) {
      double rho = radius * Math.sqrt(r.nextDouble());
      double phi = 2 * Math.PI * r.nextDouble();
      double px = c[0] + rho * StrictMath.cos(phi);
      double py = c[1] + rho * StrictMath.sin(phi);
      for (int y = Math.max(0, (int) (py - dotReach)); y < Math.min(rows, (int) (py + dotReach) + 1); y++) {
        for (int x = Math.max(0, (int) (px - dotReach)); x < Math.min(columns, (int) (px + dotReach) + 1); x++) {
          double d = StrictMath.hypot(x + 0.5 - px, y + 0.5 - py) / dot;
          float t = (float) Math.max(0, Math.min(1, 1.5 - d)); // full within half a dot radius, half at 1
          contrast[y * columns + x] = Math.max(contrast[y * columns + x], CALCIFICATION_CONTRAST * t);
        }
      }
    }
    return (int) Math.ceil(radius) + dotReach + 2;
  }
}
