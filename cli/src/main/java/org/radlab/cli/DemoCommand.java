package org.radlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.cli.cluster.HomeOption;
import org.radlab.core.deid.DatePolicy;
import org.radlab.prep.LabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.PrepJobConfig;
import org.radlab.prep.PrepSummary;
import org.radlab.prep.SparkSessions;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab demo}: the end-to-end run on the embedded defaults (Spark local[*], the workspace on disk). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run RadLab end to end on synthetic mammograms: synthesize DICOM studies, prepare a "
        + "de-identified dataset with Spark, import the density labels, and print the summary. Safe to run again: "
        + "existing synthetic data is reused and prep only converts new files.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--studies", defaultValue = "20", description = "Synthetic studies (default: ${DEFAULT-VALUE}).")
  int studies;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

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
          dicom.resolve("labels.csv"), "StudyInstanceUID", "density", List.of("A", "B", "C", "D"),
          ws.resolve("labels"), null));
      System.out.println(LabelImport.describe(report));
      step(4, "summary (" + dataset.resolve("summary.json") + ")");
      System.out.println(summary.toJson());
      System.out.printf("%nDone: %d images from %d files, %d rejected. Annotation PNGs: %s; tensors: %s%n",
          summary.images(), summary.convertedFiles(), summary.rejected(), dataset.resolve("png"),
          dataset.resolve("tensors"));
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static void step(int n, String what) {
    System.out.printf("%n[%d/4] %s%n", n, what);
  }
}
