package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.metrics.DetectionReport;
import org.radlab.core.metrics.MetricsReport;
import org.radlab.core.metrics.SegmentationReport;
import org.radlab.core.task.TaskType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code radlab metrics}: the full metric set for predictions made anywhere, from CSV files. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = {"Compute the metric set, with bootstrap confidence intervals, for predictions made anywhere (for "
        + "example by a vendor's AI product). Output: JSON on stdout (the shape of metrics.json).",
        "Classification (the default): kappa, AUC, the confusion matrix, sensitivity, specificity, PPV, NPV, F1 and "
        + "the ROC curve. Input: one CSV with one row per study: an id, the reference label, then one probability "
        + "column per class, the header naming the classes.",
        "Detection (--task detection): COCO-style mAP over IoU 0.50:0.95, AP50, AP75, per class, and FROC "
        + "(sensitivity at 0.125 to 8 false positives per image; a detection hits a lesion of its class at IoU >= "
        + "0.5). Input: the boxes (--predictions, with a score column) and the reference boxes (--truth), one row "
        + "per box: IMAGE,x_min,y_min,x_max,y_max,label[,score]; a reference row with only the image says it holds "
        + "no box. Intervals resample the images.",
        "Segmentation (--task segmentation): Dice and IoU per class, per image and per series, HD95 in mm and volumes "
        + "in mL per series, Bland-Altman of predicted against reference volumes. Input: two folders of PNG masks "
        + "named IMAGE.png (grey value = class index, 0 background; --classes names 1, 2, ...), and with --geometry a "
        + "CSV " + SegmentationInput.GEOMETRY_LAYOUT + " (mm) placing each image in its series; without it every "
        + "image is its own series at 1 mm. Or two mask snapshots with --dataset DIR, whose catalog places the "
        + "images. Intervals resample the series."},
    footer = {"", "Examples:",
        "  radlab metrics --predictions vendor.csv --positive C,D --threshold 0.5",
        "    with vendor.csv:  study,reference,A,B,C,D",
        "                      1.2.3,B,0.1,0.6,0.2,0.1",
        "  radlab metrics --task detection --predictions boxes.csv --truth truth.csv",
        "    with boxes.csv:   image,x_min,y_min,x_max,y_max,label,score",
        "                      1.2.3.4,10,20,60,80,mass,0.93",
        "    and truth.csv:    image,x_min,y_min,x_max,y_max,label",
        "                      1.2.3.4,12,18,58,84,mass",
        "                      1.2.3.5,,,,,",
        "  radlab metrics --task segmentation --predictions pred-masks/ --truth masks/ --classes liver,lesion \\",
        "      --geometry slices.csv"})
public final class MetricsCommand implements Callable<Integer> {
  @Option(names = "--task", defaultValue = "classification", paramLabel = "TASK", converter = TaskConverter.class,
      description = "classification, detection or segmentation (default: ${DEFAULT-VALUE}).")
  TaskType task;

  @Option(names = "--predictions", required = true, paramLabel = "FILE.csv", description = "The predictions.")
  Path predictions;

  @Option(names = "--truth", paramLabel = "FILE.csv|DIR",
      description = "Detection: the reference boxes, listing every evaluated image. Segmentation: the folder of "
          + "reference masks.")
  Path truth;

  @Option(names = "--classes", split = ",", paramLabel = "NAME[,NAME]",
      description = "Segmentation: the names of the mask's class indices 1, 2, ...")
  List<String> classes = new ArrayList<>();

  @Option(names = "--geometry", paramLabel = "FILE.csv",
      description = "Segmentation: " + SegmentationInput.GEOMETRY_LAYOUT + " for each image (mm).")
  Path geometry;

  @Option(names = "--dataset", paramLabel = "DIR",
      description = "Segmentation: with mask snapshots (CSV files, as labels import --task segmentation writes) "
          + "for --predictions and --truth, the prepared dataset whose catalog places each image (series, position, "
          + "spacing at the PNG's size).")
  Path dataset;

  @Option(names = "--image-column", defaultValue = BoxTable.IMAGE, paramLabel = "NAME",
      description = "Detection: the name of both files' image id column (default: ${DEFAULT-VALUE}; synth's "
          + "boxes.csv uses SOPInstanceUID).")
  String imageColumn;

  @Option(names = "--positive", split = ",", paramLabel = "CLASS[,CLASS]",
      description = "Positive class(es) of the binary view (default: the last class).")
  List<String> positive = new ArrayList<>();

