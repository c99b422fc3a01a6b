package org.radlab.prep.synth;

import java.util.SplittableRandom;

/**
 * Renders one view as display values: 0 outside the breast, and for tissue a value in [0.03, 0.99] where brighter
 * means denser. The picture has:
 * <ul>
 *   <li>fat whose brightness falls towards the skin line as the compressed breast gets thinner;</li>
 *   <li>a thin, brighter skin band along the smooth outline;</li>
 *   <li>fibroglandular tissue: a low-frequency random field, biased towards the centre of the breast, thresholded
 *       so that the share of the breast above the threshold is the view's target share, with soft edges and a finer
 *       texture inside;</li>
 *   <li>on MLO views, a bright pectoral muscle triangle in the top chest-wall corner;</li>
 *   <li>noise.</li>
 * </ul>
 */
final class BreastPhantom {
  /** Weight of the bias that gathers glandular tissue in the middle of the breast, in noise units. */
  private static final float CENTRAL_BIAS = 0.40f;
  /** Elliptical radius where glandular tissue is most likely. */
  private static final float GLAND_CENTRE = 0.42f;
  /** Width of the soft edge of glandular tissue, in noise units. */
  private static final float GLAND_EDGE = 0.16f;
  /** Glandular structures are longer towards the nipple than across. */
  private static final double GLAND_ASPECT = 1.6;
  private static final float SKIN_BOOST = 0.05f;
  private static final int HISTOGRAM_BINS = 4096;
  private static final float FIELD_MAX = 1f + CENTRAL_BIAS;

  private BreastPhantom() {}

  static float[] render(BreastAnatomy a, int rows, int columns) {
    SplittableRandom rng = new SplittableRandom(a.textureSeed());
    float[] field = ValueNoise.fractal(rng, columns, rows, GLAND_ASPECT,
        new double[] {columns / 5.0, columns / 10.0, columns / 20.0, columns / 40.0},
        new double[] {1.0, 0.55, 0.30, 0.17});
    float[] fine = ValueNoise.fractal(rng, columns, rows, 1.0,
        new double[] {columns / 24.0, columns / 48.0, columns / 96.0}, new double[] {1.0, 0.5, 0.25});

    // Pass 1: the glandular field over the breast, and its histogram outside the pectoral muscle.
    long[] histogram = new long[HISTOGRAM_BINS];
    long breastPixels = 0;
    float[] radius = new float[rows * columns];
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < columns; x++) {
        int i = y * columns + x;
        float r = ellipticalRadius(a, x, y, rows, columns);
        radius[i] = r;
        if (r >= 1f) {
          continue;
        }
        float off = (r - GLAND_CENTRE) / (1f - GLAND_CENTRE);
        float v = field[i] + CENTRAL_BIAS * Math.max(0f, 1f - off * off);
        field[i] = v;
        if (pectoralDepth(a, x, y, rows, columns) <= 0f) {
          histogram[bin(v)]++;
          breastPixels++;
        }
      }
    }
    float threshold = upperQuantile(histogram, breastPixels, a.fibroglandularFraction());

    // Pass 2: intensities.
    float[] display = new float[rows * columns];
    float skinWidth = (float) Math.max(1.0, 0.006 * columns) / (float) (a.depth() * columns);
    float fatLevel = (float) a.fatLevel();
    float contrast = (float) a.glandContrast();
    float noise = (float) a.noiseLevel();
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < columns; x++) {
        int i = y * columns + x;
        float r = radius[i];
        if (r >= 1f) {
          continue;
        }
        float thickness = (float) Math.sqrt(1.0 - (double) r * r);
        float d = fatLevel * (0.62f + 0.48f * thickness) + 0.05f * (fine[i] - 0.5f);
        float t = Math.max(0f, Math.min(1f, (field[i] - threshold) / GLAND_EDGE + 0.5f));
        float gland = ValueNoise.smoothstep(t);
        d += contrast * gland * (0.5f + 1.0f * fine[i]) * (0.55f + 0.45f * thickness);
        if (1f - r < skinWidth) {
          d += SKIN_BOOST;
        }
        float pectoral = pectoralDepth(a, x, y, rows, columns);
        if (pectoral > 0f) {
          float m = Math.min(1f, pectoral / 0.04f);
          float muscle = 0.60f + 0.10f * (1f - (float) ((y + 0.5) / rows / a.pectoralHeight())) + 0.06f * fine[i];
          d = d * (1f - m) + muscle * m;
        }
        d += noise * gaussianish(rng);
        int column = a.chestWallOnRight() ? columns - 1 - x : x;
        display[y * columns + column] = Math.max(0.03f, Math.min(0.99f, d));
      }
    }
    return display;
  }

  /** Elliptical radius of a pixel centre: below 1 inside the breast, 1 on the skin line. */
  static float ellipticalRadius(BreastAnatomy a, int x, int y, int rows, int columns) {
    double dy = (y + 0.5) / rows - a.centerY();
    double ty = dy / (dy < 0 ? a.upperHeight() : a.lowerHeight());
    double tx = ((x + 0.5) / columns) / a.depth();
    double r2 = tx * tx + ty * ty;
    return r2 >= 1.0 ? 1f : (float) Math.sqrt(r2);
  }

  /** How far inside the pectoral triangle a pixel lies (0 to 1), or 0 or less outside it. */
  private static float pectoralDepth(BreastAnatomy a, int x, int y, int rows, int columns) {
    if (!a.hasPectoralMuscle()) {
      return 0f;
    }
    double fx = (x + 0.5) / columns / a.pectoralWidth();
    double fy = (y + 0.5) / rows / a.pectoralHeight();
    return (float) (1.0 - fx - fy);
  }

  private static int bin(float v) {
    int b = (int) (v / FIELD_MAX * HISTOGRAM_BINS);
    return Math.max(0, Math.min(HISTOGRAM_BINS - 1, b));
  }

  /** The field value above which {@code share} of the counted pixels lie. */
  private static float upperQuantile(long[] histogram, long total, double share) {
    long wanted = Math.round(share * total);
    long above = 0;
    for (int b = HISTOGRAM_BINS - 1; b >= 0; b--) {
      above += histogram[b];
      if (above >= wanted) {
        return (float) b / HISTOGRAM_BINS * FIELD_MAX;
      }
    }
    return 0f;
  }

  /** Approximately standard normal: the centred sum of four uniforms taken from one 64-bit draw. */
  private static float gaussianish(SplittableRandom rng) {
    long bits = rng.nextLong();
    int sum = (int) (bits & 0xFFFF) + (int) ((bits >>> 16) & 0xFFFF) + (int) ((bits >>> 32) & 0xFFFF)
        + (int) ((bits >>> 48) & 0xFFFF);
    return (sum / 65536f - 2f) * 1.7320508f;
  }
}
