package org.radlab.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;

/** PNG boxes in tensor pixels: a case worked by hand, and a bright rectangle sent through prep's real resizes. */
class ImageGeometryTest {

  @Test
  void aPortraitImageWorkedByHand() {
    // 256 x 320 original, PNG 128 x 160, tensor 64: fitted 51 (51.2 rounded) x 64, offset (64 - 51) / 2 = 6
    ImageGeometry g = new ImageGeometry(256, 320, 128, 160, 64);
    assertArrayEquals(new int[] {51, 64}, g.fitted());
    // PNG (10, 20)-(30, 40): x scale 51/128, y scale 64/160 = 0.4
    assertArrayEquals(new double[] {6 + 10 * 51.0 / 128, 8, 6 + 30 * 51.0 / 128, 16},
        g.pngToTensor(new double[] {10, 20, 30, 40}), 1e-12);
    assertArrayEquals(new double[] {10, 20, 30, 40}, g.tensorToPng(g.pngToTensor(new double[] {10, 20, 30, 40})),
        1e-9);
    assertArrayEquals(new double[] {0, 0, 128, 160}, g.tensorToPng(new double[] {0, 0, 64, 64}), 1e-9,
        "the black margin lies outside the PNG");
    // a model input of 32 is the tensor halved: PNG (10, 20)-(30, 40) in the input, and back
    assertArrayEquals(new double[] {(6 + 10 * 51.0 / 128) / 2, 4, (6 + 30 * 51.0 / 128) / 2, 8},
        g.pngToInput(new double[] {10, 20, 30, 40}, 32), 1e-12);
    assertArrayEquals(new double[] {10, 20, 30, 40}, g.inputToPng(new double[] {(6 + 10 * 51.0 / 128) / 2, 4,
        (6 + 30 * 51.0 / 128) / 2, 8}, 32), 1e-9);
  }

  @Test
  void aMaskWorkedByHand() {
    // 8 x 4 original, PNG 4 x 2, tensor 8: fitted 8 x 4 at offset (0, 2); an input of 8 is the tensor itself, so
    // each PNG pixel becomes a 2 x 2 block and rows 0-1 and 6-7 are the black margin (background)
    ImageGeometry g = new ImageGeometry(8, 4, 4, 2, 8);
    LabelMask png = new LabelMask(4, 2, new byte[] {1, 0, 2, 2, 0, 1, 1, 0});
    byte[] expected = {
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 0, 2, 2, 2, 2,
        1, 1, 0, 0, 2, 2, 2, 2,
        0, 0, 1, 1, 1, 1, 0, 0,
        0, 0, 1, 1, 1, 1, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0};
    assertArrayEquals(expected, g.pngMaskToInput(png, 8));
    assertArrayEquals(png.labels(), g.inputMaskToPng(expected, 8).labels(), "and back to the PNG");
    // an input of 4 halves the tensor: each input pixel is one PNG pixel, the margin one row above and below
    assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 0, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0}, g.pngMaskToInput(png, 4));
    assertArrayEquals(png.labels(), g.inputMaskToPng(g.pngMaskToInput(png, 4), 4).labels());
  }

  @Test
  void aRectangleLandsWhereTheResizesPutIt() {
    int columns = 300;
    int rows = 220;
    float[] px = new float[columns * rows];
    double[] rect = {120, 40, 210, 130}; // a bright rectangle in original pixels
    for (int y = (int) rect[1]; y < rect[3]; y++) {
      for (int x = (int) rect[0]; x < rect[2]; x++) {
        px[y * columns + x] = 1f;
      }
    }
    GrayImage original = new GrayImage(columns, rows, px);
    GrayImage png = ImageResize.fitLongEdge(original, 150);
    GrayImage tensor = ImageResize.squarePadded(original, 96);
    ImageGeometry g = new ImageGeometry(columns, rows, png.width(), png.height(), 96);
    double[] inPng = {rect[0] * png.width() / columns, rect[1] * png.height() / rows, rect[2] * png.width() / columns,
        rect[3] * png.height() / rows};
    double[] inTensor = g.pngToTensor(inPng);
    // the tensor's bright pixels (more than half covered) lie inside the mapped box, and fill it but for its edges
    int inside = 0;
    int outside = 0;
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        boolean in = x + 0.5 > inTensor[0] && x + 0.5 < inTensor[2] && y + 0.5 > inTensor[1] && y + 0.5 < inTensor[3];
        if (tensor.data()[y * 96 + x] > 0.5f) {
          assertTrue(in, "bright pixel (" + x + ", " + y + ") outside " + java.util.Arrays.toString(inTensor));
          inside++;
        } else if (in && x > inTensor[0] + 1 && x + 1 < inTensor[2] - 1 && y > inTensor[1] + 1
            && y + 1 < inTensor[3] - 1) {
          outside++;
        }
      }
    }
    assertEquals(0, outside, "dark pixels well inside the mapped box");
    assertTrue(inside > 500, inside + " bright pixels");
  }
}
