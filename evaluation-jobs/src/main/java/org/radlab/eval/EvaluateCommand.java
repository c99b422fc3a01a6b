package org.radlab.eval;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab evaluate}: several trained models side by side on one dataset and label snapshot. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate trained models side by side on a prepared dataset and a label snapshot. Classifiers: "
        + "predictions.parquet (image and study level), metrics.json per model, and comparison.json/.csv with "
        + "kappa and AUC and their bootstrap intervals. Detectors (with a box snapshot): predictions.csv and "
        + "metrics.json per model (mAP, AP50, AP75, AP per class, FROC) with precision-recall and FROC charts, and "
        + "comparison.json/.csv. Segmenters (with a mask snapshot): predictions.csv (masks) and metrics.json per model "
        + "(Dice, IoU and HD95 per class, volumes in mL with their Bland-Altman agreement), volume and Bland-Altman "
        + "charts per class, a DICOM SEG per series under seg/, and comparison.json/.csv. The tensors are read once "
        + "for all models.",
    footer = {"", "Config fields: docs/evaluation.md. Example config:",
        "  {\"dataset\": \"radlab-home/datasets/density\", \"labels\": \"radlab-home/labels/density-….csv\",",
        "   \"models\": [\"radlab-home/models/a\", \"radlab-home/models/b\"], \"positive\": [\"C\", \"D\"]}"})
public final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", required = true, description = "The evaluation config (JSON).")
  Path config;

  @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
      description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  @Override
  public Integer call() throws Exception {
    EvalConfig cfg = EvalConfig.read(config);
    SparkSession spark = SparkSessions.start("radlab-evaluate", master);
    try {
      for (var r : EvaluateJob.evaluate(spark, cfg)) {
        System.out.println(r.line());
      }
      System.out.println("results: " + cfg.output());
      return 0;
    } finally {
      spark.stop();
    }
  }
}
