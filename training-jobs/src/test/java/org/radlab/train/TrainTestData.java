package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.prep.BoxLabelImport;
import org.radlab.prep.LabelImport;
import org.radlab.prep.MaskLabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.spark.SparkSessions;

/** One synthetic density dataset for the training tests: synthesized, prepared and labelled through the real jobs. */
final class TrainTestData {
  static final List<String> CLASSES = List.of("A", "B", "C", "D");
  private static SparkSession spark;

  final Path dataset;
  final Path labels;
  final Path synthLabels;

  private TrainTestData(Path dataset, Path labels, Path synthLabels) {
    this.dataset = dataset;
    this.labels = labels;
    this.synthLabels = synthLabels;
  }

  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.start("radlab-train-test", "local[2]");
    }
    return spark;
  }

  static TrainTestData create(Path dir, int studies, long seed) throws Exception {
    return create(dir, studies, seed, org.radlab.core.deid.DatePolicy.REMOVE);
  }

  /** As {@link #create(Path, int, long)}, with the study dates handled as {@code dates} says. */
  static TrainTestData create(Path dir, int studies, long seed, org.radlab.core.deid.DatePolicy dates)
      throws Exception {
    Path in = dir.resolve("dicom");
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", in.toString(), "--studies",
        String.valueOf(studies), "--seed", String.valueOf(seed));
    assertEquals(0, rc, "synth failed");
    Path dataset = dir.resolve("dataset");
    PrepJob.run(spark(), PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(256, 64)
        .withSecretFile(dir.resolve("secret").toString()).withDates(dates));
    LabelImport.Report report = LabelImport.run(spark(), new LabelImport.Request(dataset.toString(), null,
        in.resolve("labels.csv"), "StudyInstanceUID", "density", CLASSES, dir.resolve("labels"), null));
    assertEquals(studies, report.imported());
    return new TrainTestData(dataset, report.snapshot(), in.resolve("labels.csv"));
  }

  /**
   * Synthetic mammograms with lesions ({@code synth --lesions}), prepared with PNGs of {@code png} and tensors of
   * {@code tensor} pixels, and a detection snapshot imported from synth's boxes ({@code labels}); {@code synthLabels}
   * is synth's {@code boxes.csv}.
   */
  static TrainTestData lesions(Path dir, int studies, long seed, int png, int tensor) throws Exception {
    Path in = dir.resolve("dicom");
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", in.toString(), "--studies",
        String.valueOf(studies), "--seed", String.valueOf(seed), "--lesions");
    assertEquals(0, rc, "synth failed");
    Path dataset = dir.resolve("dataset");
    PrepJob.run(spark(), PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(png, tensor)
        .withSecretFile(dir.resolve("secret").toString()));
    BoxLabelImport.Report report = BoxLabelImport.run(spark(), new BoxLabelImport.Request(dataset.toString(), null,
        in.resolve("boxes.csv"), "SOPInstanceUID", List.of("mass", "calcification"), dir.resolve("labels"), null));
    assertEquals(false, report.unusable(), "every synthetic box is usable: " + report);
    return new TrainTestData(dataset, report.snapshot(), in.resolve("boxes.csv"));
  }

  /**
   * Synthetic CT series ({@code synth --modality CT}: {@code series} series of {@code slices} slices, {@code size}
   * pixels a side), prepared at that size, and a segmentation snapshot of liver and lesion imported from synth's
   * masks ({@code labels}); {@code synthLabels} is synth's output folder.
   */
  static TrainTestData ct(Path dir, int series, int slices, int size, long seed) throws Exception {
    Path in = dir.resolve("ct");
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", in.toString(),
        "--studies", String.valueOf(series), "--slices", String.valueOf(slices), "--rows", String.valueOf(size),
        "--seed", String.valueOf(seed));
    assertEquals(0, rc, "synth failed");
    Path dataset = dir.resolve("dataset");
    PrepJob.run(spark(), PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(size, size)
        .withSecretFile(dir.resolve("secret").toString()));
    MaskLabelImport.Report report = MaskLabelImport.run(spark(), new MaskLabelImport.Request(dataset.toString(),
        null, in.resolve("_masks"), List.of("liver", "lesion"), dir.resolve("masks"), null));
    assertEquals(false, report.unusable(), "every synthetic mask is usable: " + report);
    return new TrainTestData(dataset, report.snapshot(), in);
  }
}
