package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.launch.NativeMemory;
import org.radlab.core.metrics.Bootstrap;
import org.radlab.core.metrics.MetricsReport;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.TorchSetup;
import org.radlab.core.model.TrainedModel;
import org.radlab.core.task.TaskType;
import org.radlab.spark.HadoopPaths;

/**
 * Evaluates several trained models side by side on one dataset and label snapshot.
 *
 * <p>The dataset's tensors are read once; each Spark task runs every model over its share of the images. Outputs,
 * under the config's {@code output} folder: {@code predictions.parquet} (one row per model and image with
 * {@code level=image}, and per model and study with {@code level=study}, the study's probabilities being the mean
 * over its images), {@code <model>/metrics.json} per model ({@link MetricsReport} on the studies) with its charts
 * ({@code confusion-matrix} and {@code roc}, PNG and SVG), and
 * {@code comparison.json} / {@code comparison.csv} (kappa and AUC with their intervals, side by side).
 *
 * <p>Runs under {@code spark-submit --class org.radlab.eval.EvaluateJob app.jar config.json} or
 * {@code radlab evaluate --config FILE}.
 */
public final class EvaluateJob {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluateJob() {}

  /** One model's row of the comparison table, whatever its task. */
  public sealed interface Compared permits ModelResult, DetectionEvaluation.DetectorResult,
      SegmentationEvaluation.SegmenterResult {
    String model();

    /** The row in one line, for the console. */
    String line();
  }

  /** One classifier's row of the comparison table. */
  public record ModelResult(String model, String path, int studies, double kappaLinear, Bootstrap.Interval kappaCi,
      double aucMacro, Bootstrap.Interval aucCi, double binaryAuc, double sensitivity, double specificity,
      double accuracy) implements Compared {
    @Override
    public String line() {
      return String.format(java.util.Locale.ROOT, "%-30s studies %d  kappa %.3f %s  AUC %.3f %s", model, studies,
          kappaLinear, interval(kappaCi), aucMacro, interval(aucCi));
    }
  }

  /** {@code [lower, upper]}, or empty without an interval. */
  static String interval(Bootstrap.Interval ci) {
    return ci == null ? "" : String.format(java.util.Locale.ROOT, "[%.3f, %.3f]", ci.lower(), ci.upper());
  }

  /** The models of a config: their ids in the outputs (unique), their shared classes and task. */
  private record Models(List<String> ids, List<String> classes, TaskType task) {
    static Models of(EvalConfig cfg) throws IOException {
      List<String> ids = new ArrayList<>();
      List<String> classes = null;
      TaskType task = null;
      for (String m : cfg.models()) {
        ModelCard card = readCard(Path.of(m));
        List<String> c = card.classes() == null ? List.of() : card.classes();
        if (classes == null) {
          classes = c;
          task = card.task();
        } else if (!classes.equals(c)) {
          throw new IllegalArgumentException("models must share their classes: " + cfg.models().get(0) + " has "
              + classes + ", " + m + " has " + c);
        } else if (task != card.task()) {
          throw new IllegalArgumentException("models must share their task: " + cfg.models().get(0) + " is a "
              + task.id() + " model, " + m + " a " + card.task().id() + " one");
        }
        String id = card.id() != null ? card.id() : Path.of(m).getFileName().toString();
        while (ids.contains(id)) {
          id = id + "-" + (ids.size() + 1);
        }
        ids.add(id);
      }
      return new Models(ids, classes, task);
    }
  }

