package org.radlab.core.model;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;

/** Building blocks shared by the architectures: convolutions, batch norm, residual sums and channel concatenation. */
final class Layers {
  private Layers() {}

  /** A square convolution; {@code bias} false when a batch norm follows (as in torchvision). */
  static Conv2d conv(int filters, int kernel, int stride, int padding, boolean bias) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optBias(bias)
        .build();
  }

  /** Batch norm over channels with PyTorch's defaults (DJL's momentum 0.9 is PyTorch's 0.1). */
  static BatchNorm batchNorm() {
    return batchNorm(1e-5f);
  }

  static BatchNorm batchNorm(float epsilon) {
    return BatchNorm.builder().optEpsilon(epsilon).optMomentum(0.9f).build();
  }

  /** Convolution (no bias), batch norm, ReLU. */
  static SequentialBlock convBnRelu(int filters, int kernel, int stride, int padding) {
    return new SequentialBlock()
        .add(conv(filters, kernel, stride, padding, false))
        .add(batchNorm())
        .add(Activation.reluBlock());
  }

  /** {@code a(x) + b(x)}, the residual sum. */
  static ParallelBlock sum(Block a, Block b) {
    return new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
        List.of(a, b));
  }

  /** The branches' outputs side by side along the channel axis. */
  static ParallelBlock concatChannels(List<Block> branches) {
    return new ParallelBlock(list -> {
      NDList outs = new NDList(list.size());
      list.forEach(l -> outs.add(l.singletonOrThrow()));
      return new NDList(NDArrays.concat(outs, 1));
    }, branches);
  }

  static Block identity() {
    return Blocks.identityBlock();
  }

  /** {@code channels} scaled by the width multiplier, never below {@code floor}. */
  static int scale(int channels, double width, int floor) {
    return Math.max(floor, (int) Math.round(channels * width));
  }

  /**
   * A convolution's output channels: the published count scaled by the width multiplier and rounded to a multiple
   * of 8, at least 8. Every convolution's input is then a multiple of 8 channels too. oneDNN's AVX2 convolution
   * works on channels in blocks of 8 and, for an input of more than 8 channels that is not a multiple of 8, reads
   * the unused part of the last block from memory it never cleared, so a pass came out NaN when that memory held
   * NaN (oneDNN 3.7.1; {@code PoisonedHeapTest}). The published networks' counts are all multiples of 8, so a width
   * of 1 is unchanged.
   */
  static int channels(int published, double width) {
    return Math.max(8, (int) Math.round(published * width / 8.0) * 8);
  }

  /** Flattens everything after the batch axis. */
  static Block flatten() {
    return Blocks.batchFlattenBlock();
  }
}
