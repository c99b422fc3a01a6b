package org.radlab.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.radlab.core.model.detection.CenterTargets;
import org.radlab.core.model.detection.DetectionBatch;

/**
 * What a batch of images is trained or scored against, as the label arrays the task's loss takes: a class per image
 * ({@link Classes}) or the boxes of each image assigned to the detector's grid ({@link Boxes}).
 */
public sealed interface BatchTargets permits BatchTargets.Classes, BatchTargets.Boxes {
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
}
