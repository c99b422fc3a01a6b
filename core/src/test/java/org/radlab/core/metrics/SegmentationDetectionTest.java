package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Dice, IoU, mAP, Bland-Altman and volume pairs on cases worked out by hand. */
class SegmentationDetectionTest {

  @Test
  void diceAndIouOfMasks() {
    // predicted 4 pixels, reference 4, 2 shared: Dice 2*2/8 = 0.5, IoU 2/6
    boolean[] p = {true, true, true, true, false, false, false, false};
    boolean[] r = {false, false, true, true, true, true, false, false};
    assertEquals(0.5, Overlap.dice(p, r), 1e-12);
    assertEquals(1.0 / 3, Overlap.iou(p, r), 1e-12);
    assertEquals(1.0, Overlap.dice(p, p), 0);
    boolean[] none = new boolean[8];
    assertEquals(0.0, Overlap.dice(p, none), 0);
    assertEquals(1.0, Overlap.dice(none, none), 0, "two empty masks agree");
  }

  @Test
  void boxOverlap() {
    // [0,0,2,2] and [1,1,3,3]: intersection 1, areas 4 and 4: IoU 1/7, Dice 2/8
    assertEquals(1.0 / 7, Overlap.iou(new double[] {0, 0, 2, 2}, new double[] {1, 1, 3, 3}), 1e-12);
    assertEquals(0.25, Overlap.dice(new double[] {0, 0, 2, 2}, new double[] {1, 1, 3, 3}), 1e-12);
    assertEquals(0.0, Overlap.iou(new double[] {0, 0, 1, 1}, new double[] {2, 2, 3, 3}), 0);
    assertThrows(IllegalArgumentException.class, () -> Overlap.iou(new double[] {1, 1, 0, 2}, new double[] {0, 0, 1, 1}));
  }

  @Test
  void averagePrecisionOfASmallCase() {
    // two reference boxes in two images; detections: a perfect hit (0.9), a miss elsewhere (0.8), a perfect hit (0.7)
    List<DetectionAp.Truth> truths = List.of(
        new DetectionAp.Truth("i1", "mass", new double[] {0, 0, 10, 10}),
        new DetectionAp.Truth("i2", "mass", new double[] {5, 5, 15, 15}));
    List<DetectionAp.Detection> dets = List.of(
        new DetectionAp.Detection("i1", "mass", 0.9, new double[] {0, 0, 10, 10}),
        new DetectionAp.Detection("i1", "mass", 0.8, new double[] {50, 50, 60, 60}),
        new DetectionAp.Detection("i2", "mass", 0.7, new double[] {5, 5, 15, 15}));
    // precision/recall: (1, .5), (.5, .5), (2/3, 1); interpolated: 1 up to recall .5, 2/3 above
    // 101 points: r = 0..0.50 -> 51 points at 1; r = 0.51..1 -> 50 points at 2/3: (51 + 100/3) / 101
    double expected = (51 + 50 * 2.0 / 3) / 101;
    assertEquals(expected, DetectionAp.averagePrecision(dets, truths, "mass", 0.5), 1e-12);
    DetectionAp.Result r = DetectionAp.evaluate(dets, truths);
    assertEquals(expected, r.map(), 1e-12, "exact boxes: the same at every threshold");
    assertEquals(expected, r.ap75(), 1e-12);
  }

  @Test
  void averagePrecisionDependsOnTheThreshold() {
    // a box shifted by 2 of 10: IoU = 80/120 = 2/3 -> a hit at 0.50..0.65, a miss from 0.70
    List<DetectionAp.Truth> truths = List.of(new DetectionAp.Truth("i", "c", new double[] {0, 0, 10, 10}));
    List<DetectionAp.Detection> dets = List.of(new DetectionAp.Detection("i", "c", 0.5, new double[] {2, 0, 12, 10}));
    DetectionAp.Result r = DetectionAp.evaluate(dets, truths);
    assertEquals(1.0, r.ap50(), 1e-12);
    assertEquals(0.0, r.ap75(), 1e-12);
    assertEquals(0.4, r.map(), 1e-12); // hits at 0.50, 0.55, 0.60, 0.65: 4 of 10 thresholds
  }

  @Test
  void blandAltmanAndVolumes() {
    // differences 1, 3, -1, 1: bias 1; deviations 0, 2, -2, 0: s = sqrt(8/3)
    BlandAltman ba = BlandAltman.of(new double[] {11, 23, 29, 41}, new double[] {10, 20, 30, 40});
    assertEquals(1.0, ba.bias(), 1e-12);
    assertEquals(Math.sqrt(8.0 / 3), ba.sd(), 1e-12);
    assertEquals(1 - 1.96 * Math.sqrt(8.0 / 3), ba.lower(), 1e-12);
    assertEquals(new BlandAltman.Point(10.5, 1), ba.points().get(0));
    assertThrows(IllegalArgumentException.class, () -> BlandAltman.of(new double[] {1}, new double[] {1}));

    VolumePairs.Pair v = VolumePairs.of("case-1", new boolean[] {true, true, false}, new boolean[] {true, false, false},
        0.5);
    assertEquals(new VolumePairs.Pair("case-1", 1.0, 0.5), v);
    BlandAltman agreement = VolumePairs.agreement(List.of(v, VolumePairs.of("case-2", new boolean[] {true, false,
        false}, new boolean[] {true, true, true}, 0.5)));
    // differences 0.5 and -1.0: bias -0.25
    assertEquals(-0.25, agreement.bias(), 1e-12);
  }
}