  @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "P",
      description = "Positive when the positive classes' summed probability is at least P (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N",
      description = "Bootstrap resamples of the studies (detection: of the images) for the confidence intervals; "
          + "0 for none (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(names = "--level", defaultValue = "0.95", paramLabel = "L",
      description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
  double level;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--charts", paramLabel = "DIR",
      description = "Also write charts as PNG and SVG into DIR: the confusion matrix and the ROC curve; for "
          + "detection, the precision-recall curves and the FROC curve; for segmentation, each class's volume "
          + "scatter and Bland-Altman plot in DIR/CLASS.")
  Path charts;

  @Override
  public Integer call() throws IOException {
    if (task != TaskType.SEGMENTATION && (!classes.isEmpty() || geometry != null || dataset != null)) {
      throw new ParameterException(spec.commandLine(), "--classes, --geometry and --dataset are for --task "
          + "segmentation");
    }
    if (task == TaskType.DETECTION) {
      return detection();
    }
    if (task == TaskType.SEGMENTATION) {
      return segmentation();
    }
    if (truth != null) {
      throw new ParameterException(spec.commandLine(), "--truth is for --task detection or segmentation; a "
          + "classification CSV holds the reference labels itself");
    }
    MetricsReport report = compute(predictions, new MetricsReport.Options(positive, threshold, resamples, level, seed));
    System.out.println(JSON.writeValueAsString(report));
    if (charts != null) {
      for (Path p : Charts.forReport(report, predictions.getFileName().toString(), charts)) {
        System.err.println("metrics: wrote " + p);
      }
    }
    return 0;
  }

  private int detection() throws IOException {
    if (truth == null) {
      throw new ParameterException(spec.commandLine(), "--task detection needs --truth FILE.csv: the reference boxes");
    }
    if (!positive.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--positive is for classification");
    }
    DetectionReport report = DetectionReport.of(BoxTable.readReference(truth, imageColumn),
        BoxTable.readPredictions(predictions, imageColumn),
        new DetectionReport.Options(resamples, level, seed));
    System.out.println(JSON.writeValueAsString(report));
    if (charts != null) {
      for (Path p : Charts.forDetection(report, predictions.getFileName().toString(), charts)) {
        System.err.println("metrics: wrote " + p);
      }
    }
    return 0;
  }

  private int segmentation() throws IOException {
    if (truth == null || classes.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--task segmentation needs --truth DIR (the reference masks) "
          + "and --classes (the names of class indices 1, 2, ...)");
    }
    if (!positive.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--positive is for classification");
    }
    SegmentationReport report;
    try {
      List<SegmentationReport.Slice> slices;
      if (dataset != null) {
        if (geometry != null) {
          throw new IllegalArgumentException("--geometry is for folders of masks; a dataset's catalog places its "
              + "snapshots' images");
        }
        slices = SegmentationInput.fromSnapshots(predictions, truth, dataset, w -> System.err.println("metrics: " + w));
      } else {
        slices = SegmentationInput.read(predictions, truth, geometry);
      }
      report = SegmentationReport.compute(slices, classes, new SegmentationReport.Options(resamples, level, seed));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    System.out.println(JSON.writeValueAsString(report));
    if (charts != null) {
      for (var e : report.volumes().entrySet()) {
        Path dir = charts.resolve(e.getKey());
        List<Path> written = new ArrayList<>(Charts.volumes(e.getValue().pairs(), e.getKey(), dir));
        if (e.getValue().agreement() != null) {
          written.addAll(Charts.blandAltman(e.getValue().agreement(), e.getKey() + " volume (mL)", dir));
        }
        written.forEach(p -> System.err.println("metrics: wrote " + p));
      }
    }
    return 0;
  }

  /** {@code --task}: a task type by its config name, the error listing the names. */
  static final class TaskConverter implements CommandLine.ITypeConverter<TaskType> {
    @Override
    public TaskType convert(String value) {
      try {
        return TaskType.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Spec CommandSpec spec;

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Reads the CSV and computes the report; a malformed file is an error naming the line. */
  static MetricsReport compute(Path csv, MetricsReport.Options options) throws IOException {
    PredictionsCsv table = PredictionsCsv.read(csv, 2, "ID,REFERENCE,CLASS1,CLASS2[,...]");
    return MetricsReport.compute(table.classes(), table.reference(), table.probabilities(), options);
  }
}
