package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;

/**
 * Adaptive average pooling to a fixed {@code size x size} grid, as PyTorch defines it: output cell {@code i} averages
 * input rows {@code floor(i*H/size)} to {@code ceil((i+1)*H/size)} (exclusive), and likewise for columns. DJL has
 * no such operator; this one is two matrix products with constant averaging matrices,
 * {@code P_h · x · P_wᵀ}, so it is differentiable and works for inputs smaller than the grid too (VGG's classifier
 * expects 7x7 whatever the image size).
 */
final class AdaptiveAvgPool {
  private AdaptiveAvgPool() {}

  static Block block(int size) {
    return new LambdaBlock(list -> {
      NDArray x = list.singletonOrThrow();
      Shape s = x.getShape();
      long h = s.get(s.dimension() - 2);
      long w = s.get(s.dimension() - 1);
      if (h == size && w == size) {
        return new NDList(x);
      }
      NDManager m = x.getManager();
      NDArray rows = averaging(m, size, h).toType(x.getDataType(), false);
      NDArray cols = averaging(m, size, w).toType(x.getDataType(), false).transpose();
      return new NDList(rows.matMul(x).matMul(cols));
    }, "adaptiveAvgPool" + size);
  }

  /** The {@code out x in} matrix whose row {@code i} averages PyTorch's input window for output {@code i}. */
  static NDArray averaging(NDManager manager, int out, long in) {
    float[] p = new float[(int) (out * in)];
    for (int i = 0; i < out; i++) {
      long start = Math.floorDiv(i * in, out);
      long end = -Math.floorDiv(-(i + 1) * in, out); // ceil
      for (long j = start; j < end; j++) {
        p[(int) (i * in + j)] = 1f / (end - start);
      }
    }
    return manager.create(p, new Shape(out, in));
  }
}
