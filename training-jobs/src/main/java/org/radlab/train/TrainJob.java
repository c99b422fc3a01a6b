package org.radlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.launch.NativeMemory;
import org.radlab.core.metrics.Auc;
import org.radlab.core.metrics.ConfusionMatrix;
import org.radlab.core.metrics.Kappa;
import org.radlab.core.model.Augmentation;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;
import org.radlab.core.model.Sampling;

/**
 * Synchronous data-parallel training of one classifier across Spark executors.
 *
 * <p>The training tensors are cached in one partition per replica. Each round broadcasts the current weights; every
 * replica (resident in its executor between rounds) loads them, takes {@code syncEvery} optimizer steps on batches
 * from its own shard, and returns its weights; the driver averages them with {@code treeAggregate}. After each epoch
 * the driver validates the averaged model on the held-out patients, keeps the best weights, writes a checkpoint and
 * {@code model.json}, and appends progress to {@code jobs/<id>/progress}.
 *
 * <p>Runs under {@code spark-submit --class org.radlab.train.TrainJob app.jar config.json} or
 * {@code radlab train --config FILE}. Re-running a job whose model folder holds a checkpoint resumes after the last
 * finished epoch. A file {@code jobs/<id>/cancel} (or SIGTERM) stops it after the current round, leaving the best
 * weights so far and a {@code model.json} with status {@code cancelled}.
 */
