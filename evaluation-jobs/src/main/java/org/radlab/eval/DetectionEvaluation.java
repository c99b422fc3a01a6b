package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageGeometry;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.metrics.Bootstrap;
import org.radlab.core.metrics.DetectionReport;
import org.radlab.core.model.detection.CenterDecoder;

/**
 * Evaluates detectors side by side on one dataset and detection label snapshot (boxes per image, as
 * {@code radlab labels import --task detection} and Annotate write them). Every image the snapshot lists is
 * evaluated, those without boxes included (their false positives count). Each Spark task runs every model over its
 * share of the images; a box found in the model input is moved back into the PNG's pixels, where the reference
 * boxes are. Outputs, under the config's {@code output} folder: per model {@code <model>/predictions.csv} (the boxes
 * with their scores, {@link BoxTable}'s shape), {@code <model>/metrics.json} ({@link DetectionReport}: mAP, AP50,
 * AP75 with bootstrap intervals over the images, AP per class, FROC) with its charts ({@code precision-recall} and
 * {@code froc}, PNG and SVG); {@code predictions.parquet} (one row per model and box); and {@code comparison.json}
 * / {@code comparison.csv}.
 */
final class DetectionEvaluation {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DetectionEvaluation() {}

  /** One detector's row of the comparison table. */
  public record DetectorResult(String model, String path, int images, long references, double map,
      Bootstrap.Interval mapCi, double ap50, Bootstrap.Interval ap50Ci, double ap75, double frocMean)
      implements EvaluateJob.Compared {
    @Override
    public String line() {
      return String.format(java.util.Locale.ROOT, "%-30s images %d  mAP %.3f %s  AP50 %.3f %s  AP75 %.3f  FROC %.3f",
          model, images, map, EvaluateJob.interval(mapCi), ap50, EvaluateJob.interval(ap50Ci), ap75, frocMean);
    }
  }

  static List<DetectorResult> run(SparkSession spark, EvalConfig cfg, List<String> ids, List<String> classes)
      throws IOException {
    long started = System.nanoTime();
    BoxTable reference = BoxTable.readReference(Path.of(cfg.labels()), BoxTable.IMAGE);
    Set<String> unknown = new java.util.TreeSet<>(reference.labels());
    unknown.removeAll(classes);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the label snapshot has boxes of classes the models do not find: " + unknown
          + "; the models find " + classes);
    }
    EvaluateJob.SizedImages images = EvaluateJob.SizedImages.of(spark, cfg, reference.images());
    System.err.printf("evaluate: %d detectors on %d images (%d reference boxes)%n", ids.size(), images.rows().size(),
        reference.boxes().size());
    List<Row> found = images.run(spark, cfg, new DetectTask(List.copyOf(cfg.models()))::run);

    Path out = Files.createDirectories(Path.of(cfg.output()));
    List<DetectorResult> results = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (int m = 0; m < ids.size(); m++) {
      List<BoxTable.Box> boxes = new ArrayList<>();
      for (Row r : found) {
        if (r.getInt(0) == m) {
          boxes.add(new BoxTable.Box(r.getString(1), classes.get(r.getInt(7)), r.getDouble(3), r.getDouble(4),
              r.getDouble(5), r.getDouble(6), r.getDouble(8)));
          rows.add(RowFactory.create(ids.get(m), r.getString(1), r.getString(2), r.getDouble(3), r.getDouble(4),
              r.getDouble(5), r.getDouble(6), classes.get(r.getInt(7)), r.getDouble(8)));
        }
      }
      boxes.sort(java.util.Comparator.comparing(BoxTable.Box::image)
          .thenComparing(java.util.Comparator.comparingDouble(BoxTable.Box::score).reversed()));
      BoxTable predictions = new BoxTable(reference.images(), boxes);
      DetectionReport report = DetectionReport.of(reference, predictions,
          new DetectionReport.Options(cfg.bootstrap(), 0.95, cfg.seed()));
      Path dir = Files.createDirectories(out.resolve(ids.get(m)));
      Files.writeString(dir.resolve("predictions.csv"), predictions.csv(true), StandardCharsets.UTF_8);
      JSON.writeValue(dir.resolve("metrics.json").toFile(), report);
      Charts.forDetection(report, ids.get(m), dir);
      results.add(new DetectorResult(ids.get(m), cfg.models().get(m), report.images(), report.references(),
          report.map(), report.mapCi(), report.ap50(), report.ap50Ci(), report.ap75(), report.froc().mean()));
    }
    StructType schema = new StructType().add("model", DataTypes.StringType).add("image_id", DataTypes.StringType)
        .add("study_uid", DataTypes.StringType).add("x_min", DataTypes.DoubleType)
        .add("y_min", DataTypes.DoubleType).add("x_max", DataTypes.DoubleType).add("y_max", DataTypes.DoubleType)
        .add("label", DataTypes.StringType).add("score", DataTypes.DoubleType);
    spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite)
        .parquet(out.resolve("predictions.parquet").toString());
    return EvaluateJob.finish(out, results, csv(results), started);
  }

  /**
   * Runs every detector over one partition's images; a row per model and box: model index, image, study, the box
   * in PNG pixels, class index, score.
   */
  private record DetectTask(List<String> models) implements Serializable {
    Iterator<Row> run(Iterator<Row> it) throws IOException {
      return EvaluateJob.eachModel(models, it, (m, model, images, inputs, out) -> {
        List<List<CenterDecoder.Detection>> found = model.detect(inputs);
        for (int i = 0; i < images.size(); i++) {
          Row r = images.get(i);
          ImageGeometry g = new ImageGeometry(r.<Integer>getAs("columns"), r.<Integer>getAs("rows"),
              r.<Integer>getAs("png_width"), r.<Integer>getAs("png_height"), r.<Integer>getAs("side"));
          for (CenterDecoder.Detection d : found.get(i)) {
            double[] png = g.inputToPng(d.corners(), model.preprocessing().inputSize());
            if (png[2] > png[0] && png[3] > png[1]) { // a box wholly in the margin has no PNG pixel left
              out.add(RowFactory.create(m, r.<String>getAs("image_id"), r.<String>getAs("study_uid"), png[0], png[1],
                  png[2], png[3], d.classIndex(), d.score()));
            }
          }
        }
      });
    }
  }

  private static String csv(List<DetectorResult> results) {
    StringBuilder b = new StringBuilder("model,images,references,map,map_lower,map_upper,ap50,ap50_lower,ap50_upper,"
        + "ap75,froc_mean\n");
    for (DetectorResult r : results) {
      b.append(String.join(",", r.model(), Integer.toString(r.images()), Long.toString(r.references()),
          EvaluateJob.num(r.map()), EvaluateJob.num(r.mapCi() == null ? Double.NaN : r.mapCi().lower()),
          EvaluateJob.num(r.mapCi() == null ? Double.NaN : r.mapCi().upper()), EvaluateJob.num(r.ap50()),
          EvaluateJob.num(r.ap50Ci() == null ? Double.NaN : r.ap50Ci().lower()),
          EvaluateJob.num(r.ap50Ci() == null ? Double.NaN : r.ap50Ci().upper()), EvaluateJob.num(r.ap75()),
          EvaluateJob.num(r.frocMean()))).append('\n');
    }
    return b.toString();
  }
}
