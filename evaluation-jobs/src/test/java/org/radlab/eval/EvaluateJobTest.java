package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.DatasetTensors;
import org.radlab.core.dicom.RenderOptions;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.metrics.Kappa;
import org.radlab.core.model.ImageTensors;
import org.radlab.core.model.TrainedModel;
import org.radlab.core.testing.DicomTools;
import org.radlab.prep.LabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.spark.SparkSessions;
import org.radlab.train.TrainJob;
import picocli.CommandLine;

/** Two models trained by the training job on synthetic density data, evaluated side by side. */
class EvaluateJobTest {
  static final List<String> CLASSES = List.of("A", "B", "C", "D");
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path dataset;
  static Path labels;
  static Path modelA;
  static Path modelB;

  @BeforeAll
  static void trainTwoModels() throws Exception {
    spark = SparkSessions.start("radlab-eval-test", "local[2]");
    Path in = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", in.toString(), "--studies", "40", "--seed",
        "5"));
    dataset = tmp.resolve("dataset");
    PrepJob.run(spark, PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(256, 64)
        .withSecretFile(tmp.resolve("secret").toString()));
    labels = LabelImport.run(spark, new LabelImport.Request(dataset.toString(), null, in.resolve("labels.csv"),
        "StudyInstanceUID", "density", CLASSES, tmp.resolve("labels"), null)).snapshot();
    modelA = train("a", "resnet18");
    modelB = train("b", "densenet121");
  }

  private static Path train(String id, String arch) throws Exception {
    Path out = tmp.resolve("models").resolve(id);
    TrainConfig cfg = TrainConfig.of(dataset.toString(), labels.toString(), CLASSES).with("{\"inputSize\":64,"
        + "\"batchSize\":16,\"maxEpochs\":1,\"architecture\":\"" + arch + "\",\"jobId\":\"" + id + "\",\"output\":\""
        + out + "\"}");
    assertEquals("completed", TrainJob.run(spark, cfg).status());
    return out;
  }

  @Test
  void evaluatesEveryModelOnEveryLabelledStudy() throws Exception {
    Path out = tmp.resolve("eval");
    EvalConfig cfg = new EvalConfig(dataset.toString(), labels.toString(), List.of(modelA.toString(),
        modelB.toString()), List.of("C", "D"), 0.5, 200, 3L, "e1", out.toString());
    List<EvaluateJob.ModelResult> results = EvaluateJob.run(spark, cfg);
    assertEquals(2, results.size());
    assertEquals(List.of("a", "b"), results.stream().map(EvaluateJob.ModelResult::model).toList());

    List<Row> images = spark.read().parquet(out.resolve("predictions.parquet").toString())
        .filter("level = 'image'").collectAsList();
    List<Row> studies = spark.read().parquet(out.resolve("predictions.parquet").toString())
        .filter("level = 'study'").collectAsList();
    long datasetImages = spark.read().parquet(dataset.resolve("images.parquet").toString()).count();
    assertEquals(2 * datasetImages, images.size(), "every image, by each model");
    assertEquals(2 * 40, studies.size(), "every labelled study, by each model");

    // a study's probabilities are the mean of its images'
    Map<String, double[]> sums = new HashMap<>();
    for (Row r : images) {
      double[] acc = sums.computeIfAbsent(r.getAs("model") + "/" + r.getAs("study_uid"), k -> new double[5]);
      for (int c = 0; c < 4; c++) {
        acc[c] += r.<Double>getAs("p_" + CLASSES.get(c));
      }
      acc[4]++;
    }
    for (Row r : studies) {
      double[] acc = sums.get(r.getAs("model") + "/" + r.getAs("study_uid"));
      for (int c = 0; c < 4; c++) {
        assertEquals(acc[c] / acc[4], r.<Double>getAs("p_" + CLASSES.get(c)), 1e-9);
      }
    }

    // the comparison's kappa is the study-level table's
    for (EvaluateJob.ModelResult result : results) {
      List<Row> mine = studies.stream().filter(r -> r.getAs("model").equals(result.model())).toList();
      int[] ref = mine.stream().mapToInt(r -> CLASSES.indexOf(r.<String>getAs("reference"))).toArray();
      int[] pred = mine.stream().mapToInt(r -> CLASSES.indexOf(r.<String>getAs("predicted"))).toArray();
      assertEquals(Kappa.of(ref, pred, 4, Kappa.Weighting.LINEAR), result.kappaLinear(), 1e-12);
      JsonNode metrics = new ObjectMapper().readTree(out.resolve(result.model()).resolve("metrics.json").toFile());
      assertEquals(40, metrics.get("cases").asInt());
      assertEquals(200, metrics.get("kappaLinearCi").get("resamples").asInt());
    }

    // the job's predictions for an image match the model run directly, outside Spark
    Row one = images.stream().filter(r -> r.getAs("model").equals("a")).findFirst().orElseThrow();
    Row tensor = spark.read().parquet(dataset.resolve("tensors").toString())
        .filter(org.apache.spark.sql.functions.col("image_id").equalTo(one.<String>getAs("image_id"))).first();
    try (TrainedModel direct = TrainedModel.load(modelA)) {
      float[] p = direct.predict(List.of(direct.preprocessing().apply(tensor.<byte[]>getAs("data"),
          tensor.<Integer>getAs("side"))))[0];
      double[] viaJob = new double[4];
      for (int c = 0; c < 4; c++) {
        viaJob[c] = one.<Double>getAs("p_" + CLASSES.get(c));
      }
      assertArrayEquals(new double[] {p[0], p[1], p[2], p[3]}, viaJob, 1e-6);
    }
    assertTrue(Files.readString(out.resolve("comparison.csv")).startsWith("model,studies,kappa_linear"));

    runnerPredictsAsTheJob(images);
  }

  /**
   * core's model runner, fed as the control API's Run feeds it (the dataset's tensor read without Spark; an
   * uploaded DICOM through prep's pixel pipeline), gives the job's probabilities: for every image of model a, and
   * for the original DICOM of a right-breast MONOCHROME1 image (found with dcmtk), within 1e-5.
   */
  private static void runnerPredictsAsTheJob(List<Row> images) throws Exception {
    TrainedModel model = TrainedModel.cached(modelA);
    int checked = 0;
    Map<String, double[]> byJob = new HashMap<>();
    for (Row r : images) {
      if (!r.getAs("model").equals("a")) {
        continue;
      }
      double[] viaJob = new double[4];
      for (int c = 0; c < 4; c++) {
        viaJob[c] = r.<Double>getAs("p_" + CLASSES.get(c));
      }
      byJob.put(r.getAs("image_id"), viaJob);
      DatasetTensors.Tensor t = DatasetTensors.find(dataset, r.getAs("image_id")).orElseThrow();
      float[] p;
      synchronized (model) {
        p = model.predictTensor(t.values(), t.side());
      }
      assertArrayEquals(viaJob, new double[] {p[0], p[1], p[2], p[3]}, 1e-5, "image " + r.getAs("image_id"));
      checked++;
    }
    assertTrue(checked >= 160, "every image of 40 studies: " + checked);

    Path dicom = DicomTools.firstWith(tmp.resolve("dicom"), Map.of("PhotometricInterpretation", "MONOCHROME1",
        "ImageLaterality", "R")).orElse(null);
    assertTrue(dicom != null, "synth wrote a right-breast MONOCHROME1 image");
    String source = dicom.toAbsolutePath().toUri().getPath();
    String imageId = null;
    for (Row r : spark.read().parquet(dataset.resolve("private/id-map.parquet").toString())
        .select("source_path", "image_id").collectAsList()) {
      if (java.net.URI.create(r.getString(0)).getPath().equals(source)) {
        imageId = r.getString(1);
      }
    }
    assertTrue(imageId != null, dicom + " is in the id map");
    float[] upload = ImageTensors.fromDicom(Files.readAllBytes(dicom), model.tensorSide(),
        new RenderOptions(0, true));
    float[] p;
    synchronized (model) {
      p = model.predictTensor(upload, model.tensorSide());
    }
    assertArrayEquals(byJob.get(imageId), new double[] {p[0], p[1], p[2], p[3]}, 1e-5, "DICOM " + dicom);
    // Without the mirroring (as before the upload path followed prep) the tensor differs: the check can fail.
    float[] unflipped = ImageTensors.fromDicom(Files.readAllBytes(dicom), model.tensorSide(),
        new RenderOptions(0, false));
    assertTrue(!java.util.Arrays.equals(upload, unflipped));
  }

  @Test
  void modelsWithDifferentClassesAreRefused() throws Exception {
    Path other = tmp.resolve("models/other");
    Files.createDirectories(other);
    Files.writeString(other.resolve("model.json"), "{\"id\":\"other\",\"classes\":[\"x\",\"y\"]}");
    EvalConfig cfg = new EvalConfig(dataset.toString(), labels.toString(), List.of(modelA.toString(),
        other.toString()), null, null, 0, null, "e2", tmp.resolve("eval2").toString());
    var e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark, cfg));
    assertTrue(e.getMessage().contains("share their classes"), e.getMessage());
  }
}
