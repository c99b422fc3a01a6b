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
    SequentialBlock net = stem(width);
    int in = Layers.channels(64, width);
    for (int stage = 0; stage < 4; stage++) {
      net.add(stage(depth, stage, in, width));
      in = stageChannels(depth, stage, width);
    }
    return net.add(Pool.globalAvgPool2dBlock())
        .add(Layers.flatten())
        .add(Linear.builder().setUnits(classes).build());
  }

  /** The stem: a 7x7 stride-2 convolution with batch norm and ReLU, then a 3x3 stride-2 max pool (stride 4). */
  static SequentialBlock stem(double width) {
    return new SequentialBlock()
        .add(Layers.convBnRelu(Layers.channels(64, width), 7, 2, 3))
        .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
  }

  /**
   * Stage {@code stage} (0 to 3) of the residual units, taking {@code in} channels: stride 1 for the first stage,
   * 2 for the others, so the stages' outputs are at strides 4, 8, 16 and 32 of the input.
   */
  static SequentialBlock stage(int depth, int stage, int in, double width) {
    int[] units = units(depth);
    boolean bottleneck = depth >= 50;
    int planes = Layers.channels(64 << stage, width);
    int out = stageChannels(depth, stage, width);
    SequentialBlock block = new SequentialBlock();
    for (int u = 0; u < units[stage]; u++) {
      int stride = stage > 0 && u == 0 ? 2 : 1;
      Block main = bottleneck ? bottleneck(planes, out, stride) : basic(planes, stride);
      Block shortcut = stride != 1 || in != out
          ? new SequentialBlock().add(Layers.conv(out, 1, stride, 0, false)).add(Layers.batchNorm())
          : Layers.identity();
      block.add(new SequentialBlock().add(Layers.sum(main, shortcut)).add(Activation.reluBlock()));
      in = out;
    }
    return block;
  }

  /** The output channels of stage {@code stage}. */
  static int stageChannels(int depth, int stage, double width) {
    return Layers.channels(64 << stage, width) * (depth >= 50 ? 4 : 1);
  }

  private static int[] units(int depth) {
    return switch (depth) {
      case 18 -> new int[] {2, 2, 2, 2};
      case 34, 50 -> new int[] {3, 4, 6, 3};
      default -> throw new IllegalArgumentException("ResNet depth must be 18, 34 or 50, not " + depth);
    };
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
