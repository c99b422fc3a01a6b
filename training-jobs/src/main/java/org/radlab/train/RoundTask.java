package org.radlab.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.broadcast.Broadcast;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Augmentation;
import org.radlab.core.model.BatchTargets;
import org.radlab.core.model.DetectorNet;
import org.radlab.core.model.Half;
import org.radlab.core.model.LearningRateSchedule;
import org.radlab.core.model.Patches;
import org.radlab.core.model.Replica;
import org.radlab.core.model.Sampling;
import org.radlab.core.model.detection.CenterTargets;
import org.radlab.core.task.TaskType;

/**
 * A round on one partition, run inside a Spark task: bring the executor's resident replica to the round's weights
 * (all of them, or the pending change added to those it started the last round from), take the round's steps on
 * batches from this shard, and send back its change, its weights or nothing. This record and everything it is
 * handed ({@link Inputs}, {@link Round}) travel to the executors in the task's closure, so they hold only
 * serializable values and broadcast handles.
 *
 * @param job       the training job's id, which keys the executor's resident replicas
 * @param threads   libtorch threads for the replica
 * @param classes   the classes sampling balances: a classifier's, or a detector's or segmenter's images without
 *                  and with findings
 * @param batch     images per step on each replica
 * @param patch     the side a segmenter trains on: a patch of each input ({@link Patches}), or the whole input
 * @param schedule  the learning rate's schedule over the run's steps
 * @param stepsPerEpoch optimizer steps in an epoch
 * @param maxEpochs the run's epochs: with {@code stepsPerEpoch}, the steps the schedule spans
 */
