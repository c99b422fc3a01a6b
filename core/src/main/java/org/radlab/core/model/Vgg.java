package org.radlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

/**
 * VGG with batch norm (Simonyan and Zisserman 2015; torchvision's {@code vgg11_bn} and {@code vgg16_bn}): 3x3
 * convolutions with bias, each followed by batch norm and ReLU, max pooling between stages, then adaptive average
 * pooling to 7x7 and a classifier of two hidden layers of 4096 units with dropout 0.5.
 */
final class Vgg {
  private static final int POOL = 0;
  private static final int[] VGG11 = {64, POOL, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL};
  private static final int[] VGG16 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL,
      512, 512, 512, POOL};

  private Vgg() {}

  static Block build(int depth, int classes, double width) {
    int[] config = switch (depth) {
      case 11 -> VGG11;
      case 16 -> VGG16;
      default -> throw new IllegalArgumentException("VGG depth must be 11 or 16, not " + depth);
    };
    SequentialBlock net = new SequentialBlock();
    for (int c : config) {
      if (c == POOL) {
        net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
      } else {
        net.add(Layers.conv(Layers.channels(c, width), 3, 1, 1, true))
            .add(Layers.batchNorm())
            .add(Activation.reluBlock());
      }
    }
    int hidden = Layers.scale(4096, width, 16);
    return net.add(AdaptiveAvgPool.block(7))
        .add(Layers.flatten())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock())
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation.reluBlock())
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(classes).build());
  }

}
