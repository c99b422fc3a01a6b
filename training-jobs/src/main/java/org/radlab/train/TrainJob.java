package org.radlab.train;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.launch.NativeMemory;
import org.radlab.core.model.ModelCard;

/**
 * Synchronous data-parallel training of one classifier across Spark executors: the job's entry points.
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
 *
 * <p>The pieces: {@link TrainRun} (one run, start to finish), {@link EpochLoop} and {@link EpochHistory} (epochs,
 * the monitored metric, early stopping), {@link WeightExchange} (the driver's side of a round) and {@link RoundTask}
 * (the executors' side), {@link StudyValidation}, {@link Checkpoint}, {@link ClusterShape} and {@link TrainEvent}
 * (the progress lines).
 */
public final class TrainJob {
  /** The model folder's weights file: the best epoch's weights. */
  static final String WEIGHTS = "weights.params";

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
    return new TrainRun(spark, cfg).execute();
  }
}
