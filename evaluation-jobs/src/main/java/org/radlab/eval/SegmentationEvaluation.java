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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.radlab.core.dataset.ImageGeometry;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.metrics.SegmentationReport;

/**
 * Evaluates segmenters side by side on one dataset and segmentation label snapshot (a mask per image, as
 * {@code radlab labels import --task segmentation} writes them). Every image the snapshot lists is evaluated. Each
 * Spark task runs every model over its share of the images; a mask found in the model input is moved back into the
 * PNG's pixels (nearest neighbour), where the reference masks are, and the images are placed in their series by the
 * dataset's catalog (position and spacing, so volumes are in mL). Outputs, under the config's {@code output} folder:
 * per model {@code <model>/predictions.csv} (a mask snapshot, {@link MaskTable}'s shape), {@code <model>/seg/} (the
 * same masks as DICOM SEG, one object per series: {@link SegExport}), {@code <model>/metrics.json}
 * ({@link SegmentationReport}: Dice, IoU and HD95 per class with bootstrap intervals over the series, per series and
 * per image, volumes with their Bland-Altman agreement) with per class the volume scatter and the Bland-Altman plot
 * ({@code <class>-volumes} and {@code <class>-bland-altman}, PNG and SVG); {@code predictions.parquet} (one row per
 * model and image, the mask as runs); and {@code comparison.json} / {@code comparison.csv}.
 */
final class SegmentationEvaluation {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SegmentationEvaluation() {}

  /** One segmenter's row of the comparison table: means over the classes of each class's mean over the series. */
  public record SegmenterResult(String model, String path, int images, int series, double dice, double iou,
      double hd95, Map<String, Double> dicePerClass) implements EvaluateJob.Compared {
    @Override
    public String line() {
      return String.format(java.util.Locale.ROOT, "%-30s images %d  series %d  Dice %.3f  IoU %.3f  HD95 %.2f mm",
          model, images, series, dice, iou, hd95);
    }
  }

  static List<SegmenterResult> run(SparkSession spark, EvalConfig cfg, List<String> ids, List<String> classes)
      throws IOException {
    long started = System.nanoTime();
    MaskTable reference = MaskTable.read(Path.of(cfg.labels()));
    if (reference.masks().isEmpty()) {
      throw new IllegalArgumentException("the label snapshot " + cfg.labels() + " holds no mask");
    }
    EvaluateJob.SizedImages images = EvaluateJob.SizedImages.of(spark, cfg, reference.images());
    Map<String, ImageList.Entry> catalog = images.catalog();
    for (var m : reference.masks().entrySet()) {
      ImageList.Entry e = catalog.get(m.getKey());
      if (m.getValue().width() != e.pngWidth() || m.getValue().height() != e.pngHeight()) {
        throw new IllegalArgumentException("the reference mask of image " + m.getKey() + " is " + m.getValue().width()
            + " x " + m.getValue().height() + ", its PNG " + e.pngWidth() + " x " + e.pngHeight());
      }
      if (m.getValue().maxLabel() > classes.size()) {
        throw new IllegalArgumentException("the reference mask of image " + m.getKey() + " holds class index "
            + m.getValue().maxLabel() + ", but the models segment " + classes.size() + " classes " + classes);
      }
    }
    System.err.printf("evaluate: %d segmenters on %d images%n", ids.size(), images.rows().size());
    List<Row> found = images.run(spark, cfg, new SegmentTask(List.copyOf(cfg.models()))::run);

    Path out = Files.createDirectories(Path.of(cfg.output()));
    List<SegmenterResult> results = new ArrayList<>();
    for (int m = 0; m < ids.size(); m++) {
      Map<String, LabelMask> masks = new LinkedHashMap<>();
      for (Row r : found) {
        if (r.getInt(0) == m) {
          masks.put(r.getString(1), MaskTable.mask(r.getInt(3), r.getInt(4), r.getString(5), "model " + ids.get(m)));
        }
      }
      Map<String, LabelMask> ordered = new LinkedHashMap<>(); // the reference's order
      reference.images().forEach(i -> ordered.put(i, masks.get(i)));
      MaskTable predictions = new MaskTable(ordered);
      SegmentationReport report = SegmentationReport.compute(
          SegmentationInput.fromSnapshots(predictions, reference, catalog, cfg.dataset(),
              w -> System.err.println("evaluate: " + w)),
          classes, new SegmentationReport.Options(cfg.bootstrap(), 0.95, cfg.seed()));
      Path dir = Files.createDirectories(out.resolve(ids.get(m)));
      Files.writeString(dir.resolve("predictions.csv"), predictions.csv(), StandardCharsets.UTF_8);
      SegExport.write(dir.resolve("seg"), cfg.jobId(), ids.get(m), cfg.models().get(m), predictions, catalog,
          classes);
      JSON.writeValue(dir.resolve("metrics.json").toFile(), report);
      Charts.forSegmentation(report, ids.get(m), dir);
      Map<String, Double> perClass = new LinkedHashMap<>();
      report.perClass().forEach((c, s) -> perClass.put(c, s.dice()));
      results.add(new SegmenterResult(ids.get(m), cfg.models().get(m), report.images(), report.series(),
          report.dice(), report.iou(), report.hd95(), perClass));
    }
    StructType schema = new StructType().add("model", DataTypes.StringType).add("image_id", DataTypes.StringType)
        .add("study_uid", DataTypes.StringType).add("width", DataTypes.IntegerType)
        .add("height", DataTypes.IntegerType).add("runs", DataTypes.StringType);
    List<Row> rows = found.stream().map(r -> RowFactory.create(ids.get(r.getInt(0)), r.getString(1), r.getString(2),
        r.getInt(3), r.getInt(4), r.getString(5))).toList();
    spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite)
        .parquet(out.resolve("predictions.parquet").toString());
    return EvaluateJob.finish(out, results, csv(results, classes), started);
  }

  /**
   * Runs every segmenter over one partition's images; a row per model and image: model index, image, study, the
   * mask's width and height in PNG pixels and its runs.
   */
  private record SegmentTask(List<String> models) implements Serializable {
    Iterator<Row> run(Iterator<Row> it) throws IOException {
      return EvaluateJob.eachModel(models, it, (m, model, images, inputs, out) -> {
        List<byte[]> masks = model.segment(inputs);
        for (int i = 0; i < images.size(); i++) {
          Row r = images.get(i);
          ImageGeometry g = new ImageGeometry(r.<Integer>getAs("columns"), r.<Integer>getAs("rows"),
              r.<Integer>getAs("png_width"), r.<Integer>getAs("png_height"), r.<Integer>getAs("side"));
          LabelMask png = g.inputMaskToPng(masks.get(i), model.preprocessing().inputSize());
          out.add(RowFactory.create(m, r.<String>getAs("image_id"), r.<String>getAs("study_uid"), png.width(),
              png.height(), MaskTable.runs(png)));
        }
      });
    }
  }

  private static String csv(List<SegmenterResult> results, List<String> classes) {
    StringBuilder b = new StringBuilder("model,images,series,dice,iou,hd95");
    classes.forEach(c -> b.append(",dice_").append(c.replaceAll("[^A-Za-z0-9_-]", "_")));
    b.append('\n');
    for (SegmenterResult r : results) {
      b.append(String.join(",", r.model(), Integer.toString(r.images()), Integer.toString(r.series()),
          EvaluateJob.num(r.dice()), EvaluateJob.num(r.iou()), EvaluateJob.num(r.hd95())));
      classes.forEach(c -> b.append(',').append(EvaluateJob.num(r.dicePerClass().get(c))));
      b.append('\n');
    }
    return b.toString();
  }
}