record RoundTask(String job, Replica.Spec spec, int threads, long seed, Sampling sampling, Augmentation.Kind augmentation,
    double maxRotation, int classes, int batch, int patch, LearningRateSchedule schedule, int stepsPerEpoch,
    int maxEpochs) implements Serializable {
  /** Marks the failure of a round whose replica no longer holds the previous round's weights. */
  static final String STALE = "radlab-replica-stale";

  /** The broadcasts a round's task reads: all weights, or the pending change (fp16 or fp32); optimizer states. */
  record Inputs(Broadcast<PackedFloats> all, Broadcast<short[]> change, Broadcast<PackedFloats> changeFloat,
      Broadcast<Map<Integer, OptimizerState>> restore) implements Serializable {}

  /**
   * What one round asks of each replica: steps {@code firstStep..lastStep-1} of {@code epoch}, starting from the
   * weights after round {@code version}. With {@code collect}, send back the change ({@code deltas}; in fp16 with
   * {@code half}) or else the whole weights; with {@code states}, also the optimizer state.
   */
  record Round(long version, int epoch, int firstStep, int lastStep, boolean collect, boolean deltas, boolean half,
      boolean states) implements Serializable {}

  /**
   * The task of a run of {@code cfg} with {@code spec} replicas, each of {@code threads} threads and batch, over
   * epochs of {@code stepsPerEpoch} steps.
   */
  static RoundTask of(TrainConfig cfg, Replica.Spec spec, int threads, int batch, int stepsPerEpoch) {
    return new RoundTask(cfg.jobId(), spec, threads, cfg.seed(), cfg.sampling(), cfg.augmentation(),
        cfg.maxRotation(), cfg.task() == TaskType.CLASSIFICATION ? cfg.classes().size() : 2, batch,
        cfg.patchSize(), cfg.schedule(), stepsPerEpoch, cfg.maxEpochs());
  }

  /** Runs {@code round} on {@code partition}'s shard; returns its one result (none for an empty shard). */
  Iterator<RoundResult> run(int partition, Iterator<TensorShards.Sample> it, Inputs in, Round round) {
    List<TensorShards.Sample> shard = new ArrayList<>();
    it.forEachRemaining(shard::add);
    if (shard.isEmpty()) {
      return Collections.emptyIterator();
    }
    int epoch = round.epoch();
    int[] order = order(shard, epoch, partition);
    synchronized (ExecutorReplicas.LOCK) {
      long loadStart = System.nanoTime();
      ExecutorReplicas.Held held = load(partition, in, round.version());
      Replica replica = held.replica;
      if (in.all() == null && in.change() != null) {
        Half.addTo(held.base, in.change().value());
        replica.setParameters(held.base);
      } else if (in.all() == null && in.changeFloat() != null) {
        in.changeFloat().value().addTo(held.base);
        replica.setParameters(held.base);
      }
      long computeStart = System.nanoTime();
      RoundResult result = steps(replica, shard, order, epoch, partition, round.firstStep(), round.lastStep());
      long computeEnd = System.nanoTime();
      held.version = round.version() + 1;
      result.loadSeconds = (computeStart - loadStart) / 1e9;
      try {
        collect(result, held, replica, round);
        if (round.states()) {
          result.optimizerStates = states(partition, replica);
        }
      } finally {
        result.collectSeconds = (System.nanoTime() - computeEnd) / 1e9;
      }
      return List.of(result).iterator();
    }
  }

  /**
   * What a replica's share of a barrier stage asks for: starting from the weights after round {@code version} (or
   * the broadcast ones), steps {@code firstStep..lastStep-1} of {@code epoch} in rounds of {@code syncEvery}, each
   * ended by a ring all-reduce of the replicas' changes (fp16 with {@code half}); with {@code epochEnd}, send back
   * the weights (rank 0) and the optimizer state. {@code token} admits the ring's connections.
   */
  record RingRounds(long version, int epoch, int firstStep, int lastStep, int syncEvery, boolean half,
      boolean epochEnd, byte[] token) implements Serializable {
    int rounds() {
      return (lastStep - firstStep + syncEvery - 1) / syncEvery;
    }
  }

  /**
   * What a replica sends back from a ring stage: a result per round; at the epoch's end its optimizer state and
   * (rank 0) its weights.
   */
  static final class RingResult implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<RoundResult> rounds = new ArrayList<>();
    HashMap<Integer, OptimizerState> optimizerStates;
    PackedFloats weights;
  }

  /**
   * The rounds of {@code ring} on {@code partition}'s shard inside a barrier stage: after each round's steps the
   * replicas average their changes among themselves ({@link RingAllReduce}) and every one adds the same average to
   * the weights it started the round from, as the driver's exchange does. The replicas take turns at their steps
   * when they share a JVM ({@link ExecutorReplicas#LOCK}), but exchange at the same time.
   */
  Iterator<RingResult> runRing(int partition, Iterator<TensorShards.Sample> it, Inputs in, RingRounds ring,
      int replicas, String host, java.util.function.Function<String, String[]> allGather) throws java.io.IOException {
    List<TensorShards.Sample> shard = new ArrayList<>();
    it.forEachRemaining(shard::add);
    if (shard.isEmpty()) { // every replica must join the ring, and an empty one would skew the average
      throw new IllegalStateException("replica " + partition + " has no training images: train on at least "
          + replicas + " images, or on fewer replicas");
    }
    int epoch = ring.epoch();
    int[] order = order(shard, epoch, partition);
    RingResult out = new RingResult();
    ExecutorReplicas.Held held;
    double loadSeconds;
    synchronized (ExecutorReplicas.LOCK) {
      long loadStart = System.nanoTime();
      held = load(partition, in, ring.version());
      loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    }
    Replica replica = held.replica;
    try (RingAllReduce allReduce = RingAllReduce.open(partition, replicas, host, ring.token(), allGather)) {
      for (int first = ring.firstStep(); first < ring.lastStep(); first += ring.syncEvery()) {
        int last = Math.min(ring.lastStep(), first + ring.syncEvery());
        long start = System.nanoTime();
        RoundResult result;
        float[] change;
        long computeEnd;
        synchronized (ExecutorReplicas.LOCK) {
          if (first > ring.firstStep()) {
            replica.setParameters(held.base);
          }
          result = steps(replica, shard, order, epoch, partition, first, last);
          computeEnd = System.nanoTime();
          change = replica.parameters();
        }
        for (int i = 0; i < change.length; i++) {
          change[i] -= held.base[i];
        }
        allReduce.average(change, ring.half());
        RoundResult.add(held.base, change); // the same bits in every replica
        result.collectSeconds = (System.nanoTime() - computeEnd) / 1e9;
        result.loadSeconds = first == ring.firstStep() ? loadSeconds : 0;
        result.seconds = (System.nanoTime() - start) / 1e9 + result.loadSeconds;
        out.rounds.add(result);
      }
    }
    synchronized (ExecutorReplicas.LOCK) {
      replica.setParameters(held.base);
      held.version = ring.version() + ring.rounds();
      if (ring.epochEnd()) {
        out.optimizerStates = states(partition, replica);
      }
    }
    if (ring.epochEnd() && partition == 0) {
      out.weights = PackedFloats.of(held.base);
    }
    return List.of(out).iterator();
  }

  /** The order this partition draws its shard in during {@code epoch}. */
  private int[] order(List<TensorShards.Sample> shard, int epoch, int partition) {
    int[] labels = shard.stream().mapToInt(TensorShards.Sample::label).toArray();
    return sampling.epoch(labels, classes, new Random(mix(seed, epoch, partition)));
  }

  /**
   * The partition's resident replica, holding the driver's broadcast weights (and a checkpoint's optimizer state)
   * when the round brings them; else it must hold those after round {@code version}. The caller holds the lock.
   */
  private ExecutorReplicas.Held load(int partition, Inputs in, long version) {
    ExecutorReplicas.Held held = ExecutorReplicas.get(job, partition, spec, threads);
    Replica replica = held.replica;
    if (in.all() != null) {
      held.base = in.all().value().toArray(); // a copy: the broadcast value is shared within this JVM
      replica.setParameters(held.base);
      OptimizerState saved = in.restore() == null ? null : in.restore().value().get(partition);
      if (saved != null) {
        replica.setOptimizerState(saved.values().toArray(), saved.steps());
      }
    } else if (held.version != version) {
      throw new IllegalStateException(STALE + ": replica " + partition + " holds round " + held.version
          + ", not " + version);
    }
    return held;
  }

  /** Steps {@code first..last-1} of {@code epoch} on the replica, on batches drawn from the shard in {@code order}. */
  private RoundResult steps(Replica replica, List<TensorShards.Sample> shard, int[] order, int epoch, int partition,
      int first, int last) {
    Augmentation aug = new Augmentation(augmentation, maxRotation);
    double lossSum = 0;
    long images = 0;
    long computeStart = System.nanoTime();
    float[] x = new float[batch * patch * patch];
    for (int step = first; step < last; step++) {
      Random random = new Random(mix(seed, epoch, partition, step));
      List<TensorShards.Sample> picked = new ArrayList<>(batch);
      for (int j = 0; j < batch; j++) {
        picked.add(shard.get(order[(int) (((long) step * batch + j) % order.length)]));
      }
      replica.scaleLearningRate(schedule.factor((long) (epoch - 1) * stepsPerEpoch + step,
          (long) maxEpochs * stepsPerEpoch));
      lossSum += replica.step(x, batch(picked, aug, random, x));
      images += batch;
    }
    return new RoundResult(lossSum, last - first, images, (System.nanoTime() - computeStart) / 1e9);
  }

  private static HashMap<Integer, OptimizerState> states(int partition, Replica replica) {
    return new HashMap<>(Map.of(partition,
        new OptimizerState(replica.optimizerSteps(), PackedFloats.of(replica.optimizerState()))));
  }

  /**
   * Writes the augmented images of {@code picked} into {@code x} and returns what they are trained against: their
   * classes, their boxes moved with the image and assigned to the detector's grid, or their masks moved with it.
   */
  private BatchTargets batch(List<TensorShards.Sample> picked, Augmentation aug, Random random, float[] x) {
    int side = spec.inputSize();
    int n = picked.size();
    if (spec.task() == TaskType.DETECTION) {
      List<CenterTargets> targets = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        TensorShards.Sample s = picked.get(j);
        Augmentation.Moved moved = aug.apply(s.pixels(), side, s.boxes(), random);
        System.arraycopy(moved.image(), 0, x, j * side * side, side * side);
        targets.add(CenterTargets.assign(CenterTargets.Box.of(moved.boxes()), side, DetectorNet.STRIDE));
      }
      return new BatchTargets.Boxes(targets, spec.classes());
    }
    if (spec.task() == TaskType.SEGMENTATION) {
      List<byte[]> masks = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        TensorShards.Sample s = picked.get(j);
        Augmentation.Masked moved = aug.apply(s.pixels(), side, s.mask(), random);
        if (patch == side) {
          System.arraycopy(moved.image(), 0, x, j * side * side, side * side);
          masks.add(moved.mask());
        } else {
          int[] corner = Patches.corner(moved.mask(), side, patch, random);
          System.arraycopy(Patches.cut(moved.image(), side, patch, corner), 0, x, j * patch * patch, patch * patch);
          masks.add(Patches.cut(moved.mask(), side, patch, corner));
        }
      }
      return new BatchTargets.Masks(masks, patch);
    }
    int[] y = new int[n];
    for (int j = 0; j < n; j++) {
      TensorShards.Sample s = picked.get(j);
      System.arraycopy(aug.apply(s.pixels(), side, random), 0, x, j * side * side, side * side);
      y[j] = s.label();
    }
    return new BatchTargets.Classes(y);
  }

  private static void collect(RoundResult result, ExecutorReplicas.Held held, Replica replica, Round round) {
    if (round.collect() && round.deltas()) {
      float[] now = replica.parameters();
      for (int i = 0; i < now.length; i++) {
        now[i] -= held.base[i];
      }
      if (round.half()) {
        result.delta = Half.encode(now);
      } else {
        result.packedDelta = PackedFloats.of(now);
      }
    } else if (round.collect()) {
      result.weights = PackedFloats.of(replica.parameters());
    }
  }

  /** A well-mixed seed from {@code values} (the run's seed, epoch, partition, step). */
  static long mix(long... values) {
    long h = 0x9E3779B97F4A7C15L;
    for (long v : values) {
      h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
      h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
      h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
      h ^= h >>> 31;
    }
    return h;
  }
}
