package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageResizeTest {
  private static final float EPS = 1e-6f;

  private static GrayImage filled(int w, int h, float value) {
    float[] d = new float[w * h];
    java.util.Arrays.fill(d, value);
    return new GrayImage(w, h, d);
  }

  @Test
  void fitLongEdgeKeepsTheAspectRatio() {
    GrayImage landscape = ImageResize.fitLongEdge(filled(2000, 1000, 0.3f), 256);
    assertEquals(256, landscape.width());
    assertEquals(128, landscape.height());
    GrayImage portrait = ImageResize.fitLongEdge(filled(300, 1000, 0.3f), 100);
    assertEquals(30, portrait.width());
    assertEquals(100, portrait.height());
    for (float v : portrait.data()) {
      assertEquals(0.3f, v, EPS);
    }
  }

  @Test
  void shrinkingAveragesTheCoveredArea() {
    // 3 -> 2: output 0 covers source [0, 1.5): (1 * 0 + 0.5 * 0.3) / 1.5 = 0.1
    //         output 1 covers [1.5, 3): (0.5 * 0.3 + 1 * 0.9) / 1.5 = 0.7
    GrayImage out = ImageResize.resize(new GrayImage(3, 1, new float[] {0f, 0.3f, 0.9f}), 2, 1);
    assertEquals(0.1f, out.data()[0], EPS);
    assertEquals(0.7f, out.data()[1], EPS);
  }

  @Test
  void enlargingInterpolatesBetweenPixelCentres() {
    // 2 -> 4: output centres map to source x = (j + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25
    // clamped at the edges -> 0, 0.25, 0.75, 1
    GrayImage out = ImageResize.resize(new GrayImage(2, 1, new float[] {0f, 1f}), 4, 1);
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out.data(), EPS);
  }

  @Test
  void aFineCheckerboardShrinksToEvenGreyWithoutAliasing() {
    int n = 2000;
    float[] d = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        d[y * n + x] = (x + y) % 2;
      }
    }
    GrayImage small = ImageResize.fitLongEdge(new GrayImage(n, n, d), 256);
    assertEquals(256, small.width());
    // each output averages a 7.8125-pixel square: the mean stays within 2 * (0.5/7.8125)^2 of 0.5
    for (float v : small.data()) {
      assertEquals(0.5f, v, 0.01f);
    }
  }

  @Test
  void squarePaddedCentresAndPadsWithBlack() {
    GrayImage landscape = ImageResize.squarePadded(filled(200, 100, 1f), 64);
    assertEquals(64, landscape.width());
    assertEquals(64, landscape.height());
    // 64x32 content at rows 16..47
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        float expected = y >= 16 && y < 48 ? 1f : 0f;
        assertEquals(expected, landscape.get(x, y), EPS, "landscape " + x + "," + y);
      }
    }
    GrayImage portrait = ImageResize.squarePadded(filled(100, 200, 1f), 64);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        float expected = x >= 16 && x < 48 ? 1f : 0f;
        assertEquals(expected, portrait.get(x, y), EPS, "portrait " + x + "," + y);
      }
    }
  }

  @Test
  void oddMarginPutsTheExtraRowAtTheBottom() {
    // 3x1 into 4x4: fitted 4x1 (1 * 4/3 rounds to 1); margin 3 -> 1 row above, 2 below
    GrayImage out = ImageResize.squarePadded(filled(3, 1, 1f), 4);
    float[] row1 = java.util.Arrays.copyOfRange(out.data(), 4, 8);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, row1, EPS);
    for (int i : new int[] {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15}) {
      assertEquals(0f, out.data()[i], EPS);
    }
  }

  @Test
  void resizingIsDeterministic() {
    java.util.Random random = new java.util.Random(42);
    float[] d = new float[333 * 211];
    for (int i = 0; i < d.length; i++) {
      d[i] = random.nextFloat();
    }
    GrayImage img = new GrayImage(333, 211, d);
    assertArrayEquals(ImageResize.squarePadded(img, 128).data(), ImageResize.squarePadded(img, 128).data());
    assertArrayEquals(ImageResize.fitLongEdge(img, 500).data(), ImageResize.fitLongEdge(img, 500).data());
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ImageResize.fitLongEdge(filled(4, 4, 0f), 0));
    assertThrows(IllegalArgumentException.class, () -> ImageResize.squarePadded(filled(4, 4, 0f), -3));
  }
}
