package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A replica learns an easy task, and its parameters survive the flat-array and .params round trips. */
class ReplicaTest {
  private static final int SIDE = 32;

  private static Replica.Spec spec(long seed) {
    return spec(seed, "adam");
  }

  private static Replica.Spec spec(long seed, String optimizer) {
    return new Replica.Spec("resnet18", 0.125, 2, SIDE, "categorical_cross_entropy", 0.25, 2, optimizer, 1e-3, seed);
  }

  /** Class 1: a bright square somewhere; class 0: noise only. */
  private static float[] batch(int[] labels, Random random) {
    float[] x = new float[labels.length * SIDE * SIDE];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextInt(2);
      for (int p = 0; p < SIDE * SIDE; p++) {
        x[i * SIDE * SIDE + p] = random.nextFloat() * 0.3f;
      }
      if (labels[i] == 1) {
        int ox = random.nextInt(SIDE - 10);
        int oy = random.nextInt(SIDE - 10);
        for (int y = oy; y < oy + 10; y++) {
          for (int xx = ox; xx < ox + 10; xx++) {
            x[i * SIDE * SIDE + y * SIDE + xx] = 1f;
          }
        }
      }
    }
    return x;
  }

  @Test
  void learnsABrightSquareFromNoise() {
    try (Replica r = new Replica(spec(7))) {
      Random random = new Random(11);
      int[] labels = new int[16];
      for (int s = 0; s < 60; s++) {
        float[] x = batch(labels, random);
        r.step(x, labels);
      }
      int[] test = new int[64];
      float[] x = batch(test, new Random(99));
      float[][] p = r.predict(x, test.length);
      int right = 0;
      for (int i = 0; i < test.length; i++) {
        assertEquals(1.0, p[i][0] + p[i][1], 1e-4);
        if ((p[i][1] > 0.5 ? 1 : 0) == test[i]) {
          right++;
        }
      }
      assertTrue(right >= 56, "accuracy " + right + "/64 after 60 steps");
    }
  }

  /**
   * Steps, weight loads and read-outs leave nothing behind in the manager that holds the weights (an array created
   * there and never closed stays in native memory until the replica closes: per step, that is a leak).
   */
  @Test
  void stepsLeaveNoArraysBehind() {
    try (Replica r = new Replica(spec(4))) {
      Random random = new Random(4);
      int[] labels = new int[32];
      ai.djl.ndarray.NDManager weights = r.block().getParameters().valueAt(0).getArray().getManager();
      r.step(batch(labels, random), labels); // the optimizer's state is created at the first step
      int before = weights.getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        r.step(batch(labels, random), labels);
        r.setParameters(r.parameters());
        r.optimizerState();
      }
      assertEquals(before, weights.getManagedArrays().size());
    }
  }

  @Test
  void parametersRoundTripThroughFlatArraysAndParamsFiles() throws Exception {
    try (Replica a = new Replica(spec(1)); Replica b = new Replica(spec(2))) {
      float[] pa = a.parameters();
      assertEquals(a.parameterCount(), pa.length);
      assertTrue(!java.util.Arrays.equals(pa, b.parameters()), "different seeds, different initial weights");
      b.setParameters(pa);
      assertArrayEquals(pa, b.parameters());
      int[] labels = new int[4];
      float[] x = batch(labels, new Random(3));
      assertArrayEquals(a.predict(x, 4)[0], b.predict(x, 4)[0], 1e-6f);

      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      a.step(x, labels);
      a.save(saved);
      try (Replica c = new Replica(spec(3))) {
        c.load(new ByteArrayInputStream(saved.toByteArray()));
        assertArrayEquals(a.parameters(), c.parameters());
      }
    }
  }

  /** A resumed training loads a checkpoint, then takes new weights every epoch: predictions must follow them. */
  @Test
  void weightsSetAfterALoadAreTheOnesThatPredict() throws Exception {
    try (Replica a = new Replica(spec(1)); Replica b = new Replica(spec(2)); Replica c = new Replica(spec(3))) {
      int[] labels = new int[4];
      float[] x = batch(labels, new Random(5));
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      a.save(saved);
      c.load(new ByteArrayInputStream(saved.toByteArray()));
      assertArrayEquals(a.predict(x, 4)[0], c.predict(x, 4)[0], 1e-6f, "the loaded weights predict");
      c.setParameters(b.parameters());
      assertArrayEquals(b.predict(x, 4)[0], c.predict(x, 4)[0], 1e-6f, "then the weights set later predict");
    }
  }

  /**
   * A replica that takes over another's weights and optimizer state continues exactly as the other does; with the
   * weights alone (fresh Adam moments, step count 1), it does not.
   */
  @Test
  void weightsAndOptimizerStateResumeTrainingExactly() {
    for (String optimizer : new String[] {"adam", "sgd"}) {
      try (Replica a = new Replica(spec(1, optimizer)); Replica b = new Replica(spec(2, optimizer));
          Replica weightsOnly = new Replica(spec(3, optimizer))) {
        Random random = new Random(17);
        int[] labels = new int[8];
        for (int s = 0; s < 5; s++) {
          a.step(batch(labels, random), labels);
        }
        assertEquals(5, a.optimizerSteps());
        float[] state = a.optimizerState();
        // at 32 px the last blocks see 1x1 maps, so only the centre of their 3x3 kernels gets gradients
        assertTrue(nonZero(state) > state.length / 10, optimizer + ": the state after 5 steps is set");
        assertEquals(0, nonZero(weightsOnly.optimizerState()), optimizer + ": a fresh replica's state is zero");
        b.setParameters(a.parameters());
        b.setOptimizerState(state, a.optimizerSteps());
        assertArrayEquals(state, b.optimizerState());
        weightsOnly.setParameters(a.parameters());

        float[] x = batch(labels, random);
        a.step(x, labels);
        b.step(x, labels);
        weightsOnly.step(x, labels);
        assertArrayEquals(a.parameters(), b.parameters(), optimizer + ": the resumed replica follows exactly");
        assertEquals(6, b.optimizerSteps());
        assertTrue(!java.util.Arrays.equals(a.parameters(), weightsOnly.parameters()),
            optimizer + ": without the optimizer state the step differs");
      }
    }
  }

  @Test
  void optimizerStateOfAnotherShapeIsRefused() {
    try (Replica a = new Replica(spec(1))) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> a.setOptimizerState(new float[10], 3));
      assertTrue(e.getMessage().contains("10 values"), e.getMessage());
    }
  }

  private static int nonZero(float[] values) {
    int n = 0;
    for (float v : values) {
      if (v != 0f) {
        n++;
      }
    }
    return n;
  }
}
