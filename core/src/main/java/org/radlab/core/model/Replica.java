package org.radlab.core.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.radlab.core.model.detection.DetectionLoss;
import org.radlab.core.task.TaskType;

/**
 * One copy of a model being trained: the network, its optimizer state and the PyTorch engine underneath. A Spark
 * executor keeps its replica between steps; the driver's copy is the reference the replicas are averaged into. The
 * task decides the network and the loss: a classifier with the config's loss, a detector ({@link DetectorNet})
 * with {@link DetectionLoss}, or a segmenter ({@link UNet}) with {@link SegmentationLoss}; everything else (steps,
 * parameters, optimizer state, saving) is the same for all.
 *
 * <p>Parameters travel as one flat float array, in the block's parameter order: trainable weights and the batch-norm
 * running statistics alike, so that averaging replicas also averages their statistics. Not thread-safe, and at most
 * one replica per JVM may train at a time (PyTorch's gradient recording is per process in DJL).
 */
public final class Replica implements AutoCloseable {
  /** Settings that shape the network and its optimizer. */
  public record Spec(String architecture, double width, int classes, int inputSize, String loss, double focalAlpha,
      double focalGamma, String optimizer, double learningRate, long seed, TaskType task)
      implements java.io.Serializable {
    public Spec {
      task = task == null ? TaskType.CLASSIFICATION : task;
    }

    /** A classifier's spec. */
    public Spec(String architecture, double width, int classes, int inputSize, String loss, double focalAlpha,
        double focalGamma, String optimizer, double learningRate, long seed) {
      this(architecture, width, classes, inputSize, loss, focalAlpha, focalGamma, optimizer, learningRate, seed,
          TaskType.CLASSIFICATION);
    }

    /** A new, uninitialized network of this spec. */
    Block network() {
      return Architecture.parse(architecture).build(task, classes, width);
    }
  }

  private final Spec spec;
  private final Model model;
  private final Trainer trainer;
  private final Loss loss;
  /** The classifier's loss, which also turns logits into probabilities; null for a detector. */
  private final ClassifierLoss classifierLoss;
  private final List<Parameter> parameters = new ArrayList<>();
  /** The parameters the optimizer updates (not batch norm's running statistics). */
  private final List<Parameter> trainable;
  private final int size;
  private final ResumableOptimizer optimizer;

  /** A replica on the CPU. */
  public Replica(Spec spec) {
    this(spec, Device.cpu());
  }

