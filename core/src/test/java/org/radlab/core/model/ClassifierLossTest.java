package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Each loss's value and gradient with respect to the logits, on cases small enough to work out by hand (the working
 * is in the comments).
 */
class ClassifierLossTest {
  private static final float EPS = 1e-5f;

  /** Returns {loss, d loss / d logits...} for one batch. */
  private static float[] lossAndGradient(ClassifierLoss loss, float[] logits, Shape shape, int... labels) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.create(logits, shape);
      z.setRequiresGradient(true);
      NDArray y = m.create(labels);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray l = loss.evaluate(new NDList(y), new NDList(z));
        gc.backward(l);
        float[] g = z.getGradient().toFloatArray();
        float[] out = new float[g.length + 1];
        out[0] = l.getFloat();
        System.arraycopy(g, 0, out, 1, g.length);
        return out;
      }
    }
  }

  @Test
  void crossEntropy() {
    // z = (0, ln 3): softmax = (1/4, 3/4); true class 0: loss = -ln(1/4) = ln 4; gradient = softmax - onehot
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.CATEGORICAL_CROSS_ENTROPY, 0, 0),
        new float[] {0, (float) Math.log(3)}, new Shape(1, 2), 0);
    assertEquals(Math.log(4), r[0], EPS);
    assertArrayEquals(new float[] {-0.75f, 0.75f}, new float[] {r[1], r[2]}, EPS);
  }

  @Test
  void crossEntropyAveragesOverTheBatch() {
    // two identical rows: same loss, each row's gradient halved
    float l3 = (float) Math.log(3);
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.CATEGORICAL_CROSS_ENTROPY, 0, 0),
        new float[] {0, l3, 0, l3}, new Shape(2, 2), 0, 0);
    assertEquals(Math.log(4), r[0], EPS);
    assertArrayEquals(new float[] {-0.375f, 0.375f, -0.375f, 0.375f}, new float[] {r[1], r[2], r[3], r[4]}, EPS);
  }

  @Test
  void meanSquaredErrorOnSoftmax() {
    // z = (0, 0): s = (1/2, 1/2), y = (1, 0): loss = ((1/2)² + (1/2)²) / 2 = 1/4.
    // dL/ds = (s - y) = (-1/2, 1/2); ds/dz = diag(s) - s sᵀ = [[1/4, -1/4], [-1/4, 1/4]]
    // dL/dz = (-1/8 - 1/8, 1/8 + 1/8) = (-1/4, 1/4)
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.MEAN_SQUARED_ERROR, 0, 0),
        new float[] {0, 0}, new Shape(1, 2), 0);
    assertEquals(0.25, r[0], EPS);
    assertArrayEquals(new float[] {-0.25f, 0.25f}, new float[] {r[1], r[2]}, EPS);
  }

  @Test
  void meanAbsoluteErrorOnSoftmax() {
    // z = (0, 0), y = (1, 0): loss = (1/2 + 1/2) / 2 = 1/2; dL/ds = sign(s - y) / 2 = (-1/2, 1/2);
    // through the same Jacobian: dL/dz = (-1/4, 1/4)
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.MEAN_ABSOLUTE_ERROR, 0, 0),
        new float[] {0, 0}, new Shape(1, 2), 0);
    assertEquals(0.5, r[0], EPS);
    assertArrayEquals(new float[] {-0.25f, 0.25f}, new float[] {r[1], r[2]}, EPS);
  }

  @Test
  void sigmoidFocal() {
    // z = (0, 0), true class 0, alpha 0.25, gamma 2: p = 1/2 for both.
    // class 0 (positive): -0.25 * (1/2)² * ln(1/2) = 0.0625 ln 2; class 1 (negative): -0.75 * (1/2)² * ln(1/2)
    // loss = mean = (0.0625 + 0.1875) ln 2 / 2 = 0.125 ln 2
    // d/dz of the positive term: dp/dz = 1/4, d/dp[-a(1-p)^g ln p] = a g (1-p)^(g-1) ln p - a (1-p)^g / p
    //   = 0.25*2*0.5*(-ln 2) - 0.25*0.25/0.5 = -0.25 ln 2 - 0.125, times 1/4, halved by the mean
    // the negative term mirrors it with weight 0.75 and the opposite sign
    double ln2 = Math.log(2);
    double pos = (-0.25 * ln2 - 0.125) * 0.25 / 2;
    double neg = (0.75 * ln2 + 0.375) * 0.25 / 2;
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.SIGMOID_FOCAL, 0.25, 2),
        new float[] {0, 0}, new Shape(1, 2), 0);
    assertEquals(0.125 * ln2, r[0], EPS);
    assertArrayEquals(new float[] {(float) pos, (float) neg}, new float[] {r[1], r[2]}, EPS);
  }

  @Test
  void focalWithGammaZeroIsWeightedBinaryCrossEntropyAndStableForLargeLogits() {
    // gamma 0, alpha 0.5: 0.5 * BCE. z = (40, -40) for true class 0: both terms ~ 0.5 * ln(1 + e^-40) ~ 0
    float[] r = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.SIGMOID_FOCAL, 0.5, 0),
        new float[] {40, -40}, new Shape(1, 2), 0);
    assertTrue(Float.isFinite(r[0]) && r[0] >= 0 && r[0] < 1e-6, "loss " + r[0]);
    // z = (-40, 40), wrong on both: each term 0.5 * 40 (nearly), mean 20; gradients ±0.5 * 1 / 2
    float[] w = lossAndGradient(new ClassifierLoss(ClassifierLoss.Kind.SIGMOID_FOCAL, 0.5, 0),
        new float[] {-40, 40}, new Shape(1, 2), 0);
    assertEquals(20, w[0], 1e-3);
    assertArrayEquals(new float[] {-0.25f, 0.25f}, new float[] {w[1], w[2]}, EPS);
  }

  @Test
  void badNamesAndParametersAreRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> ClassifierLoss.Kind.parse("hinge"));
    assertTrue(e.getMessage().contains("sigmoid_focal"), e.getMessage());
    assertEquals(ClassifierLoss.Kind.MEAN_SQUARED_ERROR, ClassifierLoss.Kind.parse("Mean_Squared_Error"));
    assertThrows(IllegalArgumentException.class,
        () -> new ClassifierLoss(ClassifierLoss.Kind.SIGMOID_FOCAL, 1.5, 2));
  }
}
