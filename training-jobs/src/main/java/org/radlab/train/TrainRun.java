package org.radlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Architecture;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Preprocessing;
import org.radlab.core.model.Replica;
import org.radlab.core.model.TorchSetup;

/**
 * One training run on the driver, from start to {@code model.json}: it splits the data, reads the dataset's
 * preprocessing, sizes the replicas to the cluster, caches the shards, builds the driver's model (pretrained or
 * fresh), resumes from the model folder's checkpoint if there is one, and hands over to the {@link EpochLoop}.
 * Whatever happens, it then writes the final {@code model.json} and the {@code finished} event, and frees the shards
 * and the replicas. It owns the facts the model card reports about the run.
 */
final class TrainRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FAILED = "failed";

  private final SparkSession spark;
  private final TrainConfig cfg;
  private final Path out;
  private final TrainProgress progress;
  private final long started = System.nanoTime();
  private final String createdAt = Instant.now().toString();
  private final EpochHistory history;
  private TrainingSet set;
  private Preprocessing preprocessing;
  private ClusterShape shape;
  private long parameterCount;
  private String labelsSha;

  TrainRun(SparkSession spark, TrainConfig cfg) throws IOException {
    this.spark = spark;
    this.cfg = cfg;
    this.out = Path.of(cfg.output());
    this.progress = new TrainProgress(cfg.jobDir());
    this.history = new EpochHistory(cfg);
    Files.createDirectories(out.resolve(Checkpoint.DIR));
  }

  /** Trains (or resumes) and returns the final {@code model.json}; a failure is rethrown after it is written. */
  ModelCard execute() throws IOException {
    if (!Files.exists(out.resolve(Checkpoint.DIR).resolve(Checkpoint.STATE))) {
      progress.reset();
    }
    try (Cancellation cancel = new Cancellation(cfg.jobDir())) {
      JavaRDD<TensorShards.Sample> shards = null;
      Replica global = null;
      String status = FAILED;
      String message = null;
      try {
        preprocessing = preprocessing();
        set = TrainingSet.build(spark, cfg, preprocessing);
        checkInputSize();
        labelsSha = sha256(Path.of(cfg.labels()));
        shape = ClusterShape.of(spark);
        checkRingSlots();
        progress.write(new TrainEvent.Start(set.train.size(), set.trainStudies(), set.validation.size(),
            set.validationStudies(), shape.replicas(), shape.threadsPerReplica(),
            shape.replicas() > 1 ? cfg.exchange().id() : "none"));

        var pre = preprocessing;
        shards = TensorShards.load(spark, cfg.dataset(), set.train, shape.replicas(), pre);
        List<TensorShards.Sample> validation = TensorShards.collect(spark, cfg.dataset(), set.validation, pre);

        Replica.Spec spec = new Replica.Spec(cfg.architecture(), cfg.width(), cfg.classes().size(), cfg.inputSize(),
            cfg.loss(), cfg.focalAlpha(), cfg.focalGamma(), cfg.optimizer(), cfg.learningRate(), cfg.seed(),
            cfg.task());
        TorchSetup.useThreads(shape.threadsPerReplica());
        global = new Replica(spec);
        parameterCount = Architecture.trainableParameters(global.block());
        if (cfg.init() == TrainConfig.Init.PRETRAINED) {
          Pretrained.load(global, cfg);
        }
        Checkpoint.Saved saved = resume(global);
        RoundTask task = RoundTask.of(cfg, spec, shape.threadsPerReplica(), shape.batchPerReplica(cfg.batchSize()),
            EpochLoop.stepsPerEpoch(set.train.size(), cfg.batchSize()));
        WeightExchange exchange = new WeightExchange(spark, shards, task, shape.replicas(),
            cfg.halfPrecisionUpdates(), cfg.exchange() == TrainConfig.Exchange.RING, progress, global.parameters(),
            saved == null ? null : new HashMap<>(saved.optimizerStates()));
        Validator validator = switch (cfg.task()) {
          case CLASSIFICATION -> new StudyValidation(cfg.classes().size(), cfg.inputSize(), set.validation,
              validation);
          case DETECTION -> new DetectionValidation(cfg.classes(), cfg.inputSize(), validation);
          case SEGMENTATION -> new SegmentationValidation(cfg.classes(), cfg.inputSize(), validation);
        };
        status = new EpochLoop(cfg, out, set.train.size(), progress, cancel, exchange, validator, history,
            () -> card("training", null)).run(global, saved == null ? 1 : saved.state().epoch() + 1);
      } catch (RuntimeException | IOException e) {
        if (cancel.requested()) {
          status = EpochLoop.CANCELLED;
        } else {
          message = e.getMessage() == null ? e.toString() : e.getMessage();
          String advice = advice(message);
          if (advice != null) {
            message = advice;
            throw new IllegalArgumentException(advice, e);
          }
          throw e;
        }
      } finally {
        finish(status, message, shards, global);
      }
    }
    return ModelCard.read(out.resolve(ModelCard.FILE));
  }

  /** Writes the final card and the {@code finished} event, then frees the shards and the replicas. */
  private void finish(String status, String message, JavaRDD<TensorShards.Sample> shards, Replica global)
      throws IOException {
    card(status, message).write(out.resolve(ModelCard.FILE));
    progress.write(new TrainEvent.Finished(status, history.bestEpoch(), message));
    if (shards != null) {
      ExecutorReplicas.releaseOnExecutors(shards, cfg.jobId());
      shards.unpersist(false);
    }
    if (global != null) {
      global.close();
    }
    ExecutorReplicas.release(cfg.jobId());
  }

  /**
   * Restores the last checkpoint of this model folder, if any, into {@code global} and the history, and publishes
   * its best weights again; returns it (null when there is none).
   */
  private Checkpoint.Saved resume(Replica global) throws IOException {
    Checkpoint.Saved saved = Checkpoint.read(out.resolve(Checkpoint.DIR));
    if (saved == null) {
      return null;
    }
    if (!Checkpoint.sameTraining(saved.state().config(), cfg)) {
      throw new IllegalArgumentException("the model folder " + out + " holds a checkpoint of a different"
          + " training config; choose another output folder or job id");
    }
    try (InputStream in = Files.newInputStream(saved.weights())) {
      global.load(in);
    }
    history.restore(saved.state());
    if (saved.best() != null) { // a run stopped between the checkpoint and publishing its best weights
      AtomicFiles.copyDurably(saved.best(), out.resolve(TrainJob.WEIGHTS));
    }
    progress.write(new TrainEvent.Resume(saved.state().epoch(), saved.optimizerStates().size(), saved.weights()));
    return saved;
  }

  private ModelCard card(String status, String message) {
    int bestEpoch = history.bestEpoch();
    // a detector's or segmenter's study classes (without, with findings) are not its classes
    boolean split = set != null && cfg.task() == org.radlab.core.task.TaskType.CLASSIFICATION;
    return new ModelCard(cfg.jobId(), status, cfg.task(), cfg.architecture(), cfg.width(), cfg.classes(),
        parameterCount, bestEpoch > 0 ? TrainJob.WEIGHTS : null, preprocessing, cfg.dataset(), cfg.labels(),
        labelsSha, split ? set.trainStudiesPerClass : null, split ? set.validationStudiesPerClass : null,
        set == null ? 0 : set.train.size(), set == null ? 0 : set.validation.size(),
        shape == null ? 0 : shape.replicas(), history.curves(), bestEpoch, history.bestValidation(), message,
        createdAt, Instant.now().toString(), hundredths((System.nanoTime() - started) / 1e9), cfg,
        set == null ? null : set.trainBoxesPerClass, set == null ? null : set.validationBoxesPerClass);
  }

  private Preprocessing preprocessing() throws IOException {
    Path summary = Path.of(cfg.dataset()).resolve(DatasetLayout.SUMMARY);
    if (!Files.exists(summary)) {
      throw new IllegalArgumentException("dataset " + cfg.dataset() + " has no " + DatasetLayout.SUMMARY
          + " (prepare it with radlab prep first)");
    }
    JsonNode s = JSON.readTree(summary.toFile());
    double mean = s.path("tensorMean").asDouble(0);
    double std = s.path("tensorStd").asDouble(1);
    int side = spark.read().parquet(TensorShards.tensorsPath(cfg.dataset())).select("side").first().getInt(0);
    return new Preprocessing(cfg.inputSize(), side, mean, std);
  }

  /** After the labels' checks (whose errors say more about a wrong snapshot): the input fits the tensors. */
  private void checkInputSize() {
    if (cfg.inputSize() > preprocessing.side()) {
      throw new IllegalArgumentException("inputSize " + cfg.inputSize() + " is larger than the dataset's tensors ("
          + preprocessing.side() + "); prepare the dataset with --tensor-side " + cfg.inputSize() + " or more");
    }
  }

  /** A failure the config can fix, said in its terms (null for any other failure). */
  private String advice(String failure) {
    if (failure.contains("Expected more than 1 value per channel when training") && shape != null) {
      return "a batch norm layer saw one value per channel: each replica trains on "
          + shape.batchPerReplica(cfg.batchSize()) + " image(s) a step (batchSize " + cfg.batchSize() + " over "
          + shape.replicas() + " replica(s)), and " + cfg.architecture() + " shrinks a " + cfg.inputSize()
          + " px input to a single pixel; raise batchSize to at least " + 2 * shape.replicas() + " or inputSize";
    }
    return null;
  }

  /** A ring exchange runs every replica at once, in a barrier stage: the cluster must have a task slot for each. */
  private void checkRingSlots() {
    if (cfg.exchange() != TrainConfig.Exchange.RING || shape.replicas() < 2) {
      return;
    }
    int slots = ClusterShape.slots(spark.sparkContext());
    if (slots < shape.replicas()) {
      throw new IllegalArgumentException("exchange ring runs all " + shape.replicas() + " replicas at once, but"
          + " the cluster can run only " + slots + " tasks at a time; add executors or cores, set fewer replicas ("
          + ClusterShape.REPLICAS + "), or use exchange driver");
    }
  }

  /** {@code v} rounded to hundredths, as the card reports times and speeds. */
  static double hundredths(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
