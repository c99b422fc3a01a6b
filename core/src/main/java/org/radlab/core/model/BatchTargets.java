package org.radlab.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.radlab.core.model.detection.CenterTargets;
import org.radlab.core.model.detection.DetectionBatch;

/**
 * What a batch of images is trained or scored against, as the label arrays the task's loss takes: a class per image
 * ({@link Classes}), the boxes of each image assigned to the detector's grid ({@link Boxes}), or a class per pixel
 * ({@link Masks}).
 */
public sealed interface BatchTargets permits BatchTargets.Classes, BatchTargets.Boxes, BatchTargets.Masks {
  /** Images in the batch. */
  int count();

  /** The loss's label arrays, made in {@code manager}. */
  NDList labels(NDManager manager);

  /** A class index per image. */
  record Classes(int[] labels) implements BatchTargets {
    @Override
    public int count() {
      return labels.length;
    }

    @Override
    public NDList labels(NDManager manager) {
      return new NDList(manager.create(labels));
    }
  }

  /** Each image's boxes on the detector's grid, over {@code classes} finding classes. */
  record Boxes(List<CenterTargets> targets, int classes) implements BatchTargets {
    @Override
    public int count() {
      return targets.size();
    }

    @Override
    public NDList labels(NDManager manager) {
      return DetectionBatch.labels(manager, targets, classes);
    }
  }

  /** Each image's mask: a class index per pixel ({@code side * side}, row-major, 0 = background). */
  record Masks(java.util.List<byte[]> masks, int side) implements BatchTargets {
    @Override
    public int count() {
      return masks.size();
    }

    @Override
    public NDList labels(NDManager manager) {
      int pixels = side * side;
      int[] all = new int[masks.size() * pixels];
      for (int i = 0; i < masks.size(); i++) {
        byte[] m = masks.get(i);
        if (m.length != pixels) {
          throw new IllegalArgumentException("mask " + i + " holds " + m.length + " values, not " + side + "x" + side);
        }
        for (int p = 0; p < pixels; p++) {
          all[i * pixels + p] = m[p] & 0xff;
        }
      }
      return new NDList(manager.create(all, new ai.djl.ndarray.types.Shape(masks.size(), side, side)));
    }
  }
}
