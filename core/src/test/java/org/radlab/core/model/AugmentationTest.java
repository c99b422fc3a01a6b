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

  @Test
  void boxesMoveWithTheImage() {
    int side = 64;
    // a bright rectangle covering pixels x 10..21, y 40..47: the box [10, 22) x [40, 48)
    float[] img = new float[side * side];
    for (int y = 40; y < 48; y++) {
      for (int x = 10; x < 22; x++) {
        img[y * side + x] = 1;
      }
    }
    double[] box = {10, 40, 22, 48, 1};
    // flips are exact: worked by hand
    assertArrayEquals(new double[] {42, 40, 54, 48, 1}, Augmentation.moveBoxes(box, side, true, false, 0), 1e-9);
    assertArrayEquals(new double[] {10, 16, 22, 24, 1}, Augmentation.moveBoxes(box, side, false, true, 0), 1e-9);
    // a quarter turn counter-clockwise: x' = y, y' = side - x (hand-worked on the corners)
    assertArrayEquals(new double[] {40, 42, 48, 54, 1}, Augmentation.moveBoxes(box, side, false, false, 90), 1e-9);
    // against the image itself: the moved box holds the transformed rectangle (pixels above half), snugly
    for (boolean fx : new boolean[] {false, true}) {
      for (double deg : new double[] {-12, 0, 7, 30}) {
        float[] out = Augmentation.transform(img, side, fx, !fx, deg);
        double[] moved = Augmentation.moveBoxes(box, side, fx, !fx, deg);
        int x0 = side;
        int y0 = side;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            if (out[y * side + x] > 0.5f) {
              x0 = Math.min(x0, x);
              y0 = Math.min(y0, y);
              x1 = Math.max(x1, x + 1);
              y1 = Math.max(y1, y + 1);
            }
          }
        }
        String what = "flipX " + fx + ", " + deg + " degrees: box " + java.util.Arrays.toString(moved) + ", pixels ["
            + x0 + ", " + y0 + ", " + x1 + ", " + y1 + ")";
        assertTrue(moved[0] <= x0 + 0.5 && moved[1] <= y0 + 0.5 && moved[2] >= x1 - 0.5 && moved[3] >= y1 - 0.5,
            "the box holds the rectangle: " + what);
        assertTrue(x0 - moved[0] < 1.5 && y0 - moved[1] < 1.5 && moved[2] - x1 < 1.5 && moved[3] - y1 < 1.5,
            "and no more than a pixel and a half beyond it: " + what);
      }
    }
  }

  @Test
  void aBoxTurnedOutOfTheImageIsClippedOrDropped() {
    // near a corner, a 45-degree turn about the centre pushes part of it out: what stays inside is clipped
    double[] moved = Augmentation.moveBoxes(new double[] {4, 4, 14, 14, 0, 30, 30, 34, 34, 1}, 64, false, false, 45);
    assertEquals(10, moved.length, "both stay: " + java.util.Arrays.toString(moved));
    assertEquals(0, moved[0], 1e-9, "the first is clipped at the left edge");
    for (double v : java.util.Arrays.copyOf(moved, 4)) {
      assertTrue(v >= 0 && v <= 64, java.util.Arrays.toString(moved));
    }
    // a box wholly outside after a turn is dropped, with its class
    assertEquals(0, Augmentation.moveBoxes(new double[] {0, 0, 2, 2, 0}, 64, false, false, 45).length);
    // none keeps the boxes as given
    Augmentation none = new Augmentation(Augmentation.Kind.NONE, 0);
    double[] boxes = {1, 2, 3, 4, 0};
    assertArrayEquals(boxes, none.apply(new float[16], 4, boxes, new Random(1)).boxes());
  }
}
