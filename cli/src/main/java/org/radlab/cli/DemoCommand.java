package org.radlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.cli.cluster.HomeOption;
import org.radlab.core.deid.DatePolicy;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.prep.LabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.PrepSummary;
import org.radlab.prep.SparkSessions;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.train.ModelCard;
import org.radlab.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code radlab demo}: the end-to-end run on the embedded defaults (Spark local[*], the workspace on disk). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run RadLab end to end on synthetic mammograms: synthesize DICOM studies, prepare a "
        + "de-identified dataset with Spark, import the density labels, train a small density classifier and "
        + "print its validation results. Safe to run again: existing synthetic data is reused, prep only converts "
        + "new files, and a finished training run is not repeated.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--studies", defaultValue = "60", description = "Synthetic studies (default: ${DEFAULT-VALUE}).")
  int studies;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--epochs", defaultValue = "5",
      description = "Training epochs of the demo classifier; 0 skips training (default: ${DEFAULT-VALUE}).")
  int epochs;

  @CommandLine.Mixin HomeOption home;

  @Override
  public Integer call() throws Exception {
    Path ws = home.resolve();
    Path dicom = ws.resolve("demo/dicom-" + studies + "-" + seed);
    Path dataset = ws.resolve("datasets/demo");
    step(1, "synthesize " + studies + " mammography studies into " + dicom);
    if (Files.exists(dicom.resolve("labels.csv"))) {
      System.out.println("   already there, reusing it");
    } else {
      int rc = new CommandLine(new SynthCommand()).execute("--out", dicom.toString(), "--studies",
          String.valueOf(studies), "--seed", String.valueOf(seed));
      if (rc != 0) {
        return rc;
      }
    }
    step(2, "prepare a de-identified dataset in " + dataset + " (Spark " + master + ")");
    PrepJobConfig config = PrepJobConfig.of(dicom.toString(), dataset.toString())
        .withDates(DatePolicy.SHIFT)
        .withSecretFile(ws.resolve("site-secret").toString());
    SparkSession spark = SparkSessions.start("radlab-demo", master);
    try {
      PrepSummary summary = PrepJob.run(spark, config);
      step(3, "import the reference reader's density labels");
      var report = LabelImport.run(spark, new LabelImport.Request(dataset.toString(), null,
          dicom.resolve("labels.csv"), "StudyInstanceUID", "density", CLASSES,
          ws.resolve("labels"), null));
      System.out.println(LabelImport.describe(report));
      step(4, "summary (" + dataset.resolve("summary.json") + ")");
      System.out.println(summary.toJson());
      System.out.printf("%n%d images from %d files, %d rejected. Annotation PNGs: %s; tensors: %s%n",
          summary.images(), summary.convertedFiles(), summary.rejected(), dataset.resolve("png"),
          dataset.resolve("tensors"));
      if (epochs > 0) {
        // one job per label snapshot: a re-run with the same data finds its finished checkpoint
        String snapshot = report.snapshot().getFileName().toString().replaceAll("\\.csv$", "");
        TrainConfig train = TrainConfig.of(dataset.toString(), report.snapshot().toString(), CLASSES)
            .with("{\"jobId\":\"demo-" + snapshot + "\",\"maxEpochs\":" + epochs + ",\"inputSize\":128,"
                + "\"width\":0.25,\"architecture\":\"resnet18\",\"augmentation\":\"flips_rotations\"}");
        step(5, "train a density classifier (resnet18 at width 0.25, " + epochs + " epochs) into " + train.output());
        ModelCard card = TrainJob.run(spark, train);
        if (card.validation() != null) {
          System.out.printf("%nValidation (%d studies, best epoch %d): linear-weighted kappa %.3f, AUC %.3f, "
                  + "accuracy %.3f%nConfusion matrix (rows: reference A-D, columns: predicted A-D): %s%n",
              card.validation().studies(), card.bestEpoch(), card.validation().kappaLinear(), card.validation().auc(),
              card.validation().accuracy(), java.util.Arrays.deepToString(card.validation().confusionMatrix()));
        }
        System.out.printf("Model: %s (status %s)%n", train.output(), card.status());
      }
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static final List<String> CLASSES = List.of("A", "B", "C", "D");

  private void step(int n, String what) {
    System.out.printf("%n[%d/%d] %s%n", n, epochs > 0 ? 5 : 4, what);
  }
}
