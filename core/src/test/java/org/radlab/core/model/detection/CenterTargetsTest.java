package org.radlab.core.model.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.radlab.core.metrics.DetectionAp;

/** The detector's targets worked out by hand, and decoding them back into the boxes they came from. */
class CenterTargetsTest {

  @Test
  void cellsNearABoxCentreAreItsAndTheSmallestBoxWins() {
    // a 32 x 32 input in 8-pixel cells: cell centres at 4, 12, 20, 28
    CenterTargets.Box big = new CenterTargets.Box(0, 0, 32, 32, 0);
    CenterTargets.Box mid = new CenterTargets.Box(4, 4, 20, 28, 1); // centre (12, 16)
    CenterTargets.Box tiny = new CenterTargets.Box(1, 1, 3, 3, 2);  // no cell centre inside
    CenterTargets t = CenterTargets.assign(List.of(big, mid, tiny), 32, 8);
    assertEquals(4, t.grid());
    // mid: centres inside it are x = 12 and y = 12, 20 -> cells (1,1), (2,1); both also in big, and mid is smaller.
    // big: centres within 1.5 cells (12 px) of (16, 16) are 12 and 20 -> (1,1) (1,2) (2,1) (2,2); it keeps two.
    // tiny: the cell holding its centre (2, 2): (0, 0).
    int[] expected = {
        2, -1, -1, -1,
        -1, 1, 0, -1,
        -1, 1, 0, -1,
        -1, -1, -1, -1};
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(t.classOf()));
    assertEquals(5, t.positives());
    int cells = 16;
    int c11 = 5;
    // cell (1,1), centre (12, 12) in mid: l = 8/8, t = 8/8, r = 8/8, b = 16/8; centre-ness sqrt(1 * 1/2)
    assertEquals(List.of(1f, 1f, 1f, 2f), List.of(t.distances()[c11], t.distances()[cells + c11],
        t.distances()[2 * cells + c11], t.distances()[3 * cells + c11]));
    assertEquals(Math.sqrt(0.5), t.centerness()[c11], 1e-6);
    // cell (1,2), centre (20, 12) in big: l = 20/8, t = 12/8, r = 12/8, b = 20/8; sqrt(12/20 * 12/20) = 0.6
    assertEquals(0.6, t.centerness()[6], 1e-6);
    // tiny, from the centre (4, 4): l = t = 3/8; r and b would be -1/8, kept at the minimum; centre-ness 0
    assertEquals(0.375f, t.distances()[0]);
    assertEquals((float) CenterTargets.MIN_DISTANCE, t.distances()[2 * cells]);
    assertEquals(0f, t.centerness()[0]);
    assertThrows(IllegalArgumentException.class, () -> CenterTargets.assign(List.of(), 30, 8));
  }

  @Test
  void perfectOutputsDecodeIntoTheBoxes() {
    Random random = new Random(4);
    int side = 128;
    int stride = 4;
    List<CenterTargets.Box> boxes = new ArrayList<>();
    List<DetectionAp.Truth> truths = new ArrayList<>();
    for (int k = 0; k < 6; k++) { // boxes apart from each other, 10 to 30 pixels
      double x = 5 + 40 * (k % 3) + random.nextInt(8);
      double y = 10 + 60 * (k / 3) + random.nextInt(8);
      double w = 10 + random.nextInt(21);
      double h = 10 + random.nextInt(21);
      boxes.add(new CenterTargets.Box(x, y, x + w, y + h, k % 2));
      truths.add(new DetectionAp.Truth("i", "c" + k % 2, new double[] {x, y, x + w, y + h}));
    }
    CenterTargets t = CenterTargets.assign(boxes, side, stride);
    int cells = t.grid() * t.grid();
    float[] classLogits = new float[2 * cells];
    float[] centerLogits = new float[cells];
    java.util.Arrays.fill(classLogits, -12f);
    java.util.Arrays.fill(centerLogits, -12f);
    for (int cell = 0; cell < cells; cell++) {
      if (t.classOf()[cell] >= 0) {
        classLogits[t.classOf()[cell] * cells + cell] = 12f;
        double p = Math.min(0.999999, Math.max(1e-6, t.centerness()[cell]));
        centerLogits[cell] = (float) Math.log(p / (1 - p));
      }
    }
    List<CenterDecoder.Detection> found = CenterDecoder.decode(classLogits, t.distances(), centerLogits, 2,
        t.grid(), stride, 0.05, 0.6, 100);
    assertEquals(boxes.size(), found.size(), "one box each after suppression: " + found);
    List<DetectionAp.Detection> dets = new ArrayList<>();
    found.forEach(d -> dets.add(new DetectionAp.Detection("i", "c" + d.classIndex(), d.score(), d.corners())));
    DetectionAp.Result r = DetectionAp.evaluate(dets, truths);
    assertEquals(1.0, r.map(), 1e-9, "every box found exactly");
  }

  @Test
  void suppressionKeepsTheBestOfOverlappingBoxesOfOneClass() {
    // one 2 x 2 grid of 8-pixel cells; cell 0 and cell 1 predict nearly the same box of class 0, cell 3 of class 1
    float[] classLogits = {3, 2, -20, -20, -20, -20, -20, 1};
    float[] centerLogits = {0, 0, -20, 0};
    // distances (in strides) from centres (4,4), (12,4), (4,12), (12,12)
    float[] distances = {
        0.5f, 1.5f, 0, 1, // l
        0.5f, 0.5f, 0, 1, // t
        1.5f, 0.5f, 0, 1, // r
        1.5f, 1.5f, 0, 1};// b
    List<CenterDecoder.Detection> found = CenterDecoder.decode(classLogits, distances, centerLogits, 2, 2, 8, 0.05,
        0.6, 100);
    // cell 0: (0, 0, 16, 16); cell 1: (0, 0, 16, 16) too -> suppressed; cell 3 class 1: (4, 4, 16, 16), kept
    assertEquals(2, found.size(), found.toString());
    assertEquals(new CenterDecoder.Detection(0, 0, 16, 16, 0, Math.sqrt(sigmoid(3) * 0.5)), found.get(0));
    assertEquals(1, found.get(1).classIndex());
    assertEquals(4, found.get(1).x0(), 1e-9);
    assertTrue(found.get(1).score() < found.get(0).score());
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
