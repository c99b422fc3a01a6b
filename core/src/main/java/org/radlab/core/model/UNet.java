package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2D U-Net (Ronneberger et al., 2015) for segmentation: an encoder of {@link #LEVELS} + 1 levels, each two 3x3
 * convolutions with batch norm and ReLU, halved by 2x2 max pooling between levels; a decoder that enlarges each
 * level 2x (nearest), projects it to the finer level's channels (1x1 convolution), concatenates the encoder's
 * features of that level (the skip connection) and applies two 3x3 convolutions; and a 1x1 convolution to a logit
 * per class, background first. Channels are the paper's 64, 128, 256, 512, 1024 times the width multiplier, as the
 * classifiers' widths are.
 *
 * <p>The output convolution has a multiple of 8 channels, the extra ones unused (oneDNN's small-channel backward
 * bug, see {@link DetectorNet}). Output: logits {@code (N, classes + 1, H, W)}; the input side must be a multiple of
 * 16.
 */
public final class UNet extends AbstractBlock {
  /** Poolings between the input and the bottleneck. */
  public static final int LEVELS = 4;

  private final Block[] encoder = new Block[LEVELS + 1];
  private final Block[] project = new Block[LEVELS];
  private final Block[] decoder = new Block[LEVELS];
  private final Block out;
  private final int outputs;

  private UNet(int classes, double width) {
    this.outputs = classes + 1;
    for (int l = 0; l <= LEVELS; l++) {
      encoder[l] = addChildBlock("encoder" + l, twoConvs(channels(l, width)));
    }
    for (int l = LEVELS - 1; l >= 0; l--) {
      project[l] = addChildBlock("project" + l, Layers.conv(channels(l, width), 1, 1, 0, true));
      decoder[l] = addChildBlock("decoder" + l, twoConvs(channels(l, width)));
    }
    out = addChildBlock("out", Layers.conv(8 * ((outputs + 7) / 8), 1, 1, 0, true));
  }

  /**
   * A new, uninitialized U-Net for {@code classes} foreground classes.
   *
   * @param width channel multiplier in (0, 1], as for the classifiers
   */
  public static UNet of(int classes, double width) {
    if (classes < 1 || classes > 254) {
      throw new IllegalArgumentException("a segmenter needs 1 to 254 classes, not " + classes);
    }
    if (!(width > 0 && width <= 1)) {
      throw new IllegalArgumentException("width must be in (0, 1], not " + width);
    }
    return new UNet(classes, width);
  }

  /** The channels of level {@code l}: 64 · 2^l times the width. */
  static int channels(int level, double width) {
    return Layers.channels(64 << level, width);
  }

  private static Block twoConvs(int channels) {
    return new SequentialBlock().add(Layers.convBnRelu(channels, 3, 1, 1)).add(Layers.convBnRelu(channels, 3, 1, 1));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray[] skips = new NDArray[LEVELS + 1];
    NDList x = inputs;
    for (int l = 0; l <= LEVELS; l++) {
      if (l > 0) {
        x = new NDList(halve(x.singletonOrThrow()));
      }
      x = encoder[l].forward(ps, x, training, p);
      skips[l] = x.singletonOrThrow();
    }
    NDArray y = skips[LEVELS];
    for (int l = LEVELS - 1; l >= 0; l--) {
      NDArray up = project[l].forward(ps, new NDList(twice(y)), training, p).singletonOrThrow();
      y = decoder[l].forward(ps, new NDList(NDArrays.concat(new NDList(up, skips[l]), 1)), training, p)
          .singletonOrThrow();
    }
    return new NDList(out.forward(ps, new NDList(y), training, p).singletonOrThrow().get(":, 0:" + outputs));
  }

  private static NDArray halve(NDArray x) {
    return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
  }

  /** Nearest-neighbour enlargement by 2 along height and width. */
  private static NDArray twice(NDArray x) {
    return x.repeat(2, 2).repeat(3, 2);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape in = inputs[0];
    return new Shape[] {new Shape(in.get(0), outputs, in.get(2), in.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (in.get(2) % 16 != 0 || in.get(3) % 16 != 0) {
      throw new IllegalArgumentException("a U-Net's input side must be a multiple of 16, not " + in);
    }
    Shape[] levels = new Shape[LEVELS + 1];
    Shape s = in;
    for (int l = 0; l <= LEVELS; l++) {
      if (l > 0) {
        s = new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2);
      }
      encoder[l].initialize(manager, dataType, s);
      s = encoder[l].getOutputShapes(new Shape[] {s})[0];
      levels[l] = s;
    }
    Shape y = levels[LEVELS];
    for (int l = LEVELS - 1; l >= 0; l--) {
      Shape enlarged = new Shape(y.get(0), y.get(1), y.get(2) * 2, y.get(3) * 2);
      project[l].initialize(manager, dataType, enlarged);
      Shape projected = project[l].getOutputShapes(new Shape[] {enlarged})[0];
      Shape joined = new Shape(projected.get(0), projected.get(1) + levels[l].get(1), projected.get(2),
          projected.get(3));
      decoder[l].initialize(manager, dataType, joined);
      y = decoder[l].getOutputShapes(new Shape[] {joined})[0];
    }
    out.initialize(manager, dataType, y);
  }
}
