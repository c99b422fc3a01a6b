package org.radlab.core.model.detection;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** A batch of {@link CenterTargets} as the label arrays {@link DetectionLoss} takes. */
public final class DetectionBatch {
  private DetectionBatch() {}

  /**
   * {@code (class one-hot (N, C, H, W), distances (N, 4, H, W), centre-ness (N, 1, H, W), positive (N, 1, H, W))},
   * all float32; every target must share one grid.
   */
  public static NDList labels(NDManager manager, List<CenterTargets> targets, int classes) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one image");
    }
    int grid = targets.get(0).grid();
    int cells = grid * grid;
    int n = targets.size();
    float[] oneHot = new float[n * classes * cells];
    float[] distances = new float[n * 4 * cells];
    float[] centerness = new float[n * cells];
    float[] positive = new float[n * cells];
    for (int i = 0; i < n; i++) {
      CenterTargets t = targets.get(i);
      if (t.grid() != grid) {
        throw new IllegalArgumentException("image " + i + " has a " + t.grid() + "-cell grid, not " + grid);
      }
      System.arraycopy(t.distances(), 0, distances, i * 4 * cells, 4 * cells);
      System.arraycopy(t.centerness(), 0, centerness, i * cells, cells);
      for (int cell = 0; cell < cells; cell++) {
        int c = t.classOf()[cell];
        if (c >= classes) {
          throw new IllegalArgumentException("class index " + c + " on image " + i + ", but there are " + classes);
        }
        if (c >= 0) {
          oneHot[(i * classes + c) * cells + cell] = 1f;
          positive[i * cells + cell] = 1f;
        }
      }
    }
    return new NDList(manager.create(oneHot, new Shape(n, classes, grid, grid)),
        manager.create(distances, new Shape(n, 4, grid, grid)),
        manager.create(centerness, new Shape(n, 1, grid, grid)),
        manager.create(positive, new Shape(n, 1, grid, grid)));
  }
}
