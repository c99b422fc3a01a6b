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
    return new Replica.Spec("resnet18", 0.125, 2, SIDE, "categorical_cross_entropy", 0.25, 2, "adam", 1e-3, seed);
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
}
