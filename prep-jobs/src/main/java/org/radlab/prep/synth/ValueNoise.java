package org.radlab.prep.synth;

import java.util.SplittableRandom;

/**
 * Smooth random fields: value noise (random values on a coarse lattice, interpolated with a smoothstep) summed over
 * octaves. Cell sizes are given in pixels, so callers scale them with the image to get the same look at any size.
 * Only additions and multiplications are used, so every JVM computes the same floats.
 */
final class ValueNoise {
  private ValueNoise() {}

  /**
   * A field in [0, 1] of {@code cells.length} octaves: octave {@code k} has lattice cells {@code cells[k]} pixels
   * high and {@code aspect} times as wide, and weight {@code weights[k]}.
   */
  static float[] fractal(SplittableRandom rng, int width, int height, double aspect, double[] cells,
                         double[] weights) {
    float[] out = new float[width * height];
    double total = 0;
    for (int k = 0; k < cells.length; k++) {
      double cell = Math.max(2.0, cells[k]);
      addOctave(out, width, height, cell * aspect, cell, (float) weights[k], rng);
      total += weights[k];
    }
    float scale = (float) (1.0 / total);
    for (int i = 0; i < out.length; i++) {
      out[i] *= scale;
    }
    return out;
  }

  /** Adds {@code weight} times one octave of value noise in [0, 1], with cells of the given size, to {@code out}. */
  static void addOctave(float[] out, int width, int height, double cellWidth, double cellHeight, float weight,
                        SplittableRandom rng) {
    int latticeWidth = (int) Math.ceil(width / cellWidth) + 2;
    int latticeHeight = (int) Math.ceil(height / cellHeight) + 2;
    float[] lattice = new float[latticeWidth * latticeHeight];
    for (int i = 0; i < lattice.length; i++) {
      lattice[i] = (float) rng.nextDouble();
    }
    // A random sub-cell offset, so lattice points of different octaves do not line up.
    double offsetX = rng.nextDouble();
    double offsetY = rng.nextDouble();
    int[] column = new int[width];
    float[] weightX = new float[width];
    for (int x = 0; x < width; x++) {
      double gx = x / cellWidth + offsetX;
      column[x] = (int) gx;
      weightX[x] = smoothstep((float) (gx - column[x]));
    }
    for (int y = 0; y < height; y++) {
      double gy = y / cellHeight + offsetY;
      int row = (int) gy;
      float wy = smoothstep((float) (gy - row));
      int top = row * latticeWidth;
      int bottom = top + latticeWidth;
      int base = y * width;
      for (int x = 0; x < width; x++) {
        int c = column[x];
        float wx = weightX[x];
        float a = lattice[top + c] + (lattice[top + c + 1] - lattice[top + c]) * wx;
        float b = lattice[bottom + c] + (lattice[bottom + c + 1] - lattice[bottom + c]) * wx;
        out[base + x] += weight * (a + (b - a) * wy);
      }
    }
  }

  /** 3t^2 - 2t^3 on [0, 1]. */
  static float smoothstep(float t) {
    return t * t * (3f - 2f * t);
  }
}
