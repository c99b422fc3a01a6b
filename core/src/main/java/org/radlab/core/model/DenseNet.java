package org.radlab.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * DenseNet-121 (Huang et al. 2017) as torchvision builds it: a 7x7 stride-2 stem with batch norm and max pooling,
 * four dense blocks of 6, 12, 24 and 16 layers (each layer: batch norm, ReLU, 1x1 convolution to 4 x growth
 * channels, batch norm, ReLU, 3x3 convolution to growth channels, its output concatenated to its input), transitions
 * that halve the channels (batch norm, ReLU, 1x1 convolution, 2x2 average pooling), a final batch norm and ReLU,
 * global average pooling and one fully connected layer. Growth rate 32, 64 stem channels.
 */
final class DenseNet {
  private static final int[] LAYERS_121 = {6, 12, 24, 16};

  private DenseNet() {}

  static Block build(int classes, double width) {
    int growth = Layers.channels(32, width);
    int channels = Layers.channels(64, width);
    SequentialBlock net = new SequentialBlock()
        .add(Layers.convBnRelu(channels, 7, 2, 3))
        .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    for (int b = 0; b < LAYERS_121.length; b++) {
      for (int l = 0; l < LAYERS_121[b]; l++) {
        net.add(Layers.concatChannels(List.of(Layers.identity(), denseLayer(growth))));
        channels += growth;
      }
      if (b < LAYERS_121.length - 1) {
        channels /= 2;
        net.add(new SequentialBlock()
            .add(Layers.batchNorm())
            .add(Activation.reluBlock())
            .add(Layers.conv(channels, 1, 1, 0, false))
            .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2))));
      }
    }
    return net.add(Layers.batchNorm())
        .add(Activation.reluBlock())
        .add(Pool.globalAvgPool2dBlock())
        .add(Layers.flatten())
        .add(Linear.builder().setUnits(classes).build());
  }

  private static Block denseLayer(int growth) {
    return new SequentialBlock()
        .add(Layers.batchNorm())
        .add(Activation.reluBlock())
        .add(Layers.conv(4 * growth, 1, 1, 0, false))
        .add(Layers.batchNorm())
        .add(Activation.reluBlock())
        .add(Layers.conv(growth, 3, 1, 1, false));
  }
}
