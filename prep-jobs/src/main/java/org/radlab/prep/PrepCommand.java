package org.radlab.prep;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.deid.DatePolicy;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab prep}: DICOM files to a de-identified dataset, on local[*] or a cluster. */
@Command(name = "prep", mixinStandardHelpOptions = true,
    description = "Convert a folder of DICOM files into a de-identified dataset: images.parquet, tensors, png/, "
        + "summary.json, and private/rejects.parquet. Re-running on a grown folder converts only the new files. "
        + "Unreadable files go to private/rejects.parquet with their reason; the job carries on.",
    footer = {"", "Example:", "  radlab prep --input /data/mammo --dataset radlab-home/datasets/density --dates shift"})
public final class PrepCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--input", paramLabel = "PATH", description = "Folder (recursive) or file, any Hadoop path; or a PACS query, "
      + "dicomweb://SOURCE?modality=MG&from=YYYY-MM-DD&to=YYYY-MM-DD, pulled first (docs/pacs.md).")
  String input;

  @Option(names = "--dataset", paramLabel = "DIR", description = "Dataset folder to create or extend.")
  String dataset;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Read the whole job config from JSON instead (the spark-submit format).")
  Path config;

  @Option(names = "--png-long-edge", paramLabel = "PX", defaultValue = "1024",
      description = "Long edge of annotation PNGs (default: ${DEFAULT-VALUE}).")
  int pngLongEdge;

  @Option(names = "--tensor-side", paramLabel = "PX", defaultValue = "256",
      description = "Side of the square float32 training tensors (default: ${DEFAULT-VALUE}).")
  int tensorSide;

  @Option(names = "--npy", description = "Also write one NumPy .npy file per image under npy/.")
  boolean npy;

  @Option(names = "--dates", paramLabel = "POLICY", defaultValue = "remove",
      description = "Dates: remove (PS3.15 basic profile), shift (per-patient offset, keeps intervals) or keep "
          + "(longitudinal monitoring). Default: ${DEFAULT-VALUE}.")
  String dates;

  @Option(names = "--allow-burned-in",
      description = "Convert files marked BurnedInAnnotation=YES, or unmarked on modalities that often carry "
          + "burned-in text (US, XA, RF, ES, SC, OT, ...), instead of rejecting them.")
  boolean allowBurnedIn;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Site secret keying the pseudonyms (default: $RADLAB_HOME/site-secret, created if missing).")
  String secretFile;

  @Option(names = "--window", paramLabel = "N", defaultValue = "0",
      description = "Which window centre/width (or VOI LUT) to apply, 0 = first (default).")
  int voiIndex;

  @Option(names = "--no-flip", description = "Do not mirror right-breast mammograms (chest wall left).")
  boolean noFlip;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "Spark partitions; 0 chooses from the input size and the cluster (default).")
  int partitions;

  @Option(names = "--private-dir", paramLabel = "DIR",
      description = "Where the original-to-pseudonym map goes, for admins only (default: DATASET/private).")
  String privateDir;

  @Option(names = "--progress-file", paramLabel = "FILE", description = "Rewrite JSON progress here while running.")
  String progressFile;

  @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
      description = "Spark master (default: ${DEFAULT-VALUE}); e.g. spark://127.0.0.1:7077.")
  String master;

  @Override
  public Integer call() throws Exception {
    PrepJobConfig cfg = buildConfig();
    SparkSession spark = SparkSessions.start("radlab-prep", master);
    try {
      DatasetSummary summary = PrepJob.run(spark, cfg);
      System.out.println(summary.toJson());
      System.err.printf("prep: dataset written to %s (%d images, %d rejected files)%n", cfg.dataset(),
          summary.images(), summary.rejected());
      return 0;
    } finally {
      spark.stop();
    }
  }

  PrepJobConfig buildConfig() throws Exception {
    if (config != null) {
      return PrepJobConfig.read(config);
    }
    if (input == null || dataset == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "prep needs --input PATH and --dataset DIR (or --config FILE)");
    }
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, npy, DatePolicy.parse(dates), allowBurnedIn,
        secretFile, voiIndex, !noFlip, partitions, privateDir, progressFile);
  }
}
