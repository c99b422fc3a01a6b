package org.radlab.train;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.model.Half;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

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
 *
 * <p>With the ring exchange ({@link #ringRounds}) the driver steps aside: many rounds run as one barrier stage in
 * which the replicas average among themselves ({@link RingAllReduce}); the driver sends weights only when the
 * replicas need them, as above, and takes back the weights and optimizer states at the end of each epoch.
 */
final class WeightExchange {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Spark setting: rounds in one barrier stage of the ring exchange. */
  static final String RING_ROUNDS = "spark.radlab.train.ringRoundsPerStage";
  private final JavaSparkContext jsc;
  private final org.apache.spark.sql.RuntimeConfig conf;
  private final JavaRDD<TensorShards.Sample> shards;
  private final RoundTask task;
  private final String job;
  private final int replicas;
  private final boolean half;
  /** Whether the replicas average among themselves in a ring, many rounds per barrier stage. */
  private final boolean ring;
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
      boolean halfPrecisionUpdates, boolean ring, TrainProgress progress, float[] weights,
      Map<Integer, OptimizerState> resumeStates) {
    this.ring = ring && replicas > 1;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.conf = spark.conf();
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
    RoundResult r = restartingStale(sendAll -> run(epoch, first, last, sendAll, collect, epochEnd));
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

  /**
   * Runs steps {@code first..last-1} of {@code epoch} in rounds of {@code syncEvery} as one barrier stage in which
   * the replicas average their changes among themselves in a ring ({@link RingAllReduce}) instead of through the
   * driver; returns each round's result (over all replicas), or null when {@code cancelled} stopped it. At the
   * epoch's end ({@code epochEnd}) the driver's weights and the optimizer states become the replicas'. As with
   * {@link #round}, a stage whose replica lost its state with its executor is run again from the driver's weights.
   */
  List<RoundResult> ringRounds(int epoch, int first, int last, int syncEvery, boolean epochEnd,
      BooleanSupplier cancelled) {
    broadcastNanos = 0;
    byte[] token = new byte[RingAllReduce.TOKEN_BYTES];
    RANDOM.nextBytes(token);
    RoundTask.RingRounds ring = new RoundTask.RingRounds(version, epoch, first, last, syncEvery, half, epochEnd,
        token);
    List<RoundTask.RingResult> results;
    try {
      results = restartingStale(sendAll -> runRing(ring, sendAll, cancelled));
    } catch (RuntimeException e) {
      if (cancelled.getAsBoolean()) {
        return null;
      }
      throw e;
    }
    send = false;
    resumeStates = null;
    if (results.size() != replicas) {
      throw new IllegalStateException(results.size() + " of " + replicas + " replicas reported back in epoch "
          + epoch);
    }
    long averageStart = System.nanoTime();
    List<RoundResult> rounds = new ArrayList<>();
    HashMap<Integer, OptimizerState> states = new HashMap<>();
    for (RoundTask.RingResult r : results) {
      for (int k = 0; k < r.rounds.size(); k++) {
        if (rounds.size() <= k) {
          rounds.add(r.rounds.get(k));
        } else {
          rounds.set(k, RoundResult.merge(rounds.get(k), r.rounds.get(k)));
        }
      }
      if (r.optimizerStates != null) {
        states.putAll(r.optimizerStates);
      }
      if (r.weights != null) {
        weights = r.weights.toArray();
      }
    }
    if (epochEnd) {
      if (states.size() != replicas || weights == null) {
        throw new IllegalStateException("the replicas' weights and optimizer states did not all come back at the"
            + " end of epoch " + epoch);
      }
      epochStates = states;
    }
    update = null;
    updateFloat = null;
    version += ring.rounds();
    if (!rounds.isEmpty()) {
      rounds.get(0).broadcastSeconds = broadcastNanos / 1e9;
      rounds.get(0).averageSeconds = (System.nanoTime() - averageStart) / 1e9;
    }
    return rounds;
  }

  /**
   * Ring rounds as one barrier stage; with {@code sendAll} the replicas first load the driver's weights (and a
   * resume's optimizer states). A watcher cancels the stage as soon as {@code cancelled} says so.
   */
  private List<RoundTask.RingResult> runRing(RoundTask.RingRounds rounds, boolean sendAll, BooleanSupplier cancelled)
      throws Exception {
    long broadcastStart = System.nanoTime();
    Broadcast<PackedFloats> all = sendAll ? jsc.broadcast(PackedFloats.of(weights)) : null;
    Broadcast<Map<Integer, OptimizerState>> restore =
        sendAll && resumeStates != null ? jsc.broadcast(resumeStates) : null;
    RingStage stage = new RingStage(task, new RoundTask.Inputs(all, null, null, restore), rounds, replicas);
    broadcastNanos += System.nanoTime() - broadcastStart;
    String group = "radlab-train-" + job;
    Thread watcher = new Thread(() -> {
      try {
        while (!cancelled.getAsBoolean()) {
          Thread.sleep(500);
        }
        jsc.cancelJobGroup(group);
      } catch (InterruptedException done) {
        // the stage ended first
      }
    }, "radlab-train-cancel-watch");
    watcher.setDaemon(true);
    try {
      jsc.setJobGroup(group, "epoch " + rounds.epoch() + ", steps " + (rounds.firstStep() + 1) + "-"
          + rounds.lastStep() + " in a ring", true);
      watcher.start();
      ClassTag<RoundTask.RingResult> tag = ClassTag$.MODULE$.apply(RoundTask.RingResult.class);
      return new JavaRDD<>(shards.rdd().barrier().mapPartitions(stage, false, tag), tag).collect();
    } finally {
      watcher.interrupt();
      long destroyStart = System.nanoTime();
      for (Broadcast<?> b : new Broadcast<?>[] {all, restore}) {
        if (b != null) {
          b.destroy();
        }
      }
      broadcastNanos += System.nanoTime() - destroyStart;
    }
  }

  /** One attempt at a round or a ring stage; with {@code sendAll} the replicas first take the driver's weights. */
  private interface Attempt<T> {
    T run(boolean sendAll) throws Exception;
  }

  /**
   * Runs {@code attempt}, sending the driver's weights when the replicas need them; when a replica no longer holds
   * the previous round's weights (it lost them with its executor), runs it once more with the driver's weights.
   */
  private <T> T restartingStale(Attempt<T> attempt) {
    try {
      return attempt.run(send);
    } catch (Exception e) { // Spark's job failures arrive as SparkException, a checked exception
      if (!String.valueOf(e.getMessage()).contains(RoundTask.STALE) || send) {
        throw unchecked(e);
      }
      progress.write(new TrainEvent.ReplicaRestart());
      try {
        return attempt.run(true);
      } catch (Exception again) {
        throw unchecked(again);
      }
    }
  }

  private static RuntimeException unchecked(Exception e) {
    return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
  }

  /** A replica's task in a ring stage (a Scala function: the barrier API has no Java form). */
  private static final class RingStage extends AbstractFunction1<scala.collection.Iterator<TensorShards.Sample>,
      scala.collection.Iterator<RoundTask.RingResult>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final RoundTask task;
    private final RoundTask.Inputs inputs;
    private final RoundTask.RingRounds epoch;
    private final int replicas;

    RingStage(RoundTask task, RoundTask.Inputs inputs, RoundTask.RingRounds epoch, int replicas) {
      this.task = task;
      this.inputs = inputs;
      this.epoch = epoch;
      this.replicas = replicas;
    }

    @Override
    public scala.collection.Iterator<RoundTask.RingResult> apply(scala.collection.Iterator<TensorShards.Sample> it) {
      BarrierTaskContext context = BarrierTaskContext.get();
      // the address the executor's block manager serves on: the one its peers already reach it at
      String host = SparkEnv.get().blockManager().blockManagerId().host();
      try {
        return CollectionConverters.asScala(task.runRing(context.partitionId(), CollectionConverters.asJava(it),
            inputs, epoch, replicas, host, context::allGather));
      } catch (IOException e) {
        throw new UncheckedIOException("replica " + context.partitionId() + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Rounds in one barrier stage of the ring exchange ({@value #RING_ROUNDS}, default 50, at most 10,000): enough to pay for the
   * stage's scheduling many times over, few enough that progress arrives every so often in long epochs.
   */
  int ringRoundsPerStage() {
    return ClusterShape.wholeSetting(RING_ROUNDS, conf.get(RING_ROUNDS, "50"), 10_000);
  }

  /** Whether rounds run in ring stages ({@link #ringRounds}): the ring was asked for and there are replicas. */
  boolean ring() {
    return ring;
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
