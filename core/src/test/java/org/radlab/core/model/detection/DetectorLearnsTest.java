package org.radlab.core.model.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.radlab.core.metrics.DetectionAp;
import org.radlab.core.model.DetectorNet;

/**
 * The detector learns: on toy images (filled squares and hollow squares, one to three per image, on noise) a
 * quarter-width ResNet-18 detector trained for a few hundred steps finds the objects of held-out images with AP50
 * above 0.8, where the untrained one scores near 0. Exact outputs are not asserted: only that it learns.
 */
class DetectorLearnsTest {
  private static final int SIDE = 64;
  private static final int CLASSES = 2;

  record Toy(float[] pixels, List<CenterTargets.Box> boxes) {}

  @Test
  void findsToyObjectsAfterTraining() {
    Random random = new Random(12);
    List<Toy> train = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      train.add(toy(random));
    }
    List<Toy> test = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      test.add(toy(random));
    }
    DetectorNet net = DetectorNet.resnet(18, CLASSES, 0.25);
    DetectionLoss loss = new DetectionLoss(0.25, 2);
    try (Model model = Model.newInstance("toy-detector")) {
      model.setBlock(net);
      DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(2e-3f)).build());
      try (Trainer trainer = model.newTrainer(config)) {
        int batch = 16;
        trainer.initialize(new Shape(batch, 1, SIDE, SIDE));
        double before = ap50(net, trainer.getManager(), test);
        for (int step = 0; step < 240; step++) {
          List<Toy> b = new ArrayList<>();
          for (int k = 0; k < batch; k++) {
            b.add(train.get(random.nextInt(train.size())));
          }
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = images(m, b);
            List<CenterTargets> targets = b.stream()
                .map(t -> CenterTargets.assign(t.boxes(), SIDE, DetectorNet.STRIDE)).toList();
            NDList labels = DetectionBatch.labels(m, targets, CLASSES);
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(new NDList(x));
              NDArray l = loss.evaluate(labels, out);
              assertTrue(Float.isFinite(l.getFloat()), "loss at step " + step);
              gc.backward(l);
            }
            trainer.step();
          }
        }
        double after = ap50(net, trainer.getManager(), test);
        System.err.println("toy detector AP50: before " + before + ", after " + after);
        assertTrue(before < 0.2, "untrained AP50 " + before);
        assertTrue(after > 0.8, "AP50 after training " + after + " (before " + before + ")");
      }
    }
  }

  private static double ap50(DetectorNet net, NDManager manager, List<Toy> images) {
    List<DetectionAp.Detection> dets = new ArrayList<>();
    List<DetectionAp.Truth> truths = new ArrayList<>();
    try (NDManager m = manager.newSubManager()) {
      NDList out = net.forward(new ParameterStore(m, false), new NDList(images(m, images)), false);
      int grid = SIDE / DetectorNet.STRIDE;
      for (int i = 0; i < images.size(); i++) {
        String id = "img" + i;
        for (CenterTargets.Box b : images.get(i).boxes()) {
          truths.add(new DetectionAp.Truth(id, "c" + b.classIndex(), new double[] {b.x0(), b.y0(), b.x1(), b.y1()}));
        }
        for (CenterDecoder.Detection d : CenterDecoder.decode(out.get(0).get(i).toFloatArray(),
            out.get(1).get(i).toFloatArray(), out.get(2).get(i).toFloatArray(), CLASSES, grid, DetectorNet.STRIDE,
            0.05, 0.6, 100)) {
          dets.add(new DetectionAp.Detection(id, "c" + d.classIndex(), d.score(), d.corners()));
        }
      }
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      ids.add("img" + i);
    }
    return DetectionAp.evaluate(ids, dets, truths).ap50();
  }

  private static NDArray images(NDManager m, List<Toy> toys) {
    float[] all = new float[toys.size() * SIDE * SIDE];
    for (int i = 0; i < toys.size(); i++) {
      System.arraycopy(toys.get(i).pixels(), 0, all, i * SIDE * SIDE, SIDE * SIDE);
    }
    return m.create(all, new Shape(toys.size(), 1, SIDE, SIDE));
  }

  /** Noise with one to three objects: class 0 a filled square, class 1 a hollow one, 8 to 20 pixels, apart. */
  private static Toy toy(Random r) {
    float[] px = new float[SIDE * SIDE];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (0.1 * r.nextGaussian());
    }
    List<CenterTargets.Box> boxes = new ArrayList<>();
    int count = 1 + r.nextInt(3);
    for (int attempt = 0; attempt < 50 && boxes.size() < count; attempt++) {
      int size = 8 + r.nextInt(13);
      int x = r.nextInt(SIDE - size);
      int y = r.nextInt(SIDE - size);
      CenterTargets.Box box = new CenterTargets.Box(x, y, x + size, y + size, r.nextInt(CLASSES));
      if (boxes.stream().anyMatch(b -> b.x0() < box.x1() + 2 && box.x0() < b.x1() + 2 && b.y0() < box.y1() + 2
          && box.y0() < b.y1() + 2)) {
        continue;
      }
      boxes.add(box);
      for (int yy = y; yy < y + size; yy++) {
        for (int xx = x; xx < x + size; xx++) {
          boolean edge = yy < y + 2 || yy >= y + size - 2 || xx < x + 2 || xx >= x + size - 2;
          if (box.classIndex() == 0 || edge) {
            px[yy * SIDE + xx] += 1f;
          }
        }
      }
    }
    assertEquals(count, boxes.size());
    return new Toy(px, boxes);
  }
}