public final class TrainJob {
  static final String WEIGHTS = "weights.params";
  static final String CHECKPOINT_DIR = Checkpoint.DIR;
  /**
   * Spark setting that fixes the number of replicas (default: one per executor, one in local mode). Replicas beyond
   * the executors take turns in a JVM; in local mode they all do, which checks the averaging on one machine.
   */
  static final String REPLICAS = "spark.radlab.train.replicas";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainJob() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: TrainJob CONFIG.json   (see docs/training.md for the fields)");
      System.exit(2);
    }
    TrainConfig config = TrainConfig.read(Path.of(args[0]));
    sparkDefaults();
    SparkSession spark = SparkSession.builder().appName("radlab-train").getOrCreate();
    try {
      ModelCard card = run(spark, config);
      System.out.println(ModelCard.JSON.writeValueAsString(card));
      System.exit("failed".equals(card.status()) ? 1 : 0);
    } finally {
      spark.stop();
    }
  }

  /**
   * Spark settings for a training run, unless the submitter chose them. For the weights a round broadcasts: the
   * whole weights in one broadcast block (ResNet-18's 45 MB would otherwise be twelve fetches of 4 MB), and neither
   * compression nor a checksum, which cost time on every round and save nothing on incompressible floats. For the
   * changes the replicas send back: no 1 GB limit on a round's results (two VGG-16 replicas send 1.1 GB). For the
   * executors, which run the replicas: the allocator settings of {@link NativeMemory}. Set as system properties,
   * which the SparkContext created next reads; a running context keeps its settings.
   */
  static void sparkDefaults() {
    for (String[] kv : new String[][] {{"spark.broadcast.blockSize", "64m"}, {"spark.broadcast.compress", "false"},
        {"spark.broadcast.checksum", "false"}, {"spark.driver.maxResultSize", "0"}}) {
      if (System.getProperty(kv[0]) == null) {
        System.setProperty(kv[0], kv[1]);
      }
    }
    NativeMemory.executorDefault();
  }

  /** Trains (or resumes) the model the config describes and returns its final {@code model.json}. */
  public static ModelCard run(SparkSession spark, TrainConfig cfg) throws IOException {
    return new Run(spark, cfg).execute();
  }

  /** One training run's state on the driver. */
  private static final class Run {
    private final SparkSession spark;
    private final TrainConfig cfg;
    private final Path out;
    private final Path cancelFile;
    private final TrainProgress progress;
    private final long started = System.nanoTime();
    private final String createdAt = Instant.now().toString();
    private final List<ModelCard.EpochStats> curves = new ArrayList<>();
    private volatile boolean cancelRequested;
    /** Rounds run so far; a replica holding the weights after round {@code n} is at version {@code n}. */
    private long version;
    /** Whether the next round must broadcast the driver's weights (start, resume, a lost replica). */
    private boolean send;
    /** The driver's copy of the current weights (what the replicas hold at the start of the next round). */
    private float[] weights;
    /** The averaged change of the last round, which the replicas have yet to apply: fp16, or else fp32. */
    private short[] update;
    private float[] updateFloat;
    /** Each replica's optimizer state at the end of the last epoch, by partition (written with the checkpoint). */
    private Map<Integer, OptimizerState> epochStates = Map.of();
    /** Optimizer states from a checkpoint, for the replicas of the first round after a resume; else null. */
    private Map<Integer, OptimizerState> resumeStates;
    private int bestEpoch;
    private double bestScore = Double.NaN;
    private ModelCard.Validation bestValidation;
    private TrainingSet set;
    private ModelCard.Preprocessing preprocessing;
    private int replicas;
    private long parameterCount;
    private String labelsSha;

    Run(SparkSession spark, TrainConfig cfg) throws IOException {
      this.spark = spark;
      this.cfg = cfg;
      this.out = Path.of(cfg.output());
      this.cancelFile = cfg.jobDir().resolve("cancel");
      this.progress = new TrainProgress(cfg.jobDir());
      Files.createDirectories(out.resolve(CHECKPOINT_DIR));
    }

    ModelCard execute() throws IOException {
      if (!Files.exists(out.resolve(CHECKPOINT_DIR).resolve(Checkpoint.STATE))) {
        progress.reset();
      }
      Files.deleteIfExists(cancelFile); // a request aimed at an earlier run of this job

      Thread hook = new Thread(() -> cancelRequested = true, "radlab-train-cancel");
      Runtime.getRuntime().addShutdownHook(hook);
      JavaRDD<TensorShards.Sample> shards = null;
      Replica global = null;
      String status = "failed";
      String message = null;
      try {
        set = TrainingSet.build(spark, cfg);
        labelsSha = sha256(Path.of(cfg.labels()));
        preprocessing = preprocessing();
        replicas = replicaCount(spark);
        int threads = threadsPerReplica(spark.sparkContext());
        ObjectNode start = progress.event("start");
        start.put("trainImages", set.train.size());
        start.put("validationImages", set.validation.size());
        start.put("replicas", replicas);
        start.put("threadsPerReplica", threads);
        progress.write(start, String.format("%d training images (%d studies), %d validation images (%d studies); "
                + "%d replica(s), %d thread(s) each", set.train.size(), sum(set.trainStudiesPerClass),
            set.validation.size(), sum(set.validationStudiesPerClass), replicas, threads));

        var pre = new org.radlab.core.model.Preprocessing(cfg.inputSize(), preprocessing.mean(), preprocessing.std());
        shards = TensorShards.load(spark, cfg.dataset(), set.train, replicas, pre);
        List<TensorShards.Sample> validation = TensorShards.collect(spark, cfg.dataset(), set.validation, pre);

        Replica.Spec spec = new Replica.Spec(cfg.architecture(), cfg.width(), cfg.classes().size(), cfg.inputSize(),
            cfg.loss(), cfg.focalAlpha(), cfg.focalGamma(), cfg.optimizer(), cfg.learningRate(), cfg.seed());
        org.radlab.core.model.TorchSetup.useThreads(threads);
        global = new Replica(spec);
        parameterCount = org.radlab.core.model.Architecture.trainableParameters(global.block());
        if (cfg.init().equals("pretrained")) {
          Pretrained.load(global, cfg);
        }
        int firstEpoch = resume(global) + 1;
        status = train(shards, validation, global, spec, threads, firstEpoch);
      } catch (RuntimeException | IOException e) {
        if (cancelRequested) {
          status = "cancelled";
        } else {
          message = e.getMessage() == null ? e.toString() : e.getMessage();
          throw e;
        }
      } finally {
        try {
          ModelCard card = card(status, message);
          card.write(out.resolve(ModelCard.FILE));
          ObjectNode done = progress.event("finished");
          done.put("status", status);
          done.put("bestEpoch", bestEpoch);
          if (message != null) {
            done.put("message", message);
          }
          progress.write(done, "finished: " + status + (bestEpoch > 0 ? ", best epoch " + bestEpoch : "")
              + (message != null ? ": " + message : ""));
          if (shards != null) {
            releaseReplicas(shards, cfg.jobId());
            shards.unpersist(false);
          }
          if (global != null) {
            global.close();
          }
          ExecutorReplicas.release(cfg.jobId());
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting; the hook has run
          }
        }
      }
      return ModelCard.read(out.resolve(ModelCard.FILE));
    }

    private String train(JavaRDD<TensorShards.Sample> shards, List<TensorShards.Sample> validation, Replica global,
        Replica.Spec spec, int threads, int firstEpoch) throws IOException {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int stepsPerEpoch = (set.train.size() + cfg.batchSize() - 1) / cfg.batchSize();
      int perReplica = Math.max(1, (cfg.batchSize() + replicas - 1) / replicas);
      int sinceBest = curves.isEmpty() ? 0 : curves.size() - bestEpoch;
      RoundTask task = new RoundTask(cfg.jobId(), spec, threads, cfg.seed(), cfg.sampling(), cfg.augmentation(),
          cfg.maxRotation(), cfg.classes().size(), perReplica);
      send = true; // the replicas start from the driver's weights
      weights = global.parameters();
      update = null;
      updateFloat = null;
      for (int epoch = firstEpoch; epoch <= cfg.maxEpochs(); epoch++) {
        long epochStart = System.nanoTime();
        double lossSum = 0;
        long steps = 0;
        long images = 0;
        for (int first = 0; first < stepsPerEpoch; first += cfg.syncEvery()) {
          if (cancelRequested || Files.exists(cancelFile)) {
            cancelRequested = true;
            return "cancelled";
          }
          int last = Math.min(stepsPerEpoch, first + cfg.syncEvery());
          long roundStart = System.nanoTime();
          // One replica has nothing to average with: it keeps its own weights between rounds and hands them over
          // only at the end of the epoch. Several replicas send their change (fp16) every round; the driver
          // averages the changes and broadcasts the average (fp16) with the next round.
          boolean collect = replicas > 1 || last == stepsPerEpoch;
          RoundResult r;
          try {
            r = runRound(jsc, shards, task, epoch, first, last, send, collect, last == stepsPerEpoch);
          } catch (Exception e) { // Spark's job failures arrive as SparkException, a checked exception
            if (!String.valueOf(e.getMessage()).contains(RoundTask.STALE) || send) {
              if (e instanceof RuntimeException re) {
                throw re;
              }
              throw new IllegalStateException(e.getMessage(), e);
            }
            // a replica was lost with its executor: every replica restarts from the driver's weights
            progress.write(progress.event("replica_restart"), "a replica lost its state; restarting the replicas"
                + " from the weights of the last synchronization");
            r = runRound(jsc, shards, task, epoch, first, last, true, collect, last == stepsPerEpoch);
          }
          send = false;
          resumeStates = null;
          if (r == null || r.replicas == 0) {
            throw new IllegalStateException("no replica reported back in epoch " + epoch);
          }
          if (r.optimizerStates != null) {
            epochStates = r.optimizerStates;
          }
          if (r.weights != null) {
            weights = r.weights.toArray();
            update = null;
            updateFloat = null;
          } else if (r.hasDelta()) {
            float[] mean = divide(r.deltaSum(), r.replicas);
            if (cfg.halfPrecisionUpdates()) {
              update = org.radlab.core.model.Half.encode(mean);
              org.radlab.core.model.Half.addTo(weights, update); // exactly what each replica will add
            } else {
              update = null;
              updateFloat = mean;
              add(weights, mean); // exactly what each replica will add
            }
          }
          version++;
          lossSum += r.lossSum;
          steps += r.steps;
          images += r.images;
          double seconds = (System.nanoTime() - roundStart) / 1e9;
          double elapsedEpoch = (System.nanoTime() - epochStart) / 1e9;
          double perStep = elapsedEpoch / last;
          long remainingSteps = (long) (cfg.maxEpochs() - epoch) * stepsPerEpoch + (stepsPerEpoch - last);
          ObjectNode ev = progress.event("step");
          ev.put("epoch", epoch);
          ev.put("step", last);
          ev.put("steps", stepsPerEpoch);
          ev.put("loss", r.lossSum / Math.max(1, r.steps));
          ev.put("imagesPerSecond", r.images / seconds);
          ev.put("roundSeconds", seconds);
          ev.put("computeSeconds", r.computeSeconds);
          ev.put("loadSeconds", r.loadSeconds);
          ev.put("collectSeconds", r.collectSeconds);
          // the rest of the round: weights out, weights back, averaging, scheduling
          ev.put("syncShare", Math.max(0, 1 - r.computeSeconds / seconds));
          ev.put("etaSeconds", Math.round(remainingSteps * perStep));
          progress.write(ev, null);
        }
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        global.setParameters(weights);
        Evaluation v = validate(global, validation);
        ModelCard.EpochStats stats = new ModelCard.EpochStats(epoch, lossSum / Math.max(1, steps), v.loss, v.kappa,
            v.auc, v.accuracy, round(epochSeconds), round(images / epochSeconds));
        curves.add(stats);
        double score = switch (cfg.monitor()) {
          case "auc" -> v.auc;
          case "loss" -> -v.loss;
          default -> v.kappa;
        };
        boolean improved = bestEpoch == 0 || Double.isNaN(bestScore) && !Double.isNaN(score) || score > bestScore;
        if (improved) {
          bestEpoch = epoch;
          bestScore = score;
          bestValidation = v.summary();
          sinceBest = 0;
        } else {
          sinceBest++;
        }
        checkpoint(global, epoch);
        if (improved) { // from the checkpoint just committed, so weights.params never runs ahead of it
          DurableFiles.copy(out.resolve(CHECKPOINT_DIR).resolve(Checkpoint.weightsFile(epoch)), out.resolve(WEIGHTS));
        }
        card("training", null).write(out.resolve(ModelCard.FILE));
        ObjectNode ev = progress.event("epoch");
        ev.put("epoch", epoch);
        ev.put("trainLoss", stats.trainLoss());
        ev.put("validationLoss", v.loss);
        ev.put("kappa", v.kappa);
        ev.put("auc", v.auc);
        ev.put("accuracy", v.accuracy);
        ev.put("best", improved);
        progress.write(ev, String.format("epoch %d/%d: train loss %.4f, validation loss %.4f, kappa %.3f, AUC %.3f%s"
                + " (%.1f s, %.1f images/s)", epoch, cfg.maxEpochs(), stats.trainLoss(), v.loss, v.kappa, v.auc,
            improved ? ", best so far" : "", epochSeconds, images / epochSeconds));
        if (cfg.earlyStopping() && sinceBest >= cfg.patience()) {
          return "stopped_early";
        }
      }
      return "completed";
    }

    /**
     * One round as one Spark job: each replica takes steps {@code first..last-1}. With {@code sendAll} it first loads
     * the driver's weights; else it must hold those of the previous round ({@link #version}) and applies the
     * pending {@link #update}. With {@code collect} it returns its change (several replicas) or its weights (one);
     * with {@code states}, also its optimizer state. A first round after a resume hands out {@link #resumeStates}.
     */
    private RoundResult runRound(JavaSparkContext jsc, JavaRDD<TensorShards.Sample> shards, RoundTask task,
        int epoch, int first, int last, boolean sendAll, boolean collect, boolean states) {
      Broadcast<PackedFloats> all = sendAll ? jsc.broadcast(PackedFloats.of(weights)) : null;
      Broadcast<short[]> change = !sendAll && update != null ? jsc.broadcast(update) : null;
      Broadcast<PackedFloats> changeFloat =
          !sendAll && updateFloat != null ? jsc.broadcast(PackedFloats.of(updateFloat)) : null;
      Broadcast<Map<Integer, OptimizerState>> restore =
          sendAll && resumeStates != null ? jsc.broadcast(resumeStates) : null;
      long v = version;
      boolean deltas = replicas > 1;
      boolean half = cfg.halfPrecisionUpdates();
      try {
        jsc.setJobGroup("radlab-train-" + cfg.jobId(), "epoch " + epoch + ", steps " + (first + 1) + "-" + last, true);
        return shards.mapPartitionsWithIndex((partition, it) ->
                task.run(partition, it, new Inputs(all, change, changeFloat, restore), v, epoch, first, last,
                    collect, deltas, half, states), true)
            .treeAggregate(null, RoundResult::merge, RoundResult::merge);
      } finally {
        if (all != null) {
          all.destroy();
        }
        if (change != null) {
          change.destroy();
        }
        if (changeFloat != null) {
          changeFloat.destroy();
        }
        if (restore != null) {
          restore.destroy();
        }
      }
    }

    /** Study-level validation: each study's probabilities are the mean over its images. */
    private Evaluation validate(Replica model, List<TensorShards.Sample> validation) {
      int classes = cfg.classes().size();
      int side = cfg.inputSize();
      Map<String, double[]> studyProbabilities = new LinkedHashMap<>();
      Map<String, Integer> studyImages = new LinkedHashMap<>();
      Map<String, Integer> studyLabel = new LinkedHashMap<>();
      Map<String, String> studyOf = new LinkedHashMap<>();
      set.validation.forEach(e -> studyOf.put(e.imageId(), e.studyUid()));
      double lossSum = 0;
      int batch = 32;
      for (int from = 0; from < validation.size(); from += batch) {
        List<TensorShards.Sample> part = validation.subList(from, Math.min(validation.size(), from + batch));
        float[] x = new float[part.size() * side * side];
        int[] y = new int[part.size()];
        for (int i = 0; i < part.size(); i++) {
          System.arraycopy(part.get(i).pixels(), 0, x, i * side * side, side * side);
          y[i] = part.get(i).label();
        }
        Replica.Evaluation batchResult = model.evaluate(x, y);
        float[][] p = batchResult.probabilities();
        lossSum += (double) batchResult.loss() * part.size();
        for (int i = 0; i < part.size(); i++) {
          String study = studyOf.get(part.get(i).imageId());
          double[] acc = studyProbabilities.computeIfAbsent(study, k -> new double[classes]);
          for (int c = 0; c < classes; c++) {
            acc[c] += p[i][c];
          }
          studyImages.merge(study, 1, Integer::sum);
          studyLabel.put(study, y[i]);
        }
      }
      int n = studyProbabilities.size();
      double[][] probs = new double[n][];
      int[] reference = new int[n];
      int[] predicted = new int[n];
      int i = 0;
      for (var e : studyProbabilities.entrySet()) {
        double[] p = e.getValue();
        int count = studyImages.get(e.getKey());
        int arg = 0;
        for (int c = 0; c < classes; c++) {
          p[c] /= count;
          if (p[c] > p[arg]) {
            arg = c;
          }
        }
        probs[i] = p;
        reference[i] = studyLabel.get(e.getKey());
        predicted[i] = arg;
        i++;
      }
      ConfusionMatrix cm = ConfusionMatrix.of(reference, predicted, classes);
      double auc;
      if (classes == 2) {
        double[] s = new double[n];
        boolean[] pos = new boolean[n];
        for (int k = 0; k < n; k++) {
          s[k] = probs[k][1];
          pos[k] = reference[k] == 1;
        }
        auc = Auc.binary(s, pos);
      } else {
        auc = Auc.macroOneVsRest(probs, reference, classes);
      }
      return new Evaluation(n, Kappa.of(cm, Kappa.Weighting.LINEAR), auc, cm.accuracy(),
          lossSum / Math.max(1, validation.size()), cm);
    }

    /** Restores the last checkpoint of this model folder, if any; returns the last finished epoch (0 if none). */
    private int resume(Replica global) throws IOException {
      Checkpoint.Saved saved = Checkpoint.read(out.resolve(CHECKPOINT_DIR));
      if (saved == null) {
        return 0;
      }
      JsonNode s = saved.state();
      TrainConfig savedConfig = JSON.treeToValue(s.get("config"), TrainConfig.class);
      if (!sameTraining(savedConfig, cfg)) {
        throw new IllegalArgumentException("the model folder " + out + " holds a checkpoint of a different"
            + " training config; choose another output folder or job id");
      }
      try (InputStream in = Files.newInputStream(saved.weights())) {
        global.load(in);
      }
      for (JsonNode c : s.get("curves")) {
        curves.add(JSON.treeToValue(c, ModelCard.EpochStats.class));
      }
      bestEpoch = s.get("bestEpoch").asInt();
      bestScore = s.get("bestScore").isNull() ? Double.NaN : s.get("bestScore").asDouble();
      if (s.hasNonNull("bestValidation")) {
        bestValidation = JSON.treeToValue(s.get("bestValidation"), ModelCard.Validation.class);
      }
      if (saved.best() != null) { // a run stopped between the checkpoint and publishing its best weights
        DurableFiles.copy(saved.best(), out.resolve(WEIGHTS));
      }
      int epoch = saved.epoch();
      resumeStates = new HashMap<>(saved.optimizerStates());
      epochStates = resumeStates;
      ObjectNode ev = progress.event("resume");
      ev.put("epoch", epoch);
      ev.put("optimizerStates", resumeStates.size());
      progress.write(ev, "resuming after epoch " + epoch + " from " + saved.weights() + (resumeStates.isEmpty()
          ? " (no optimizer state saved: the optimizer starts afresh)"
          : " with the optimizer state of " + resumeStates.size() + " replica(s)"));
      return epoch;
    }

    private void checkpoint(Replica global, int epoch) throws IOException {
      ObjectNode s = JSON.createObjectNode();
      s.put("epoch", epoch);
      s.set("config", JSON.valueToTree(cfg));
      s.set("curves", JSON.valueToTree(curves));
      s.put("bestEpoch", bestEpoch);
      if (Double.isNaN(bestScore)) {
        s.putNull("bestScore");
      } else {
        s.put("bestScore", bestScore);
      }
      s.set("bestValidation", JSON.valueToTree(bestValidation));
      Checkpoint.write(out.resolve(CHECKPOINT_DIR), epoch, bestEpoch, global, s, epochStates);
    }

    private ModelCard card(String status, String message) {
      return new ModelCard(cfg.jobId(), status, cfg.architecture(), cfg.width(), cfg.classes(), parameterCount,
          bestEpoch > 0 ? WEIGHTS : null, preprocessing, cfg.dataset(), cfg.labels(), labelsSha,
          set == null ? null : set.trainStudiesPerClass, set == null ? null : set.validationStudiesPerClass,
          set == null ? 0 : set.train.size(), set == null ? 0 : set.validation.size(), replicas,
          List.copyOf(curves), bestEpoch, bestValidation, message, createdAt, Instant.now().toString(),
          round((System.nanoTime() - started) / 1e9), cfg);
    }

    private ModelCard.Preprocessing preprocessing() throws IOException {
      Path summary = Path.of(cfg.dataset()).resolve(DatasetLayout.SUMMARY);
      if (!Files.exists(summary)) {
        throw new IllegalArgumentException("dataset " + cfg.dataset() + " has no " + DatasetLayout.SUMMARY
            + " (prepare it with radlab prep first)");
      }
      JsonNode s = JSON.readTree(summary.toFile());
      double mean = s.path("tensorMean").asDouble(0);
      double std = s.path("tensorStd").asDouble(1);
      int side = spark.read().parquet(TensorShards.tensorsPath(cfg.dataset())).select("side").first().getInt(0);
      if (cfg.inputSize() > side) {
        throw new IllegalArgumentException("inputSize " + cfg.inputSize() + " is larger than the dataset's tensors ("
            + side + "); prepare the dataset with --tensor-side " + cfg.inputSize() + " or more");
      }
      return new ModelCard.Preprocessing(cfg.inputSize(), side, mean, std);
    }
  }

  /** Same model and data: everything but the epoch budget, early stopping and the job's bookkeeping. */
  static boolean sameTraining(TrainConfig a, TrainConfig b) {
    return normalize(a).equals(normalize(b));
  }

  /** {@code values[i] /= by}, in place; returns {@code values}. */
  private static float[] divide(float[] values, int by) {
    for (int i = 0; i < values.length; i++) {
      values[i] /= by;
    }
    return values;
  }

  /** {@code target[i] += values[i]}. (Small methods: the JIT compiles and vectorizes their loops early.) */
  private static void add(float[] target, float[] values) {
    for (int i = 0; i < target.length; i++) {
      target[i] += values[i];
    }
  }

  private static TrainConfig normalize(TrainConfig c) {
    try {
      return c.with("{\"maxEpochs\":1,\"earlyStopping\":false,\"patience\":1,\"jobId\":\"x\",\"output\":\"x\"}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A round on one partition: load the broadcast weights, take the round's steps on this shard, send back. */
  private record RoundTask(String job, Replica.Spec spec, int threads, long seed, String sampling,
      String augmentation, double maxRotation, int classes, int batch) implements Serializable {
    /** Marks the failure of a round whose replica no longer holds the previous round's weights. */
    static final String STALE = "radlab-replica-stale";

    java.util.Iterator<RoundResult> run(int partition, java.util.Iterator<TensorShards.Sample> it,
        Inputs in, long version, int epoch, int firstStep, int lastStep, boolean collect, boolean deltas,
        boolean half, boolean states) {
      Broadcast<PackedFloats> all = in.all();
      Broadcast<short[]> change = in.change();
      Broadcast<PackedFloats> changeFloat = in.changeFloat();
      List<TensorShards.Sample> shard = new ArrayList<>();
      it.forEachRemaining(shard::add);
      if (shard.isEmpty()) {
        return java.util.Collections.emptyIterator();
      }
      int side = spec.inputSize();
      int[] labels = shard.stream().mapToInt(TensorShards.Sample::label).toArray();
      int[] order = Sampling.parse(sampling).epoch(labels, classes, new Random(mix(seed, epoch, partition)));
      Augmentation aug = new Augmentation(Augmentation.Kind.parse(augmentation), maxRotation);
      synchronized (ExecutorReplicas.LOCK) {
        long loadStart = System.nanoTime();
        ExecutorReplicas.Held held = ExecutorReplicas.get(job, partition, spec, threads);
        Replica replica = held.replica;
        if (all != null) {
          held.base = all.value().toArray(); // a copy: the broadcast value is shared within this JVM
          replica.setParameters(held.base);
          OptimizerState saved = in.restore() == null ? null : in.restore().value().get(partition);
          if (saved != null) {
            replica.setOptimizerState(saved.values().toArray(), saved.steps());
          }
        } else if (held.version != version) {
          throw new IllegalStateException(STALE + ": replica " + partition + " holds round " + held.version
              + ", not " + version);
        } else if (change != null) {
          org.radlab.core.model.Half.addTo(held.base, change.value());
          replica.setParameters(held.base);
        } else if (changeFloat != null) {
          changeFloat.value().addTo(held.base);
          replica.setParameters(held.base);
        }
        double lossSum = 0;
        long images = 0;
        long computeStart = System.nanoTime();
        float[] x = new float[batch * side * side];
        int[] y = new int[batch];
        for (int step = firstStep; step < lastStep; step++) {
          Random random = new Random(mix(seed, epoch, partition, step));
          for (int j = 0; j < batch; j++) {
            TensorShards.Sample s = shard.get(order[(int) (((long) step * batch + j) % order.length)]);
            System.arraycopy(aug.apply(s.pixels(), side, random), 0, x, j * side * side, side * side);
            y[j] = s.label();
          }
          lossSum += replica.step(x, y);
          images += batch;
        }
        long computeEnd = System.nanoTime();
        double compute = (computeEnd - computeStart) / 1e9;
        held.version = version + 1;
        RoundResult result = new RoundResult(lossSum, lastStep - firstStep, images, compute);
        result.loadSeconds = (computeStart - loadStart) / 1e9;
        try {
          collect(result, held, replica, collect, deltas, half);
          if (states) {
            result.optimizerStates = new HashMap<>(Map.of(partition,
                new OptimizerState(replica.optimizerSteps(), PackedFloats.of(replica.optimizerState()))));
          }
        } finally {
          result.collectSeconds = (System.nanoTime() - computeEnd) / 1e9;
        }
        return List.of(result).iterator();
      }
    }

    private static void collect(RoundResult result, ExecutorReplicas.Held held, Replica replica, boolean collect,
        boolean deltas, boolean half) {
      if (collect && deltas) {
        float[] now = replica.parameters();
        for (int i = 0; i < now.length; i++) {
          now[i] -= held.base[i];
        }
        if (half) {
          result.delta = org.radlab.core.model.Half.encode(now);
        } else {
          result.packedDelta = PackedFloats.of(now);
        }
      } else if (collect) {
        result.weights = PackedFloats.of(replica.parameters());
      }
    }
  }

  /** The broadcasts a round's task reads: all weights, or the pending change (fp16 or fp32); optimizer states. */
  private record Inputs(Broadcast<PackedFloats> all, Broadcast<short[]> change, Broadcast<PackedFloats> changeFloat,
      Broadcast<Map<Integer, OptimizerState>> restore) implements Serializable {}

  /** One replica's optimizer state (see {@link Replica#optimizerState()}) and its step count. */
  record OptimizerState(int steps, PackedFloats values) implements Serializable {}

  /** What the replicas of one round send back, added up. */
  static final class RoundResult implements Serializable {
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
        org.radlab.core.model.Half.addTo(deltaSum, delta);
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
          org.radlab.core.model.Half.addTo(sum, b.delta);
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
      return a;
    }
  }

  private record Evaluation(int studies, double kappa, double auc, double accuracy, double loss,
      ConfusionMatrix matrix) {
    ModelCard.Validation summary() {
      return new ModelCard.Validation(studies, kappa, auc, accuracy, loss, matrix.counts());
    }
  }

  /**
   * The number of replicas: {@value #REPLICAS} when the submitter set it, else one per executor, and 1 in local mode
   * (one JVM).
   */
  static int replicaCount(SparkSession spark) {
    String set = spark.conf().get(REPLICAS, "");
    if (!set.isBlank()) {
      int n;
      try {
        n = Integer.parseInt(set.trim());
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException(REPLICAS + " must be a whole number from 1 to 1024, not '" + set + "'");
      }
      return n;
    }
    SparkContext sc = spark.sparkContext();
    if (sc.isLocal()) {
      return 1;
    }
    long deadline = System.currentTimeMillis() + 60_000;
    int executors = sc.getExecutorMemoryStatus().size() - 1;
    while (executors < 1 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      executors = sc.getExecutorMemoryStatus().size() - 1;
    }
    if (executors < 1) {
      throw new IllegalStateException("no executor registered with the driver within 60 s");
    }
    return executors;
  }

  /**
   * Threads for each replica: the local master's threads, else {@code spark.executor.cores}, else the fewest cores
   * any registered executor has (a standalone executor takes its worker's cores without setting the property).
   * More libtorch threads than cores oversubscribes the machine, which costs far more than it gains.
   */
  static int threadsPerReplica(SparkContext sc) {
    if (sc.isLocal()) {
      return Math.max(1, sc.defaultParallelism());
    }
    if (sc.getConf().contains("spark.executor.cores")) {
      return Math.max(1, sc.getConf().getInt("spark.executor.cores", 1));
    }
    int fewest = Integer.MAX_VALUE;
    scala.collection.Iterator<org.apache.spark.status.api.v1.ExecutorSummary> it =
        sc.statusStore().executorList(true).iterator();
    while (it.hasNext()) {
      org.apache.spark.status.api.v1.ExecutorSummary e = it.next();
      if (!"driver".equals(e.id()) && e.totalCores() > 0) {
        fewest = Math.min(fewest, e.totalCores());
      }
    }
    return fewest == Integer.MAX_VALUE ? 1 : fewest;
  }

  /** Frees the executors' replicas of this job (best effort: they go with their executors anyway). */
  private static void releaseReplicas(JavaRDD<TensorShards.Sample> shards, String job) {
    try {
      shards.foreachPartition(it -> ExecutorReplicas.release(job));
    } catch (RuntimeException e) {
      System.err.println("train: could not free the executors' model replicas: " + e.getMessage());
    }
  }

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

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int sum(int[] a) {
    int s = 0;
    for (int v : a) {
      s += v;
    }
    return s;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
