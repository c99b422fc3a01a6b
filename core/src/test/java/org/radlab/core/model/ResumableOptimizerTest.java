package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The resumable optimizer's Adam against the algorithm worked by hand (in double precision) and against DJL's own
 * Adam; its SGD with momentum is DJL's.
 */
class ResumableOptimizerTest {
  /** Weights of a small two-layer network after {@code steps} steps of {@code optimizer} on fixed random data. */
  private static float[] train(Optimizer optimizer, int steps) {
    Engine.getInstance().setRandomSeed(5);
    SequentialBlock block = new SequentialBlock()
        .add(Linear.builder().setUnits(16).build()).add(Activation::relu)
        .add(Linear.builder().setUnits(3).build());
    try (Model model = Model.newInstance("opt-test")) {
      model.setBlock(block);
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(optimizer);
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(8, 10));
        NDManager m = trainer.getManager();
        Random random = new Random(9);
        for (int s = 0; s < steps; s++) {
          float[] x = new float[80];
          float[] y = new float[8];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
          }
          for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(3);
          }
          try (NDManager scope = m.newSubManager(); GradientCollector gc = trainer.newGradientCollector()) {
            NDArray out = trainer.forward(new NDList(scope.create(x, new Shape(8, 10)))).singletonOrThrow();
            gc.backward(trainer.getLoss().evaluate(new NDList(scope.create(y)), new NDList(out)));
          }
          trainer.step();
        }
        NDList params = new NDList();
        block.getParameters().values().forEach(p -> params.add(p.getArray()));
        float[] all = new float[0];
        for (NDArray a : params) {
          float[] v = a.toFloatArray();
          float[] next = java.util.Arrays.copyOf(all, all.length + v.length);
          System.arraycopy(v, 0, next, all.length, v.length);
          all = next;
        }
        return all;
      }
    }
  }

  @Test
  void aScaledLearningRateIsAdamAtTheScaledRate() {
    float[] djl = train(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.005f)).build(), 20);
    ResumableOptimizer halved = new ResumableOptimizer(ResumableOptimizer.Kind.ADAM, 0.01f);
    halved.scaleLearningRate(0.5f);
    assertArrayEquals(djl, train(halved, 20), 2e-5f);
    assertThrows(IllegalArgumentException.class, () -> halved.scaleLearningRate(0f));
    assertThrows(IllegalArgumentException.class, () -> halved.scaleLearningRate(1.5f));
  }

  @Test
  void adamFollowsDjlsAdam() {
    float[] djl = train(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(), 20);
    float[] ours = train(new ResumableOptimizer(ResumableOptimizer.Kind.ADAM, 0.01f), 20);
    // the same algorithm in a different order of float operations: equal up to rounding
    assertArrayEquals(djl, ours, 2e-5f);
  }

  /**
   * Three steps on a parameter large enough to be split over threads, with gradients that change sign and size,
   * against Adam (Kingma and Ba, with DJL's placement of epsilon) computed here in double precision. Each step
   * leaves the gradient at zero, ready for the next backward pass.
   */
  @Test
  void adamTakesTheStepsWorkedByHand() {
    int n = 70_000;
    double lr = 0.05;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double[] w = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    float[] start = new float[n];
    for (int i = 0; i < n; i++) {
      start[i] = (float) Math.sin(i * 0.37);
      w[i] = start[i];
    }
    ResumableOptimizer adam = new ResumableOptimizer(ResumableOptimizer.Kind.ADAM, (float) lr);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray weight = manager.create(start);
      weight.setRequiresGradient(true);
      for (int t = 1; t <= 3; t++) {
        float[] grad = new float[n];
        for (int i = 0; i < n; i++) {
          grad[i] = (float) ((i % 7 - 3) * 0.1 * t + (t == 2 ? -0.5 : 0));
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(weight.mul(manager.create(grad)).sum()); // d/dw of sum(w * grad) is grad
        }
        adam.update("p", weight, weight.getGradient());
        for (int i = 0; i < n; i++) {
          m[i] = b1 * m[i] + (1 - b1) * grad[i];
          v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
          double rate = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
          w[i] -= rate * m[i] / (Math.sqrt(v[i]) + eps);
        }
        float[] got = weight.toFloatArray();
        for (int i = 0; i < n; i++) {
          assertEquals(w[i], got[i], 1e-5, "step " + t + ", value " + i);
        }
        assertArrayEquals(new float[n], weight.getGradient().toFloatArray(), 0f, "the gradient is zeroed");
      }
      assertEquals(3, adam.steps());
      // the moments are the state a checkpoint keeps: mean then variance
      float[] state = adam.exportState(java.util.List.of("p"), java.util.List.of((long) n));
      for (int i = 0; i < n; i += 997) {
        assertEquals(m[i], state[i], 1e-6, "mean " + i);
        assertEquals(v[i], state[n + i], 1e-7, "variance " + i);
      }
    }
  }

  @Test
  void sgdMatchesDjlsSgdWithMomentum() {
    float[] djl = train(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build(), 20);
    float[] ours = train(new ResumableOptimizer(ResumableOptimizer.Kind.SGD, 0.05f), 20);
    assertArrayEquals(djl, ours, 0f);
  }

  @Test
  void unknownOptimizerIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ResumableOptimizer.Kind.parse("rmsprop"));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'rmsprop'"), e.getMessage());
  }
}
