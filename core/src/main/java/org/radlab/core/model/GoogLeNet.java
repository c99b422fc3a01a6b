package org.radlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * GoogLeNet (Inception v1, Szegedy et al. 2015) with batch norm after every convolution, as torchvision builds it
 * without the auxiliary heads: nine inception modules of four branches (1x1; 1x1 then 3x3; 1x1 then 3x3, where
 * the paper has 5x5 and torchvision kept 3x3; 3x3 max pool then 1x1), max pools with ceil rounding, global average
 * pooling, dropout 0.2 and one fully connected layer. Batch norm uses epsilon 0.001.
 */
final class GoogLeNet {
  /** Per module: 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5", pool projection. */
  private static final int[][] MODULES = {
      {64, 96, 128, 16, 32, 32}, {128, 128, 192, 32, 96, 64},
      {192, 96, 208, 16, 48, 64}, {160, 112, 224, 24, 64, 64}, {128, 128, 256, 24, 64, 64},
      {112, 144, 288, 32, 64, 64}, {256, 160, 320, 32, 128, 128},
      {256, 160, 320, 32, 128, 128}, {384, 192, 384, 48, 128, 128}};

  private GoogLeNet() {}

  static Block build(int classes, double width) {
    SequentialBlock net = new SequentialBlock()
        .add(conv(Layers.channels(64, width), 7, 2, 3))
        .add(maxPool(3, 2, 0))
        .add(conv(Layers.channels(64, width), 1, 1, 0))
        .add(conv(Layers.channels(192, width), 3, 1, 1))
        .add(maxPool(3, 2, 0));
    for (int i = 0; i < MODULES.length; i++) {
      net.add(inception(MODULES[i], width));
      if (i == 1) {
        net.add(maxPool(3, 2, 0));
      } else if (i == 6) {
        net.add(maxPool(2, 2, 0));
      }
    }
    return net.add(Pool.globalAvgPool2dBlock())
        .add(Layers.flatten())
        .add(Dropout.builder().optRate(0.2f).build())
        .add(Linear.builder().setUnits(classes).build());
  }

  private static Block inception(int[] c, double width) {
    int[] s = new int[c.length];
    for (int i = 0; i < c.length; i++) {
      s[i] = Layers.channels(c[i], width);
    }
    return Layers.concatChannels(List.of(
        conv(s[0], 1, 1, 0),
        new SequentialBlock().add(conv(s[1], 1, 1, 0)).add(conv(s[2], 3, 1, 1)),
        new SequentialBlock().add(conv(s[3], 1, 1, 0)).add(conv(s[4], 3, 1, 1)),
        new SequentialBlock().add(maxPool(3, 1, 1)).add(conv(s[5], 1, 1, 0))));
  }

  /** Convolution without bias, batch norm (epsilon 0.001), ReLU. */
  private static Block conv(int filters, int kernel, int stride, int padding) {
    return new SequentialBlock()
        .add(Layers.conv(filters, kernel, stride, padding, false))
        .add(Layers.batchNorm(1e-3f))
        .add(Activation.reluBlock());
  }

  private static Block maxPool(int kernel, int stride, int padding) {
    return Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
        true);
  }
}
