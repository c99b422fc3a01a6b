package org.radlab.train;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab train}: train a classifier, a detector or a segmenter on a prepared dataset and a label snapshot. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a classifier (ResNet, VGG, Inception or DenseNet) on a prepared dataset and a label "
        + "snapshot, with \"task\": \"detection\" a lesion detector on a ResNet backbone from a box snapshot, or "
        + "with \"task\": \"segmentation\" a U-Net from a mask snapshot, on local[*] or across a Spark cluster. Writes the model folder (model.json, weights.params, "
        + "checkpoint/) and appends progress to $RADLAB_HOME/jobs/<jobId>/progress. Re-running the same job resumes "
        + "from its last checkpoint; creating the file jobs/<jobId>/cancel stops it cleanly.",
    footer = {"", "Config fields and defaults: docs/training.md. Example:",
        "  radlab train --config density.json --set maxEpochs=3 --set architecture=densenet121",
        "  radlab train --config lesions.json --set task=detection --set inputSize=256",
        "  radlab train --config ct.json --set task=segmentation --set inputSize=128"})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", required = true, description = "The training config (JSON).")
  Path config;

  @Option(names = "--set", paramLabel = "FIELD=VALUE",
      description = "Override one config field (repeatable); the value is JSON or a plain string.")
  java.util.List<String> overrides = new java.util.ArrayList<>();

  @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
      description = "Spark master (default: ${DEFAULT-VALUE}); e.g. spark://127.0.0.1:7077.")
  String master;

  @Override
  public Integer call() throws Exception {
    TrainConfig cfg = withOverrides(TrainConfig.read(config), overrides);
    TrainJob.sparkDefaults();
    SparkSession spark = SparkSessions.start("radlab-train", master);
    try {
      ModelCard card = TrainJob.run(spark, cfg);
      System.out.println(ModelCard.JSON.writeValueAsString(card));
      System.err.printf("train: %s; model in %s%n", card.status(), cfg.output());
      return "failed".equals(card.status()) ? 1 : 0;
    } finally {
      spark.stop();
    }
  }

  /** {@code cfg} with each {@code FIELD=VALUE} laid over it; the value is JSON, or else taken as a string. */
  static TrainConfig withOverrides(TrainConfig cfg, java.util.List<String> overrides) throws java.io.IOException {
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set needs FIELD=VALUE, got " + o);
      }
      String field = o.substring(0, eq);
      String value = o.substring(eq + 1);
      String json;
      try {
        TrainConfig.JSON.readTree(value);
        json = value;
      } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
        json = TrainConfig.JSON.writeValueAsString(value);
      }
      cfg = cfg.with("{" + TrainConfig.JSON.writeValueAsString(field) + ":" + json + "}");
    }
    return cfg;
  }
}
