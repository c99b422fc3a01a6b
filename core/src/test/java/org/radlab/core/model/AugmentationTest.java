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
  void masksTurnAsTheImageDoesWithoutBlendingClasses() {
    byte[] mask = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // the image's hand-worked results above, now as class indices
    assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, Augmentation.transformMask(mask, 3, true, false, 0));
    assertArrayEquals(new byte[] {3, 6, 9, 2, 5, 8, 1, 4, 7}, Augmentation.transformMask(mask, 3, false, false, 90));
    // flipped both ways (9 8 7 / 6 5 4 / 3 2 1), then its right column (7 4 1) turned up to the top row
    assertArrayEquals(new byte[] {7, 4, 1, 8, 5, 2, 9, 6, 3}, Augmentation.transformMask(mask, 3, true, true, 90));
    // a 45-degree turn of a full mask: the corners come from outside and are background
    byte[] ones = new byte[64 * 64];
    java.util.Arrays.fill(ones, (byte) 1);
    byte[] r45 = Augmentation.transformMask(ones, 64, false, false, 45);
    assertEquals(0, r45[0]);
    assertEquals(1, r45[32 * 64 + 32]);
    // drawn together: a random change moves an image and its mask alike. The image is the mask as grey values, class
    // 1 at +10 and class 2 at -10 (kept 3 pixels apart, so no sample blends them): a bilinear sample within 0.5 of a
    // class's value takes at least 95 % of its weight from that class, so the pixel nearest the sample (the one with
    // the largest weight, at least 25 %) holds it, and the mask must say so
    int side = 48;
    float[] image = new float[side * side];
    byte[] labels = new byte[side * side];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int c = Math.hypot(x - 18, y - 26) < 9 ? 1 : x > 30 && y < 20 ? 2 : 0;
        labels[y * side + x] = (byte) c;
        image[y * side + x] = c == 2 ? -10 : c * 10;
      }
    }
    Augmentation aug = new Augmentation(Augmentation.Kind.FLIPS_ROTATIONS, 30);
    Random random = new Random(5);
    for (int round = 0; round < 8; round++) {
      Augmentation.Masked moved = aug.apply(image, side, labels, random);
      int agreeing = 0;
      for (int i = 0; i < side * side; i++) {
        float v = moved.image()[i];
        int clear = Math.abs(v) < 0.5 ? 0 : Math.abs(v - 10) < 0.5 ? 1 : Math.abs(v + 10) < 0.5 ? 2 : -1;
        if (clear >= 0) {
          assertEquals(clear, moved.mask()[i], "round " + round + ", pixel " + i);
          agreeing++;
        }
      }
      assertTrue(agreeing > side * side * 0.8, "most pixels are clearly one class: " + agreeing);
    }
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
