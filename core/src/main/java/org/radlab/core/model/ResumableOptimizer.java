package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Adam, or SGD with momentum 0.9, whose state (Adam's two moments, SGD's momentum, the step count) can be read out
 * and put back, so that training resumed from a checkpoint continues exactly where it stopped. DJL's own optimizers
 * keep that state private. Both follow DJL's {@code Adam} and {@code Sgd} (default betas, epsilon, no weight decay).
 *
 * <p>Adam on the CPU runs as one loop over the weights, gradient and moments, read and written in place through
 * direct views of libtorch's memory: each value is loaded and stored once (the gradient is then zeroed). DJL's
 * {@code adamUpdate} kernel (still used on a GPU) makes about twelve passes over the parameters and five temporary
 * copies of them, which made the optimizer the largest gap to native PyTorch (68 against 25 ms a step for
 * ResNet-18). SGD calls DJL's {@code sgdUpdate}.
 */
public final class ResumableOptimizer extends Optimizer {
  /** Which update, and how many state arrays it keeps per parameter. */
  public enum Kind {
    ADAM(2), SGD(1);

    final int slots;

    Kind(int slots) {
      this.slots = slots;
    }

    public static Kind parse(String name) {
      return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
        case "adam" -> ADAM;
        case "sgd" -> SGD;
        default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; choose adam or sgd");
      };
    }
  }

  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;
  private static final float MOMENTUM = 0.9f;
  /** Parameters smaller than this are updated by one thread. */
  private static final int PARALLEL_MIN = 1 << 16;

  private final Kind kind;
  private final float learningRate;
  /** What the learning rate is multiplied by for the next updates (a schedule's factor; 1 by default). */
  private float scale = 1f;
  /** Threads for the CPU update: libtorch's intra-op threads, which are idle while it runs. */
  private final int threads = Math.max(1, Integer.getInteger("ai.djl.pytorch.num_threads", 1));
  /** Per parameter id: Adam's mean and variance, or SGD's momentum; created at the parameter's first update. */
  private final Map<String, NDArray[]> state = new HashMap<>();
  /** Updates taken so far (each step updates every trainable parameter once). */
  private int steps;
  private final Map<String, Integer> updates = new HashMap<>();

  public ResumableOptimizer(Kind kind, float learningRate) {
    super(new Builder());
    this.kind = kind;
    this.learningRate = learningRate;
  }

  /** Multiplies the learning rate of the updates that follow by {@code factor} (in (0, 1]: a schedule's decay). */
  public void scaleLearningRate(float factor) {
    if (!(factor > 0 && factor <= 1)) {
      throw new IllegalArgumentException("a learning-rate factor lies in (0, 1], not " + factor);
    }
    scale = factor;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    float learningRate = this.learningRate * scale;
    int t = updates.merge(parameterId, 1, Integer::sum);
    steps = Math.max(steps, t);
    NDArray[] s = state.computeIfAbsent(parameterId, id -> {
      NDArray[] fresh = new NDArray[kind.slots];
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = weight.zerosLike();
      }
      return fresh;
    });
    if (kind == Kind.ADAM) {
      double correction1 = 1.0 - Math.pow(BETA1, t);
      double correction2 = 1.0 - Math.pow(BETA2, t);
      float corrected = (float) (learningRate * Math.sqrt(correction2) / correction1);
      FloatBuffer w = ArrayViews.own(weight);
      FloatBuffer m = w == null ? null : ArrayViews.own(s[0]);
      FloatBuffer v = m == null ? null : ArrayViews.own(s[1]);
      if (v == null || getWeightDecay() != 0 || rescaleGrad != 1 || clipGrad >= 0) {
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, s[0], s[1]), new NDList(weight),
            learningRate, corrected, getWeightDecay(), rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
      } else {
        try (ArrayViews.Flat g = ArrayViews.flat(grad)) {
          adamInPlace(w, g.values(), m, v, corrected);
        }
        zeroGradient(weight, grad);
      }
    } else {
      weight.getNDArrayInternal().sgdUpdate(new NDList(weight, grad, s[0]), new NDList(weight), learningRate,
          getWeightDecay(), rescaleGrad, clipGrad, MOMENTUM, true);
    }
  }

  /**
   * One Adam update over a parameter: both moments, then the weight. {@code rate} is the learning rate with both
   * bias corrections. Large parameters are split over the intra-op threads, each range updated by one thread, so
   * the result does not depend on their number.
   */
  private void adamInPlace(FloatBuffer w, FloatBuffer g, FloatBuffer m, FloatBuffer v, float rate) {
    int n = w.capacity();
    if (g.capacity() != n || m.capacity() != n || v.capacity() != n) {
      throw new IllegalStateException("weight, gradient and moments differ in size: " + n + ", " + g.capacity()
          + ", " + m.capacity() + ", " + v.capacity());
    }
    int parts = n < PARALLEL_MIN ? 1 : threads;
    if (parts == 1) {
      adamRange(w, g, m, v, rate, 0, n);
    } else {
      IntStream.range(0, parts).parallel().forEach(part -> adamRange(w, g, m, v, rate,
          (int) ((long) n * part / parts), (int) ((long) n * (part + 1) / parts)));
    }
  }

  private static void adamRange(FloatBuffer w, FloatBuffer g, FloatBuffer m, FloatBuffer v, float rate, int from,
      int to) {
    for (int i = from; i < to; i++) {
      float gi = g.get(i);
      float mi = BETA1 * m.get(i) + (1 - BETA1) * gi;
      float vi = BETA2 * v.get(i) + (1 - BETA2) * gi * gi;
      m.put(i, mi);
      v.put(i, vi);
      w.put(i, w.get(i) - rate * mi / ((float) Math.sqrt(vi) + EPSILON));
    }
  }

  /**
   * Zeroes the weight's gradient for the next backward pass, in libtorch, as DJL's kernels do. Not through the
   * flat view: a gradient may be a transposed (non-contiguous) tensor, whose flat view is of a copy.
   */
  private static void zeroGradient(NDArray weight, NDArray grad) {
    if (weight instanceof PtNDArray pt) {
      JniUtils.zeroGrad(pt);
    } else {
      grad.subi(grad);
    }
  }

  /** Steps taken so far (Adam's bias correction depends on it). */
  public int steps() {
    return steps;
  }

  /** Floats {@link #exportState} writes for parameters of these sizes. */
  public long stateSize(List<Long> parameterSizes) {
    long n = 0;
    for (long size : parameterSizes) {
      n += size * kind.slots;
    }
    return n;
  }

  /**
   * The state of the given parameters, in their order, each parameter's slots one after the other (Adam: mean then
   * variance). A parameter not updated yet contributes zeros, which is also its state before its first update.
   */
  public float[] exportState(List<String> parameterIds, List<Long> parameterSizes) {
    float[] out = new float[Math.toIntExact(stateSize(parameterSizes))];
    int at = 0;
    for (int p = 0; p < parameterIds.size(); p++) {
      int size = Math.toIntExact(parameterSizes.get(p));
      NDArray[] s = state.get(parameterIds.get(p));
      for (int slot = 0; slot < kind.slots; slot++) {
        if (s != null) {
          ArrayViews.copy(s[slot], out, at);
        }
        at += size;
      }
    }
    return out;
  }

  /**
   * Puts back what {@link #exportState} wrote (for parameters of the same sizes, in the same order) and the step
   * count. The state arrays are created next to each parameter's weights.
   */
  public void importState(List<String> parameterIds, List<NDArray> weights, float[] values, int stepsTaken) {
    List<Long> sizes = weights.stream().map(NDArray::size).toList();
    if (values.length != stateSize(sizes)) {
      throw new IllegalArgumentException("the saved " + kind.name().toLowerCase(Locale.ROOT) + " state holds "
          + values.length + " values, this model needs " + stateSize(sizes));
    }
    int at = 0;
    for (int p = 0; p < parameterIds.size(); p++) {
      NDArray weight = weights.get(p);
      int size = Math.toIntExact(weight.size());
      NDArray[] s = new NDArray[kind.slots];
      for (int slot = 0; slot < kind.slots; slot++) {
        s[slot] = weight.zerosLike();
        s[slot].set(FloatBuffer.wrap(values, at, size));
        at += size;
      }
      NDArray[] old = state.put(parameterIds.get(p), s);
      if (old != null) {
        for (NDArray a : old) {
          a.close();
        }
      }
      updates.put(parameterIds.get(p), stepsTaken);
    }
    steps = stepsTaken;
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
