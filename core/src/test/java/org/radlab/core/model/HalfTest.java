package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** binary16 against its definition: exact values, rounding, the edges. */
class HalfTest {
  @Test
  void knownBitPatterns() {
    assertEquals((short) 0x3C00, Half.fromFloat(1f));
    assertEquals((short) 0xC000, Half.fromFloat(-2f));
    assertEquals((short) 0x3555, Half.fromFloat(1f / 3)); // 0.333251953125, the nearest half
    assertEquals((short) 0x7BFF, Half.fromFloat(65504f)); // the largest finite half
    assertEquals((short) 0x7C00, Half.fromFloat(70000f)); // overflow
    assertEquals((short) 0x0001, Half.fromFloat(5.9604645e-8f)); // the smallest subnormal, 2^-24
    assertEquals((short) 0x0000, Half.fromFloat(2e-8f)); // below half of it: zero
    assertEquals((short) 0x0400, Half.fromFloat(6.1035156e-5f)); // the smallest normal, 2^-14
    assertEquals(0.333251953125f, Half.toFloat((short) 0x3555));
    assertEquals(5.9604645e-8f, Half.toFloat((short) 0x0001));
    assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7C00));
    assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
  }

  @Test
  void tiesRoundToEven() {
    // 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10: it rounds down; 1 + 3*2^-11 rounds up to 1 + 2^-9
    assertEquals((short) 0x3C00, Half.fromFloat(1f + (float) Math.pow(2, -11)));
    assertEquals((short) 0x3C02, Half.fromFloat(1f + 3 * (float) Math.pow(2, -11)));
  }

  @Test
  void everyHalfRoundTripsAndFloatsLandWithinHalfAStep() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (!Float.isNaN(f)) {
        assertEquals((short) h, Half.fromFloat(f), "half " + Integer.toHexString(h));
      }
    }
    Random random = new Random(3);
    for (int i = 0; i < 100_000; i++) {
      float f = (float) (random.nextGaussian() * 1e-3);
      float back = Half.toFloat(Half.fromFloat(f));
      // relative error at most 2^-11 for normal halves (|f| > 6.1e-5); below, half a subnormal step (2^-25)
      assertTrue(Math.abs(back - f) <= Math.max(Math.abs(f) * 4.8828125e-4, 2.9802322e-8 * 1.001), f + " -> " + back);
    }
  }
}
