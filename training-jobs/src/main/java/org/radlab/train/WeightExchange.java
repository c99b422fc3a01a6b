package org.radlab.train;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.model.Half;

/**
 * The driver's side of the weight exchange: it keeps the weights the replicas hold, runs each round as one Spark job
 * ({@link RoundTask} on every shard, results added up by {@code treeAggregate}), and averages what comes back.
 *
 * <p>A round broadcasts the driver's whole weights when the replicas need them (the first round, and after a lost
 * replica), else the averaged change of the previous round, which every replica adds to the weights it started that
 * round from, as the driver does, so replicas and driver stay identical. Several replicas send their change every
 * round (fp16 with {@code halfPrecisionUpdates}, else fp32); one replica has nothing to average with: it keeps its
 * own weights between rounds and hands them over only at the end of the epoch. The last round of an epoch also brings
 * back each replica's optimizer state, for the checkpoint.
 */
final class WeightExchange {
  private final JavaSparkContext jsc;
  private final JavaRDD<TensorShards.Sample> shards;
  private final RoundTask task;
  private final String job;
  private final int replicas;
  private final boolean half;
  private final TrainProgress progress;
  /** Rounds run so far; a replica holding the weights after round {@code n} is at version {@code n}. */
  private long version;
  /** Whether the next round must broadcast the driver's weights (start, resume, a lost replica). */
  private boolean send = true;
  /** The driver's copy of the current weights (what the replicas hold at the start of the next round). */
  private float[] weights;
  /** The averaged change of the last round, which the replicas have yet to apply: fp16, or else fp32. */
  private short[] update;
  private float[] updateFloat;
  /** Each replica's optimizer state at the end of the last epoch, by partition (written with the checkpoint). */
  private Map<Integer, OptimizerState> epochStates;
  /** Optimizer states from a checkpoint, for the replicas of the first round after a resume; else null. */
  private Map<Integer, OptimizerState> resumeStates;
  /** The driver's time making and removing the current round's broadcasts (a re-run round's included). */
  private long broadcastNanos;

  /**
   * An exchange over {@code shards} (one per replica) that starts the replicas from {@code weights}, and from
   * {@code resumeStates} (by partition; null for none) for their optimizer state.
   */
  WeightExchange(SparkSession spark, JavaRDD<TensorShards.Sample> shards, RoundTask task, int replicas,
      boolean halfPrecisionUpdates, TrainProgress progress, float[] weights,
      Map<Integer, OptimizerState> resumeStates) {
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.shards = shards;
    this.task = task;
    this.job = task.job();
    this.replicas = replicas;
    this.half = halfPrecisionUpdates;
    this.progress = progress;
    this.weights = weights;
    this.resumeStates = resumeStates;
    this.epochStates = resumeStates == null ? Map.of() : resumeStates;
  }

  /**
   * Runs steps {@code first..last-1} of {@code epoch} on every replica and brings the driver's weights up to date;
   * {@code epochEnd}: the epoch's last round. A round whose replica lost its state with its executor is run again
   * from the driver's weights.
   */
  RoundResult round(int epoch, int first, int last, boolean epochEnd) {
    boolean collect = replicas > 1 || epochEnd;
    broadcastNanos = 0;
    RoundResult r;
    try {
      r = run(epoch, first, last, send, collect, epochEnd);
    } catch (Exception e) { // Spark's job failures arrive as SparkException, a checked exception
      if (!String.valueOf(e.getMessage()).contains(RoundTask.STALE) || send) {
        if (e instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getMessage(), e);
      }
      progress.write(new TrainEvent.ReplicaRestart());
      r = run(epoch, first, last, true, collect, epochEnd);
    }
    send = false;
    resumeStates = null;
    if (r == null || r.replicas == 0) {
      throw new IllegalStateException("no replica reported back in epoch " + epoch);
    }
    long averageStart = System.nanoTime();
    if (r.optimizerStates != null) {
      epochStates = r.optimizerStates;
    }
    if (r.weights != null) {
      weights = r.weights.toArray();
      update = null;
      updateFloat = null;
    } else if (r.hasDelta()) {
      float[] mean = divide(r.deltaSum(), r.replicas);
      if (half) {
        update = Half.encode(mean);
        Half.addTo(weights, update); // exactly what each replica will add
      } else {
        update = null;
        updateFloat = mean;
        RoundResult.add(weights, mean); // exactly what each replica will add
      }
    }
    version++;
    r.averageSeconds = (System.nanoTime() - averageStart) / 1e9;
    r.broadcastSeconds = broadcastNanos / 1e9;
    return r;
  }

  /** The driver's copy of the current weights (not a copy: the next round may change it). */
  float[] weights() {
    return weights;
  }

  /** Each replica's optimizer state at the end of the last epoch, by partition. */
  Map<Integer, OptimizerState> epochStates() {
    return epochStates;
  }

  /**
   * One round as one Spark job: each replica takes steps {@code first..last-1}. With {@code sendAll} it first loads
   * the driver's weights; else it must hold those of the previous round ({@link #version}) and applies the
   * pending {@link #update}. With {@code collect} it returns its change (several replicas) or its weights (one);
   * with {@code states}, also its optimizer state. A first round after a resume hands out {@link #resumeStates}.
   */
  private RoundResult run(int epoch, int first, int last, boolean sendAll, boolean collect, boolean states) {
    long broadcastStart = System.nanoTime();
    Broadcast<PackedFloats> all = sendAll ? jsc.broadcast(PackedFloats.of(weights)) : null;
    Broadcast<short[]> change = !sendAll && update != null ? jsc.broadcast(update) : null;
    Broadcast<PackedFloats> changeFloat =
        !sendAll && updateFloat != null ? jsc.broadcast(PackedFloats.of(updateFloat)) : null;
    Broadcast<Map<Integer, OptimizerState>> restore =
        sendAll && resumeStates != null ? jsc.broadcast(resumeStates) : null;
    // locals only: the closure below must not capture this exchange, which holds the Spark context
    RoundTask.Inputs inputs = new RoundTask.Inputs(all, change, changeFloat, restore);
    RoundTask.Round round = new RoundTask.Round(version, epoch, first, last, collect, replicas > 1, half, states);
    RoundTask roundTask = task;
    broadcastNanos += System.nanoTime() - broadcastStart;
    try {
      jsc.setJobGroup("radlab-train-" + job, "epoch " + epoch + ", steps " + (first + 1) + "-" + last, true);
      return shards.mapPartitionsWithIndex((partition, it) -> roundTask.run(partition, it, inputs, round), true)
          .treeAggregate(null, RoundResult::merge, RoundResult::merge);
    } finally {
      long destroyStart = System.nanoTime();
      for (Broadcast<?> b : new Broadcast<?>[] {all, change, changeFloat, restore}) {
        if (b != null) {
          b.destroy();
        }
      }
      broadcastNanos += System.nanoTime() - destroyStart;
    }
  }

  /** {@code values[i] /= by}, in place; returns {@code values}. */
  private static float[] divide(float[] values, int by) {
    for (int i = 0; i < values.length; i++) {
      values[i] /= by;
    }
    return values;
  }
}
