package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** The resumable optimizer takes the same steps as DJL's own Adam and SGD with momentum. */
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
  void adamMatchesDjlsAdam() {
    float[] djl = train(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(), 20);
    float[] ours = train(new ResumableOptimizer(ResumableOptimizer.Kind.ADAM, 0.01f), 20);
    assertArrayEquals(djl, ours, 0f);
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
