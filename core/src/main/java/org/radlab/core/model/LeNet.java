package org.radlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * LeNet-5 (LeCun et al. 1998) in its common modern form: two 5x5 convolutions (6 and 16 filters) each followed by
 * ReLU and 2x2 max pooling, then fully connected layers of 120 and 84 units with ReLU, and the classifier. Adaptive
 * average pooling to 5x5 before the first fully connected layer lets it take any input size (at 32x32 it is the
 * identity). It has neither batch norm nor dropout, so a step is a pure function of the weights and the batch:
 * a small, fast baseline, and the network on which averaging replicas can be checked against one process exactly.
 */
final class LeNet {
  private LeNet() {}

  static Block build(int classes, double width) {
    return new SequentialBlock()
        .add(Layers.conv(Layers.scale(6, width, 2), 5, 1, 0, true))
        .add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Layers.conv(Layers.scale(16, width, 4), 5, 1, 0, true))
        .add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(AdaptiveAvgPool.block(5))
        .add(Layers.flatten())
        .add(Linear.builder().setUnits(Layers.scale(120, width, 8)).build())
        .add(Activation.reluBlock())
        .add(Linear.builder().setUnits(Layers.scale(84, width, 8)).build())
        .add(Activation.reluBlock())
        .add(Linear.builder().setUnits(classes).build());
  }
}
