package org.radlab.prep;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.task.TaskType;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab labels}: label snapshots for training and evaluation. */
@Command(name = "labels", mixinStandardHelpOptions = true, subcommands = LabelsCommand.Import.class,
    description = "Manage label snapshots (immutable CSV files under $RADLAB_HOME/labels).")
public final class LabelsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Map a label CSV keyed by original StudyInstanceUID onto a dataset's pseudonymous study UIDs "
          + "and write an immutable label snapshot. Unknown studies and classes are reported, not dropped silently.",
          "With --task detection: boxes, one row per box (IMAGE,x_min,y_min,x_max,y_max,label, the image named by "
          + "its original SOPInstanceUID, coordinates in the original image's pixels; a row with empty box fields "
          + "says the image has no finding), mapped onto the pseudonymous image ids and into the prepared PNG's "
          + "pixels (mirrored like the image, scaled and clipped). synth --lesions writes such a file: boxes.csv.",
          "With --task segmentation: --masks DIR of PNG masks named by original SOPInstanceUID (8-bit grey, value = "
          + "class index, 0 background; --classes names 1, 2, ...), mirrored and resized by nearest neighbour as prep "
          + "rendered each image, into a mask snapshot (image,width,height,runs: run-length encoded, row by row). "
          + "synth --lesions and synth --modality CT write such masks in _masks/.",
          "The same folder may hold DICOM SEG files (.dcm, BINARY or FRACTIONAL, as OHIF, 3D Slicer and MONAI Label "
          + "write them): each frame is mapped onto the original image its source reference names (its SOP Instance "
          + "UID), each segment onto the class of --classes its Segment Label names (ignoring case; other labels "
          + "count as unknown classes). Images a SEG references without a frame are all background; where masks "
          + "of one image overlap, the class later in --classes wins."},
      footer = {"", "Examples:",
          "  radlab labels import --dataset ds --csv synth/labels.csv --classes A,B,C,D",
          "  radlab labels import --task detection --dataset ds --csv synth/boxes.csv --classes mass,calcification",
          "  radlab labels import --task segmentation --dataset ds --masks synth/_masks --classes mass,calcification",
          "  radlab labels import --task segmentation --dataset ct --masks exported-segs --classes liver,lesion"})
  public static final class Import implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Dataset written by radlab prep.")
    String dataset;

    @Option(names = "--csv", paramLabel = "FILE", description = "Labels, with a header row (classification, "
        + "detection).")
    Path csv;

    @Option(names = "--masks", paramLabel = "DIR", description = "Segmentation: the folder of PNG masks "
        + "(<SOPInstanceUID>.png) and DICOM SEG files (*.dcm).")
    Path masks;

    @Option(names = "--study-column", defaultValue = "StudyInstanceUID", paramLabel = "NAME",
        description = "Column holding the original StudyInstanceUID (default: ${DEFAULT-VALUE}).")
    String studyColumn;

    @Option(names = "--label-column", defaultValue = "density", paramLabel = "NAME",
        description = "Column holding the label (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--classes", split = ",", paramLabel = "A,B,...",
        description = "Allowed labels; others are reported as unknown classes. Default: accept every label.")
    List<String> classes;

    @Option(names = "--private-dir", paramLabel = "DIR", description = "Id map location (default: DATASET/private).")
    String privateDir;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Snapshot file (default: $RADLAB_HOME/labels/<dataset>-<column>-<hash>.csv).")
    Path out;

    @Option(names = "--strict", description = "Exit with status 3 when any row was unusable.")
    boolean strict;

    @Option(names = "--task", defaultValue = "classification", paramLabel = "TASK",
        description = "classification (a label per study), detection (boxes per image) or segmentation (a mask per "
            + "image) (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--image-column", defaultValue = "SOPInstanceUID", paramLabel = "NAME",
        description = "Detection: the column holding the original SOPInstanceUID (default: ${DEFAULT-VALUE}).")
    String imageColumn;

    @Override
    public Integer call() throws Exception {
      TaskType type;
      try {
        type = TaskType.parse(task);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      if (type == TaskType.SEGMENTATION) {
        return masks();
      }
      if (csv == null || masks != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--task " + type.id() + " imports "
            + "--csv FILE; --masks is for --task segmentation");
      }
      if (type == TaskType.DETECTION) {
        return boxes();
      }
      var request = new LabelImport.Request(dataset, privateDir, csv, studyColumn, labelColumn, classes,
          org.radlab.core.Workspace.current().labels(), out);
      return importing(spark -> {
        LabelImport.Report report = LabelImport.run(spark, request);
        System.out.println(LabelImport.describe(report));
        return report.unusable();
      });
    }

    private int masks() throws Exception {
      if (masks == null || csv != null || classes == null || classes.isEmpty()) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--task segmentation imports --masks "
            + "DIR with --classes naming the class indices 1, 2, ... (not --csv)");
      }
      var request = new MaskLabelImport.Request(dataset, privateDir, masks, classes,
          org.radlab.core.Workspace.current().labels(), out);
      return importing(spark -> {
        MaskLabelImport.Report report = MaskLabelImport.run(spark, request);
        System.out.println(MaskLabelImport.describe(report));
        return report.unusable();
      });
    }

    private int boxes() throws Exception {
      var request = new BoxLabelImport.Request(dataset, privateDir, csv, imageColumn, classes,
          org.radlab.core.Workspace.current().labels(), out);
      return importing(spark -> {
        BoxLabelImport.Report report = BoxLabelImport.run(spark, request);
        System.out.println(BoxLabelImport.describe(report));
        return report.unusable();
      });
    }

    /** Runs one import, which says whether any row was unusable, in its own Spark session; 3 for that if strict. */
    private int importing(SparkImport work) throws Exception {
      SparkSession spark = SparkSessions.start("radlab-labels", "local[2]");
      try {
        return work.run(spark) && strict ? 3 : 0;
      } finally {
        spark.stop();
      }
    }

    @FunctionalInterface
    private interface SparkImport {
      boolean run(SparkSession spark) throws Exception;
    }

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  }
}
