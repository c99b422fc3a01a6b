package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helper: comparing two flat weight vectors. */
final class Weights {
  private Weights() {}

  /** The largest absolute difference between two vectors of the same length. */
  static double maxDifference(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
