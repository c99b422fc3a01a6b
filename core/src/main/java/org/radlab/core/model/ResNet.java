package org.radlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * ResNet (He et al. 2016) as torchvision builds it: a 7x7 stride-2 stem, a 3x3 max pool, four stages of residual
 * units (basic units of two 3x3 convolutions for 18 and 34 layers; bottleneck units 1x1, 3x3, 1x1 with expansion 4
 * for 50, the stride on the 3x3), global average pooling and one fully connected layer. A shortcut is a 1x1
 * convolution with batch norm wherever the shape changes, the identity elsewhere.
 */
final class ResNet {
  private ResNet() {}

  static Block build(int depth, int classes, double width) {
    int[] units = switch (depth) {
      case 18 -> new int[] {2, 2, 2, 2};
      case 34, 50 -> new int[] {3, 4, 6, 3};
      default -> throw new IllegalArgumentException("ResNet depth must be 18, 34 or 50, not " + depth);
    };
    boolean bottleneck = depth >= 50;
    int expansion = bottleneck ? 4 : 1;
    int stem = Layers.channels(64, width);
    SequentialBlock net = new SequentialBlock()
        .add(Layers.convBnRelu(stem, 7, 2, 3))
        .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    int in = stem;
    for (int stage = 0; stage < 4; stage++) {
      int planes = Layers.channels(64 << stage, width);
      for (int u = 0; u < units[stage]; u++) {
        int stride = stage > 0 && u == 0 ? 2 : 1;
        int out = planes * expansion;
        Block main = bottleneck ? bottleneck(planes, out, stride) : basic(planes, stride);
        Block shortcut = stride != 1 || in != out
            ? new SequentialBlock().add(Layers.conv(out, 1, stride, 0, false)).add(Layers.batchNorm())
            : Layers.identity();
        net.add(new SequentialBlock().add(Layers.sum(main, shortcut)).add(Activation.reluBlock()));
        in = out;
      }
    }
    return net.add(Pool.globalAvgPool2dBlock())
        .add(Layers.flatten())
        .add(Linear.builder().setUnits(classes).build());
  }

  private static Block basic(int planes, int stride) {
    return new SequentialBlock()
        .add(Layers.convBnRelu(planes, 3, stride, 1))
        .add(Layers.conv(planes, 3, 1, 1, false))
        .add(Layers.batchNorm());
  }

  private static Block bottleneck(int planes, int out, int stride) {
    return new SequentialBlock()
        .add(Layers.convBnRelu(planes, 1, 1, 0))
        .add(Layers.convBnRelu(planes, 3, stride, 1))
        .add(Layers.conv(out, 1, 1, 0, false))
        .add(Layers.batchNorm());
  }
}
