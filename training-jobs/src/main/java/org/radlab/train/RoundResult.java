package org.radlab.train;

import java.io.Serializable;
import java.util.HashMap;
import org.radlab.core.model.Half;

/**
 * What the replicas of one round send back, added up by {@link #merge} in Spark's {@code treeAggregate}: a replica's
 * whole weights or the sum of their changes, optimizer states, losses, counts and the slowest replica's times.
 */
final class RoundResult implements Serializable {
  private static final long serialVersionUID = 1L;
  /** One replica's whole weights (single-replica training, end of epoch), else null. */
  PackedFloats weights;
  /** One replica's change over the round (several replicas), before merging: fp16, or else fp32. */
  short[] delta;
  PackedFloats packedDelta;
  /** The replicas' changes added up (after merging). */
  float[] deltaSum;
  /** Each replica's optimizer state by partition, when the round was asked for it; else null. */
  HashMap<Integer, OptimizerState> optimizerStates;
  double lossSum;
  long steps;
  long images;
  int replicas;
  /** The slowest replica's time in its optimizer steps (batch assembly included), in seconds. */
  double computeSeconds;
  /** The slowest replica's time to take in the round's weights, and to hand out its own, in seconds. */
  double loadSeconds;
  double collectSeconds;
  /** In a ring epoch, the slowest replica's whole round (steps and all-reduce), in seconds; else 0. */
  double seconds;
  /**
   * The driver's own part of the round, set on the driver after the Spark job: making the round's broadcasts and
   * removing them again, and averaging what came back (decoding, dividing, encoding the update), in seconds.
   */
  double broadcastSeconds;
  double averageSeconds;

  RoundResult(double lossSum, long steps, long images, double computeSeconds) {
    this.lossSum = lossSum;
    this.steps = steps;
    this.images = images;
    this.replicas = 1;
    this.computeSeconds = computeSeconds;
  }

  boolean hasDelta() {
    return delta != null || packedDelta != null || deltaSum != null;
  }

  /** The summed changes as floats (decoding a single replica's change). */
  float[] deltaSum() {
    if (deltaSum == null && delta != null) {
      deltaSum = new float[delta.length];
      Half.addTo(deltaSum, delta);
      delta = null;
    } else if (deltaSum == null && packedDelta != null) {
      deltaSum = packedDelta.toArray();
      packedDelta = null;
    }
    return deltaSum;
  }

  static RoundResult merge(RoundResult a, RoundResult b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (a.hasDelta() && b.hasDelta()) {
      float[] sum = a.deltaSum();
      if (b.delta != null) {
        Half.addTo(sum, b.delta);
      } else if (b.packedDelta != null) {
        b.packedDelta.addTo(sum);
      } else {
        add(sum, b.deltaSum);
      }
    }
    if (a.weights == null) {
      a.weights = b.weights;
    }
    if (b.optimizerStates != null) {
      if (a.optimizerStates == null) {
        a.optimizerStates = b.optimizerStates;
      } else {
        a.optimizerStates.putAll(b.optimizerStates);
      }
    }
    a.lossSum += b.lossSum;
    a.steps += b.steps;
    a.images += b.images;
    a.replicas += b.replicas;
    a.computeSeconds = Math.max(a.computeSeconds, b.computeSeconds);
    a.loadSeconds = Math.max(a.loadSeconds, b.loadSeconds);
    a.collectSeconds = Math.max(a.collectSeconds, b.collectSeconds);
    a.seconds = Math.max(a.seconds, b.seconds);
    return a;
  }

  /** {@code target[i] += values[i]}. (Small methods: the JIT compiles and vectorizes their loops early.) */
  static void add(float[] target, float[] values) {
    for (int i = 0; i < target.length; i++) {
      target[i] += values[i];
    }
  }
}