  /**
   * Evaluates the config's models as their task asks (classifiers by study, detectors by box, segmenters by pixel
   * and volume) and returns the
   * comparison table (also written to {@code comparison.json}).
   */
  public static List<? extends Compared> evaluate(SparkSession spark, EvalConfig cfg) throws IOException {
    Models models = Models.of(cfg);
    return switch (models.task()) {
      case CLASSIFICATION -> run(spark, cfg, models);
      case DETECTION -> DetectionEvaluation.run(spark, cfg, models.ids(), models.classes());
      case SEGMENTATION -> SegmentationEvaluation.run(spark, cfg, models.ids(), models.classes());
    };
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: EvaluateJob CONFIG.json   (see docs/evaluation.md for the fields)");
      System.exit(2);
    }
    EvalConfig cfg = EvalConfig.read(Path.of(args[0]));
    NativeMemory.executorDefault(); // the executors run the models
    SparkSession spark = SparkSession.builder().appName("radlab-evaluate").getOrCreate();
    try {
      System.out.println(JSON.writeValueAsString(evaluate(spark, cfg)));
    } finally {
      spark.stop();
    }
  }

  /** Evaluates classifiers and returns the comparison table (also written to {@code comparison.json}). */
  public static List<ModelResult> run(SparkSession spark, EvalConfig cfg) throws IOException {
    Models models = Models.of(cfg);
    if (models.task() != TaskType.CLASSIFICATION) {
      throw new IllegalArgumentException("the models are " + models.task().id() + " models; evaluate them with"
          + " EvaluateJob.evaluate");
    }
    return run(spark, cfg, models);
  }

  private static List<ModelResult> run(SparkSession spark, EvalConfig cfg, Models models) throws IOException {
    long started = System.nanoTime();
    List<String> ids = models.ids();
    List<String> cls = models.classes();

    Map<String, String> labels = LabelSnapshot.read(Path.of(cfg.labels()));
    Map<String, Integer> classIndex = LabelSnapshot.classIndex(labels, cls, "the models");
    String root = cfg.dataset().replaceAll("/+$", "");
    if (!HadoopPaths.exists(spark, root + "/" + DatasetLayout.IMAGES)) {
      throw new IllegalArgumentException("dataset " + cfg.dataset() + " has no " + DatasetLayout.IMAGES);
    }
    List<Row> wanted = new ArrayList<>();
    java.util.Set<String> found = new java.util.HashSet<>();
    for (Row r : spark.read().parquet(root + "/" + DatasetLayout.IMAGES).select("image_id", "study_uid")
        .collectAsList()) {
      String label = labels.get(r.getString(1));
      if (label != null) {
        wanted.add(RowFactory.create(r.getString(0), r.getString(1), label));
        found.add(r.getString(1));
      }
    }
    long missing = labels.keySet().stream().filter(s -> !found.contains(s)).count();
    if (missing > 0) {
      throw new IllegalArgumentException(missing + " labelled studies have no image in the dataset; was the label"
          + " snapshot made for another dataset?");
    }
    System.err.printf("evaluate: %d models on %d images of %d studies%n", ids.size(), wanted.size(), labels.size());

    StructType wantedSchema = new StructType().add("image_id", DataTypes.StringType)
        .add("study_uid", DataTypes.StringType).add("reference", DataTypes.StringType);
    Dataset<Row> tensors = spark.read().parquet(root + "/" + DatasetLayout.TENSORS).select("image_id", "side", "data");
    PredictTask task = new PredictTask(List.copyOf(cfg.models()));
    List<Row> predicted = tensors.join(spark.createDataFrame(wanted, wantedSchema), "image_id").javaRDD()
        .mapPartitions(task::run).collect();

    // image level, then the mean over each study's images
    int k = cls.size();
    Map<String, Map<String, double[]>> studySums = new LinkedHashMap<>(); // model -> study -> sums, count last
    Map<String, String> studyReference = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (Row r : predicted) {
      int m = r.getInt(0);
      double[] p = (double[]) r.get(4);
      rows.add(row(ids.get(m), "image", r.getString(1), r.getString(2), r.getString(3), p, cls));
      double[] acc = studySums.computeIfAbsent(ids.get(m), x -> new TreeMap<>())
          .computeIfAbsent(r.getString(2), x -> new double[k + 1]);
      for (int c = 0; c < k; c++) {
        acc[c] += p[c];
      }
      acc[k]++;
      studyReference.put(r.getString(2), r.getString(3));
    }
    List<ModelResult> results = new ArrayList<>();
    Path out = Path.of(cfg.output());
    Files.createDirectories(out);
    for (int m = 0; m < ids.size(); m++) {
      Map<String, double[]> studies = studySums.getOrDefault(ids.get(m), Map.of());
      double[][] probs = new double[studies.size()][];
      int[] reference = new int[studies.size()];
      int i = 0;
      for (var e : studies.entrySet()) {
        double[] mean = new double[k];
        for (int c = 0; c < k; c++) {
          mean[c] = e.getValue()[c] / e.getValue()[k];
        }
        probs[i] = mean;
        reference[i] = classIndex.get(studyReference.get(e.getKey()));
        rows.add(row(ids.get(m), "study", null, e.getKey(), studyReference.get(e.getKey()), mean, cls));
        i++;
      }
      MetricsReport report = MetricsReport.compute(cls, reference, probs,
          new MetricsReport.Options(cfg.positive(), cfg.threshold(), cfg.bootstrap(), 0.95, cfg.seed()));
      Path dir = Files.createDirectories(out.resolve(ids.get(m)));
      JSON.writeValue(dir.resolve("metrics.json").toFile(), report);
      Charts.forReport(report, ids.get(m), dir);
      results.add(new ModelResult(ids.get(m), cfg.models().get(m), report.cases(), report.kappa().get("linear"),
          report.kappaLinearCi(), report.aucMacro(), report.aucMacroCi(), report.binary().auc(),
          report.binary().sensitivity(), report.binary().specificity(), report.accuracy()));
    }
    spark.createDataFrame(rows, predictionSchema(cls)).write().mode(SaveMode.Overwrite).partitionBy("level")
        .parquet(out.resolve("predictions.parquet").toString());
    return finish(out, results, csv(results), started);
  }

  /** Writes the comparison table ({@code comparison.json}, and {@code csv} as {@code comparison.csv}); says so. */
  static <T extends Compared> List<T> finish(Path out, List<T> results, String csv, long started)
      throws IOException {
    JSON.writeValue(out.resolve("comparison.json").toFile(), results);
    Files.writeString(out.resolve("comparison.csv"), csv);
    System.err.printf("evaluate: done in %.1f s; results in %s%n", (System.nanoTime() - started) / 1e9, out);
    return results;
  }

  /**
   * The images a detection or segmentation snapshot lists, from the dataset's catalog, each with its sizes (the
   * geometry between its PNG and the model input): {@code catalog} by image id, and {@code rows} in the snapshot's
   * order for {@link #tensorsOf}. An image not in the catalog, or without recorded sizes, is an error.
   */
  record SizedImages(Map<String, org.radlab.core.dataset.ImageList.Entry> catalog, List<Row> rows) {
    static SizedImages of(SparkSession spark, EvalConfig cfg, List<String> images) throws IOException {
      String catalogFile = cfg.dataset().replaceAll("/+$", "") + "/" + org.radlab.core.dataset.ImageList.FILE;
      if (!HadoopPaths.exists(spark, catalogFile)) {
        throw new IllegalArgumentException("dataset " + cfg.dataset() + " has no " + org.radlab.core.dataset.ImageList
            .FILE);
      }
      Map<String, org.radlab.core.dataset.ImageList.Entry> catalog = org.radlab.core.dataset.ImageList.index(
          spark.read().textFile(catalogFile).collectAsList(), catalogFile);
      List<Row> rows = new ArrayList<>();
      for (String image : images) {
        org.radlab.core.dataset.ImageList.Entry e = catalog.get(image);
        if (e == null) {
          throw new IllegalArgumentException("image " + image + " of the label snapshot is not in the dataset; was"
              + " the snapshot made for another dataset?");
        }
        if (e.columns() == null || e.rows() == null || e.pngWidth() == null || e.pngHeight() == null) {
          throw new IllegalArgumentException("image " + image + " has no recorded sizes: prepare the dataset again");
        }
        rows.add(RowFactory.create(image, e.studyUid(), e.columns(), e.rows(), e.pngWidth(), e.pngHeight()));
      }
      return new SizedImages(catalog, rows);
    }

    private static final StructType SCHEMA = new StructType().add("image_id", DataTypes.StringType)
        .add("study_uid", DataTypes.StringType).add("columns", DataTypes.IntegerType)
        .add("rows", DataTypes.IntegerType).add("png_width", DataTypes.IntegerType)
        .add("png_height", DataTypes.IntegerType);

    /**
     * The images' tensors joined to their sizes (columns {@code image_id, side, data, study_uid, columns, rows,
     * png_width, png_height}), each Spark task running {@code task} over its share.
     */
    List<Row> run(SparkSession spark, EvalConfig cfg,
        org.apache.spark.api.java.function.FlatMapFunction<java.util.Iterator<Row>, Row> task) {
      String root = cfg.dataset().replaceAll("/+$", "");
      return spark.read().parquet(root + "/" + DatasetLayout.TENSORS).select("image_id", "side", "data")
          .join(spark.createDataFrame(rows, SCHEMA), "image_id").javaRDD().mapPartitions(task).collect();
    }
  }

  /** What a Spark task does with one model and the preprocessed inputs of its partition's images. */
  interface ModelPass extends Serializable {
    /** Adds the rows of model {@code m} (its index in the config) over {@code images} to {@code out}. */
    void run(int m, TrainedModel model, List<Row> images, List<float[]> inputs, List<Row> out);
  }

  /**
   * Runs each of {@code models} over one partition's images (columns {@code data} and {@code side}), preprocessed
   * for that model, with one libtorch thread (the tasks already run one per core); returns the rows {@code pass}
   * made. Models come from core's cache, one task at a time using each.
   */
  static java.util.Iterator<Row> eachModel(List<String> models, java.util.Iterator<Row> it, ModelPass pass)
      throws IOException {
    List<Row> images = new ArrayList<>();
    it.forEachRemaining(images::add);
    List<Row> out = new ArrayList<>();
    if (images.isEmpty()) {
      return out.iterator();
    }
    TorchSetup.useThreads(1);
    for (int m = 0; m < models.size(); m++) {
      TrainedModel model = TrainedModel.cached(Path.of(models.get(m)));
      List<float[]> inputs = new ArrayList<>(images.size());
      for (Row r : images) {
        inputs.add(model.preprocessing().apply(r.<byte[]>getAs("data"), r.<Integer>getAs("side")));
      }
      synchronized (model) {
        pass.run(m, model, images, inputs, out);
      }
    }
    return out.iterator();
  }

  /** Runs every model over one partition's images; a row per model and image. */
  private record PredictTask(List<String> models) implements Serializable {
    java.util.Iterator<Row> run(java.util.Iterator<Row> it) throws IOException {
      return eachModel(models, it, (m, model, images, inputs, out) -> {
        float[][] p = model.predict(inputs);
        for (int i = 0; i < images.size(); i++) {
          double[] d = new double[p[i].length];
          for (int c = 0; c < d.length; c++) {
            d[c] = p[i][c];
          }
          Row r = images.get(i);
          out.add(RowFactory.create(m, r.<String>getAs("image_id"), r.<String>getAs("study_uid"),
              r.<String>getAs("reference"), d));
        }
      });
    }
  }

  private static Row row(String model, String level, String image, String study, String reference, double[] p,
      List<String> classes) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    Object[] v = new Object[6 + p.length];
    v[0] = model;
    v[1] = level;
    v[2] = image;
    v[3] = study;
    v[4] = reference;
    v[5] = classes.get(best);
    for (int c = 0; c < p.length; c++) {
      v[6 + c] = p[c];
    }
    return RowFactory.create(v);
  }

  /** model, level, image_id (null at study level), study_uid, reference, predicted, then p_CLASS per class. */
  static StructType predictionSchema(List<String> classes) {
    StructType s = new StructType().add("model", DataTypes.StringType).add("level", DataTypes.StringType)
        .add("image_id", DataTypes.StringType).add("study_uid", DataTypes.StringType)
        .add("reference", DataTypes.StringType).add("predicted", DataTypes.StringType);
    for (String c : classes) {
      s = s.add("p_" + c.replaceAll("[^A-Za-z0-9_]", "_"), DataTypes.DoubleType);
    }
    return s;
  }

  private static String csv(List<ModelResult> results) {
    StringBuilder b = new StringBuilder("model,studies,kappa_linear,kappa_lower,kappa_upper,auc_macro,auc_lower,"
        + "auc_upper,binary_auc,sensitivity,specificity,accuracy\n");
    for (ModelResult r : results) {
      b.append(String.join(",", r.model(), Integer.toString(r.studies()), num(r.kappaLinear()),
          num(r.kappaCi() == null ? Double.NaN : r.kappaCi().lower()),
          num(r.kappaCi() == null ? Double.NaN : r.kappaCi().upper()), num(r.aucMacro()),
          num(r.aucCi() == null ? Double.NaN : r.aucCi().lower()), num(r.aucCi() == null ? Double.NaN : r.aucCi().upper()),
          num(r.binaryAuc()), num(r.sensitivity()), num(r.specificity()), num(r.accuracy()))).append('\n');
    }
    return b.toString();
  }

  static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.4f", v);
  }

  /** The model's card; a folder without one is a mistake in the job's config (IllegalArgumentException). */
  private static ModelCard readCard(Path dir) throws IOException {
    try {
      return ModelCard.in(dir);
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
