package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * A single-stage, anchor-free detector in the manner of FCOS on a ResNet backbone, predicting on one grid at
 * {@link #STRIDE} pixels (see {@code detection.CenterTargets}). The backbone's first three stages (strides 4, 8
 * and 16) are merged top-down as in a feature pyramid: each is projected to the head's channels by a 1x1
 * convolution, the coarser one enlarged 2x (nearest) and added, and a 3x3 convolution smooths the stride-4 result.
 * Two towers of two 3x3 convolutions (batch norm, ReLU) follow: one ends in a logit per class (its bias starting
 * at the logit of 0.01, so that the rare positive cells do not drown in the first steps), the other in the four
 * side distances ({@code exp} of its output, in strides) and a centre-ness logit.
 *
 * <p>The output convolutions have a multiple of 8 channels, the extra ones unused: with output convolutions of 2, 4
 * and 1 channels, oneDNN's AVX2 convolution backward gave NaN input gradients (like the channel-block bug
 * {@code Layers.channels} describes), so every layer before them got NaN gradients in the first step.
 *
 * <p>Output: {@code (class logits (N, C, H/4, W/4), distances (N, 4, H/4, W/4), centre-ness logits (N, 1, H/4,
 * W/4))}. The input side must be a multiple of 16.
 */
public final class DetectorNet extends AbstractBlock {
  /** Pixels per grid cell. */
  public static final int STRIDE = 4;
  /** The first-step probability of every class on every cell. */
  private static final double PRIOR = 0.01;

  private final Block stem;
  private final Block stage1;
  private final Block stage2;
  private final Block stage3;
  private final Block lateral1;
  private final Block lateral2;
  private final Block lateral3;
  private final Block smooth;
  private final Block classTower;
  private final Block classOut;
  private final Block boxTower;
  private final Block boxOut;
  private final int classes;

  private DetectorNet(int depth, int classes, double width) {
    this.classes = classes;
    int features = Layers.channels(64, width);
    int in = features;
    stem = addChildBlock("stem", ResNet.stem(width));
    stage1 = addChildBlock("stage1", ResNet.stage(depth, 0, in, width));
    stage2 = addChildBlock("stage2", ResNet.stage(depth, 1, ResNet.stageChannels(depth, 0, width), width));
    stage3 = addChildBlock("stage3", ResNet.stage(depth, 2, ResNet.stageChannels(depth, 1, width), width));
    lateral1 = addChildBlock("lateral1", Layers.conv(features, 1, 1, 0, true));
    lateral2 = addChildBlock("lateral2", Layers.conv(features, 1, 1, 0, true));
    lateral3 = addChildBlock("lateral3", Layers.conv(features, 1, 1, 0, true));
    smooth = addChildBlock("smooth", Layers.conv(features, 3, 1, 1, true));
    classTower = addChildBlock("classTower", tower(features));
    classOut = addChildBlock("classOut", Layers.conv(8 * ((classes + 7) / 8), 3, 1, 1, true));
    classOut.setInitializer(new ConstantInitializer((float) -Math.log((1 - PRIOR) / PRIOR)), Parameter.Type.BIAS);
    boxTower = addChildBlock("boxTower", tower(features));
    boxOut = addChildBlock("boxOut", Layers.conv(8, 3, 1, 1, true)); // 4 distances, centre-ness, 3 unused
  }

  /**
   * A new, uninitialized detector on a ResNet of {@code depth} (18, 34 or 50) layers.
   *
   * @param width channel multiplier in (0, 1], as for the classifiers
   */
  public static DetectorNet resnet(int depth, int classes, double width) {
    if (classes < 1) {
      throw new IllegalArgumentException("a detector needs at least 1 class, not " + classes);
    }
    if (!(width > 0 && width <= 1)) {
      throw new IllegalArgumentException("width must be in (0, 1], not " + width);
    }
    return new DetectorNet(depth, classes, width);
  }

  /**
   * How many of {@link #getParameters()} (batch-norm statistics included) belong to the backbone: the stem and the
   * first three stages, which come first and match a ResNet classifier's of the same depth and width one for one.
   */
  public int backboneParameters() {
    return stem.getParameters().size() + stage1.getParameters().size() + stage2.getParameters().size()
        + stage3.getParameters().size();
  }

  /** The same count over the trainable parameters only (what a TorchScript export holds as parameters). */
  public int backboneTrainableParameters() {
    int n = 0;
    for (Block b : new Block[] {stem, stage1, stage2, stage3}) {
      for (var p : b.getParameters()) {
        n += p.getValue().requiresGradient() ? 1 : 0;
      }
    }
    return n;
  }

  private static Block tower(int features) {
    return new SequentialBlock().add(Layers.convBnRelu(features, 3, 1, 1)).add(Layers.convBnRelu(features, 3, 1, 1));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDList c1 = stage1.forward(ps, stem.forward(ps, inputs, training, p), training, p);
    NDList c2 = stage2.forward(ps, c1, training, p);
    NDList c3 = stage3.forward(ps, c2, training, p);
    NDArray p3 = lateral3.forward(ps, c3, training, p).singletonOrThrow();
    NDArray p2 = lateral2.forward(ps, c2, training, p).singletonOrThrow().add(twice(p3));
    NDArray p1 = lateral1.forward(ps, c1, training, p).singletonOrThrow().add(twice(p2));
    NDList f = smooth.forward(ps, new NDList(p1), training, p);
    NDArray logits = classOut.forward(ps, classTower.forward(ps, f, training, p), training, p).singletonOrThrow()
        .get(":, 0:" + classes);
    NDArray box = boxOut.forward(ps, boxTower.forward(ps, f, training, p), training, p).singletonOrThrow();
    NDArray distances = box.get(":, 0:4").clip(-8, 8).exp();
    NDArray center = box.get(":, 4:5");
    return new NDList(logits, distances, center);
  }

  /** Nearest-neighbour enlargement by 2 along height and width. */
  private static NDArray twice(NDArray x) {
    return x.repeat(2, 2).repeat(3, 2);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape in = inputs[0];
    long n = in.get(0);
    long h = in.get(2) / STRIDE;
    long w = in.get(3) / STRIDE;
    return new Shape[] {new Shape(n, classes, h, w), new Shape(n, 4, h, w), new Shape(n, 1, h, w)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (in.get(2) % 16 != 0 || in.get(3) % 16 != 0) {
      throw new IllegalArgumentException("a detector's input side must be a multiple of 16, not " + in);
    }
    Shape s = init(stem, manager, dataType, in);
    Shape c1 = init(stage1, manager, dataType, s);
    Shape c2 = init(stage2, manager, dataType, c1);
    Shape c3 = init(stage3, manager, dataType, c2);
    init(lateral3, manager, dataType, c3);
    init(lateral2, manager, dataType, c2);
    Shape f = init(lateral1, manager, dataType, c1);
    init(smooth, manager, dataType, f);
    Shape t = init(classTower, manager, dataType, f);
    init(classOut, manager, dataType, t);
    init(boxTower, manager, dataType, f);
    init(boxOut, manager, dataType, t);
  }

  private static Shape init(Block block, NDManager manager, DataType dataType, Shape in) {
    block.initialize(manager, dataType, in);
    return block.getOutputShapes(new Shape[] {in})[0];
  }
}
