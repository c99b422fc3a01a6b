package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training patches: cut where they are asked, centred on findings a third of the time, never outside the image. */
class PatchesTest {
  @Test
  void aPatchIsTheSquareAtItsCorner() {
    // a 4 x 4 image holding 0..15 row by row; the 2 x 2 patch at (1, 2) is rows 2-3, columns 1-2
    float[] image = new float[16];
    byte[] mask = new byte[16];
    for (int i = 0; i < 16; i++) {
      image[i] = i;
      mask[i] = (byte) (i % 3);
    }
    int[] corner = {1, 2};
    assertArrayEquals(new float[] {9, 10, 13, 14}, Patches.cut(image, 4, 2, corner));
    assertArrayEquals(new byte[] {0, 1, 1, 2}, Patches.cut(mask, 4, 2, corner));
    assertArrayEquals(image, Patches.cut(image, 4, 4, new int[] {0, 0}), "the whole image is its own patch");
  }

  @Test
  void aThirdOfThePatchesAreCentredOnTheOnlyFindingAndTheRestLieAnywhere() {
    int side = 64;
    int patch = 16;
    byte[] mask = new byte[side * side];
    mask[40 * side + 20] = 2; // one finding pixel at x 20, y 40: a centred patch has its corner at (12, 32)
    Random random = new Random(7);
    int centred = 0;
    int draws = 3000;
    boolean[][] seen = new boolean[side - patch + 1][side - patch + 1];
    for (int i = 0; i < draws; i++) {
      int[] c = Patches.corner(mask, side, patch, random);
      assertTrue(c[0] >= 0 && c[1] >= 0 && c[0] + patch <= side && c[1] + patch <= side, c[0] + "," + c[1]);
      seen[c[0]][c[1]] = true;
      if (c[0] == 12 && c[1] == 32) {
        centred++;
      }
    }
    // a third of 3000 by design, plus the uniform draws that land there by chance (1 in 49² of the other 2000);
    // the bounds are over 6 standard deviations of a binomial(3000, 1/3) away from its mean
    assertTrue(centred > 850 && centred < 1150, centred + " centred patches of " + draws);
    int positions = 0;
    for (boolean[] row : seen) {
      for (boolean b : row) {
        positions += b ? 1 : 0;
      }
    }
    assertTrue(positions > 0.5 * 49 * 49, "the uniform patches cover the image: " + positions + " of 2401 corners");
  }

  @Test
  void aFindingNearTheEdgeGetsAPatchMovedInsideTheImage() {
    int side = 32;
    byte[] mask = new byte[side * side];
    mask[side * side - 1] = 1; // the bottom-right pixel
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      int[] c = Patches.corner(mask, side, 16, random);
      assertTrue(c[0] <= 16 && c[1] <= 16, c[0] + "," + c[1]);
    }
    // a centred patch is pushed to the corner (16, 16), and it holds the finding
    boolean sawCorner = false;
    for (int i = 0; i < 200 && !sawCorner; i++) {
      int[] c = Patches.corner(mask, side, 16, random);
      sawCorner = c[0] == 16 && c[1] == 16;
    }
    assertTrue(sawCorner);
    assertEquals(1, Patches.cut(mask, side, 16, new int[] {16, 16})[16 * 16 - 1]);
  }

  @Test
  void anImageWithoutFindingsGetsUniformPatchesAndABadSizeIsRefused() {
    byte[] empty = new byte[32 * 32];
    Random random = new Random(11);
    boolean[] seenX = new boolean[17];
    for (int i = 0; i < 500; i++) {
      seenX[Patches.corner(empty, 32, 16, random)[0]] = true;
    }
    for (int x = 0; x <= 16; x++) {
      assertTrue(seenX[x], "corner x " + x + " never drawn");
    }
    assertThrows(IllegalArgumentException.class, () -> Patches.corner(empty, 32, 33, random));
    assertThrows(IllegalArgumentException.class, () -> Patches.corner(empty, 16, 8, random));
  }
}