  /** A replica on {@code device} (a GPU when the executor was given one, else the CPU). */
  public Replica(Spec spec, Device device) {
    this.spec = spec;
    Engine.getInstance().setRandomSeed((int) spec.seed());
    Block block = spec.network();
    this.model = Model.newInstance("radlab-" + spec.architecture(), device);
    model.setBlock(block);
    if (spec.task() == TaskType.DETECTION) {
      this.classifierLoss = null;
      this.loss = new DetectionLoss(spec.focalAlpha(), spec.focalGamma());
    } else if (spec.task() == TaskType.SEGMENTATION) {
      this.classifierLoss = null;
      this.loss = new SegmentationLoss();
    } else {
      this.classifierLoss = new ClassifierLoss(ClassifierLoss.Kind.parse(spec.loss()), spec.focalAlpha(),
          spec.focalGamma());
      this.loss = classifierLoss;
    }
    this.optimizer = new ResumableOptimizer(ResumableOptimizer.Kind.parse(spec.optimizer()),
        (float) spec.learningRate());
    DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
        .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
        .optOptimizer(optimizer);
    this.trainer = model.newTrainer(config);
    trainer.initialize(new Shape(1, 1, spec.inputSize(), spec.inputSize()));
    int n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      parameters.add(p.getValue());
      n += (int) p.getValue().getArray().size();
    }
    this.size = n;
    this.trainable = parameters.stream().filter(Parameter::requiresGradient).toList();
  }

  public Spec spec() {
    return spec;
  }

  /** Number of floats in {@link #parameters()}. */
  public int parameterCount() {
    return size;
  }

  /** Multiplies the learning rate of the steps that follow by {@code factor} (a schedule's, in (0, 1]). */
  public void scaleLearningRate(float factor) {
    optimizer.scaleLearningRate(factor);
  }

  /**
   * One optimizer step on a batch of a classifier.
   *
   * @param images {@code batch * inputSize²} values, image after image, row-major
   * @param labels class index per image
   * @return the batch loss before the step
   */
  public float step(float[] images, int[] labels) {
    return step(images, new BatchTargets.Classes(labels));
  }

  /**
   * One optimizer step on a batch.
   *
   * @param images  {@code batch * inputSize²} values, image after image, row-major (a segmenter's: {@code batch *
   *                side²}, with the side of its masks)
   * @param targets what each image should give, in the form this replica's task takes
   * @return the batch loss before the step
   */
  public float step(float[] images, BatchTargets targets) {
    // a segmenter may train on patches smaller than its input (its masks give their side); all else on the input
    int side = targets instanceof BatchTargets.Masks masks ? masks.side() : spec.inputSize();
    if (images.length < targets.count() * side * side) {
      throw new IllegalArgumentException("only " + images.length + " pixel values for " + targets.count()
          + " images of " + side + " x " + side);
    }
    NDManager m = trainer.getManager();
    try (NDManager scope = m.newSubManager()) {
      NDArray x = scope.create(images, new Shape(targets.count(), 1, side, side));
      NDList y = targets.labels(scope);
      float value;
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDList out = trainer.forward(new NDList(x));
        NDArray l = loss.evaluate(y, out);
        gc.backward(l);
        value = l.getFloat();
      }
      updateParameters();
      return value;
    }
  }

  /**
   * The optimizer step over the trainable parameters, each with its gradient as libtorch holds it. This is what
   * {@code Trainer.step()} does on one device, less the copy of every gradient that DJL's parameter server makes
   * first (45 MB a step for ResNet-18, 15 ms of a 600 ms step).
   */
  private void updateParameters() {
    for (Parameter p : trainable) {
      NDArray weight = p.getArray();
      try (NDArray grad = weight.getGradient()) {
        optimizer.update(p.getId(), weight, grad);
      }
    }
  }

  /** Class probabilities, {@code [image][class]}, in inference mode (batch norm on its running statistics). */
  public float[][] predict(float[] images, int count) {
    classifierOnly();
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDArray x = scope.create(images, new Shape(count, 1, spec.inputSize(), spec.inputSize()));
      return probabilities(trainer.evaluate(new NDList(x)).singletonOrThrow(), count);
    }
  }

  /** Probabilities and loss of a batch, from one forward pass in inference mode (no step). */
  public record Evaluation(float[][] probabilities, float loss) {}

  public Evaluation evaluate(float[] images, int[] labels) {
    classifierOnly();
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDArray x = scope.create(images, new Shape(labels.length, 1, spec.inputSize(), spec.inputSize()));
      NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
      float l = loss.evaluate(new NDList(scope.create(labels)), new NDList(logits)).getFloat();
      return new Evaluation(probabilities(logits, labels.length), l);
    }
  }

  /**
   * The network's outputs for a batch in inference mode, each output flattened ({@code [output][values]}, image
   * after image); with {@code targets}, also the batch loss (NaN without).
   */
  public record Outputs(float[][] arrays, float loss) {}

  public Outputs outputs(float[] images, int count, BatchTargets targets) {
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDArray x = scope.create(images, new Shape(count, 1, spec.inputSize(), spec.inputSize()));
      NDList out = trainer.evaluate(new NDList(x));
      float l = targets == null ? Float.NaN : loss.evaluate(targets.labels(scope), out).getFloat();
      float[][] arrays = new float[out.size()][];
      for (int i = 0; i < out.size(); i++) {
        arrays[i] = out.get(i).toType(DataType.FLOAT32, false).toFloatArray();
      }
      return new Outputs(arrays, l);
    }
  }

  /** A segmenter's masks of a batch (a class index per pixel, image after image) and the batch loss. */
  public record Segmentation(byte[][] masks, float loss) {}

  /**
   * A segmenter's masks for a batch in inference mode: each pixel's most likely class (background 0 first); with
   * {@code targets}, also the batch loss (NaN without).
   */
  public Segmentation segment(float[] images, int count, BatchTargets targets) {
    if (spec.task() != TaskType.SEGMENTATION) {
      throw new IllegalStateException("a " + spec.task().id() + " model gives no masks");
    }
    int side = spec.inputSize();
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDArray x = scope.create(images, new Shape(count, 1, side, side));
      NDList out = trainer.evaluate(new NDList(x));
      float l = targets == null ? Float.NaN : loss.evaluate(targets.labels(scope), out).getFloat();
      byte[] all = out.singletonOrThrow().argMax(1).toType(DataType.UINT8, false).toByteArray();
      byte[][] masks = new byte[count][];
      for (int i = 0; i < count; i++) {
        masks[i] = java.util.Arrays.copyOfRange(all, i * side * side, (i + 1) * side * side);
      }
      return new Segmentation(masks, l);
    }
  }

  private void classifierOnly() {
    if (classifierLoss == null) {
      throw new IllegalStateException("a " + spec.task().id() + " model gives no class probabilities");
    }
  }

  private float[][] probabilities(NDArray logits, int count) {
    float[] p = classifierLoss.probabilities(logits).toType(DataType.FLOAT32, false).toFloatArray();
    float[][] out = new float[count][spec.classes()];
    for (int i = 0; i < count; i++) {
      System.arraycopy(p, i * spec.classes(), out[i], 0, spec.classes());
    }
    return out;
  }

  /** Every parameter value, flattened in block order. */
  public float[] parameters() {
    float[] out = new float[size];
    int at = 0;
    for (Parameter p : parameters) {
      NDArray a = p.getArray();
      ArrayViews.copy(a, out, at);
      at += Math.toIntExact(a.size());
    }
    return out;
  }

  /** Replaces every parameter value from a flat array laid out as {@link #parameters()}. */
  public void setParameters(float[] values) {
    if (values.length != size) {
      throw new IllegalArgumentException("expected " + size + " parameter values, got " + values.length);
    }
    int at = 0;
    for (Parameter p : parameters) {
      NDArray a = p.getArray();
      int n = (int) a.size();
      FloatBuffer own = ArrayViews.own(a);
      if (own != null) {
        own.put(0, values, at, n);
      } else {
        a.set(FloatBuffer.wrap(values, at, n));
      }
      at += n;
    }
  }

  /** Writes the parameters in DJL's {@code .params} format. */
  public void save(OutputStream out) throws IOException {
    model.getBlock().saveParameters(new DataOutputStream(out));
  }

  /**
   * Reads parameters written by {@link #save} for the same architecture, width, classes and input size.
   *
   * <p>The file is decoded into a separate copy of the block and its values copied into this replica's own
   * arrays. Loading straight into the live block would give each parameter a new array, while the trainer keeps
   * computing with the arrays it saw at initialization: predictions would ignore the loaded weights, and every
   * later {@link #setParameters} would write into arrays the trainer never reads.
   */
  public void load(InputStream in) throws IOException {
    try (NDManager scratch = trainer.getManager().newSubManager()) {
      Block copy = spec.network();
      copy.initialize(scratch, DataType.FLOAT32,
          new Shape(1, 1, spec.inputSize(), spec.inputSize()));
      copy.loadParameters(scratch, new DataInputStream(in));
      List<Parameter> loaded = new ArrayList<>();
      for (Pair<String, Parameter> p : copy.getParameters()) {
        loaded.add(p.getValue());
      }
      if (loaded.size() != parameters.size()) {
        throw new IOException("the weights hold " + loaded.size() + " parameters, " + spec.architecture() + " has "
            + parameters.size());
      }
      for (int i = 0; i < loaded.size(); i++) {
        NDArray from = loaded.get(i).getArray();
        NDArray to = parameters.get(i).getArray();
        if (!from.getShape().equals(to.getShape())) {
          throw new IOException("parameter " + i + " has shape " + from.getShape() + " in the weights, "
              + to.getShape() + " in " + spec.architecture());
        }
        to.set(from.toFloatArray());
      }
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException("the weights do not fit " + spec.architecture() + " (width " + spec.width() + ", "
          + spec.classes() + " classes): " + e.getMessage(), e);
    }
  }

  /** The optimizer's state (see {@link ResumableOptimizer#exportState}) over the trainable parameters. */
  public float[] optimizerState() {
    return optimizer.exportState(trainable.stream().map(Parameter::getId).toList(),
        trainable.stream().map(p -> p.getArray().size()).toList());
  }

  /** Optimizer steps taken so far, or restored by {@link #setOptimizerState}. */
  public int optimizerSteps() {
    return optimizer.steps();
  }

  /** Restores what {@link #optimizerState} and {@link #optimizerSteps} returned, on a replica of the same spec. */
  public void setOptimizerState(float[] state, int steps) {
    optimizer.importState(trainable.stream().map(Parameter::getId).toList(),
        trainable.stream().map(Parameter::getArray).toList(), state, steps);
  }

  public Block block() {
    return model.getBlock();
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
