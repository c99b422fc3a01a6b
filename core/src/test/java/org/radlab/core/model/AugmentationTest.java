package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Flips and rotations: exact on hand-made images, shape-preserving, and label-free by construction. */
class AugmentationTest {
  // 3x3, row-major:  1 2 3 / 4 5 6 / 7 8 9
  private static final float[] IMG = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  @Test
  void flipsMirrorRowsAndColumns() {
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, Augmentation.transform(IMG, 3, true, false, 0));
    assertArrayEquals(new float[] {7, 8, 9, 4, 5, 6, 1, 2, 3}, Augmentation.transform(IMG, 3, false, true, 0));
    assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1}, Augmentation.transform(IMG, 3, true, true, 0));
  }

  @Test
  void ninetyDegreesTurnsTheImageCounterClockwise() {
    // turned a quarter counter-clockwise, the right column becomes the top row: 3 6 9 / 2 5 8 / 1 4 7
    assertArrayEquals(new float[] {3, 6, 9, 2, 5, 8, 1, 4, 7}, Augmentation.transform(IMG, 3, false, false, 90),
        1e-5f);
    assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1}, Augmentation.transform(IMG, 3, false, false, 180),
        1e-5f);
  }

  @Test
  void smallRotationsKeepACentredDiscAndFillOutsideWithZero() {
    int side = 64;
    float[] disc = new float[side * side];
    float mass = 0;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        double r = Math.hypot(x - 31.5, y - 31.5);
        disc[y * side + x] = r < 20 ? 1f : 0f;
        mass += disc[y * side + x];
      }
    }
    float[] turned = Augmentation.transform(disc, side, false, false, 17);
    float after = 0;
    for (float v : turned) {
      after += v;
      assertTrue(v >= 0 && v <= 1.00001f);
    }
    assertEquals(mass, after, mass * 0.02, "a disc about the centre keeps its area");
    // a full image rotated by 45 degrees: the corners come from outside and are 0
    float[] ones = new float[side * side];
    java.util.Arrays.fill(ones, 1f);
    float[] r45 = Augmentation.transform(ones, side, false, false, 45);
    assertEquals(0f, r45[0]);
    assertEquals(1f, r45[32 * side + 32], 1e-6f);
  }

  @Test
  void randomAugmentationKeepsTheShapeAndDrawsBothFlipStates() {
    Augmentation a = new Augmentation(Augmentation.Kind.FLIPS_ROTATIONS, 0);
    Random random = new Random(5);
    int flippedLeftRight = 0;
    for (int i = 0; i < 200; i++) {
      float[] out = a.apply(IMG, 3, random);
      assertEquals(9, out.length);
      assertNotSame(IMG, out);
      if (out[0] == 3 || out[0] == 9) {
        flippedLeftRight++;
      }
    }
    assertTrue(flippedLeftRight > 60 && flippedLeftRight < 140, "left-right flips: " + flippedLeftRight + "/200");
    assertArrayEquals(IMG, new Augmentation(Augmentation.Kind.NONE, 15).apply(IMG, 3, random));
    assertThrows(IllegalArgumentException.class, () -> a.apply(IMG, 4, random));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(Augmentation.Kind.FLIPS_ROTATIONS, 200));
  }
}
