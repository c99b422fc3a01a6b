package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.testing.DetectionReference;
import org.radlab.prep.BoxLabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.spark.SparkSessions;
import org.radlab.train.TrainJob;
import picocli.CommandLine;

/**
 * A detector trained by the training job on synthetic lesions, evaluated by the evaluation job: its boxes come back
 * in the PNG's pixels, and its metrics are those the numpy reference computes from the same boxes.
 */
class DetectionEvaluateTest {
  static final List<String> CLASSES = List.of("mass", "calcification");
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path dataset;
  static Path labels;
  static Path model;

  @BeforeAll
  static void trainADetector() throws Exception {
    spark = SparkSessions.start("radlab-eval-detection-test", "local[2]");
    Path in = tmp.resolve("dicom");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", in.toString(), "--studies", "16", "--seed",
        "8", "--lesions"));
    dataset = tmp.resolve("dataset");
    PrepJob.run(spark, PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(200, 128)
        .withSecretFile(tmp.resolve("secret").toString()));
    labels = BoxLabelImport.run(spark, new BoxLabelImport.Request(dataset.toString(), null, in.resolve("boxes.csv"),
        "SOPInstanceUID", CLASSES, tmp.resolve("labels"), null)).snapshot();
    model = tmp.resolve("models").resolve("det");
    TrainConfig cfg = TrainConfig.of(dataset.toString(), labels.toString(), CLASSES).with("{\"task\":\"detection\","
        + "\"inputSize\":64,\"batchSize\":16,\"maxEpochs\":3,\"learningRate\":0.002,\"jobId\":\"det\",\"output\":\""
        + model + "\"}");
    assertEquals("completed", TrainJob.run(spark, cfg).status());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aDetectorsBoxesAreScoredAsTheNumpyReferenceScoresThem() throws Exception {
    Path out = tmp.resolve("eval");
    EvalConfig cfg = new EvalConfig(dataset.toString(), labels.toString(), List.of(model.toString()), null, null,
        100, 3L, "e1", out.toString());
    List<? extends EvaluateJob.Compared> results = EvaluateJob.evaluate(spark, cfg);
    DetectionEvaluation.DetectorResult row = assertInstanceOf(DetectionEvaluation.DetectorResult.class,
        results.get(0));
    BoxTable reference = BoxTable.readReference(labels, BoxTable.IMAGE);
    assertEquals(reference.images().size(), row.images(), "every listed image is evaluated");
    assertEquals(reference.boxes().size(), row.references());

    // the boxes are in the PNG's pixels: inside each image's PNG, by the catalog's sizes
    Path predictions = out.resolve("det").resolve("predictions.csv");
    BoxTable found = BoxTable.readPredictions(predictions, BoxTable.IMAGE);
    assertTrue(found.boxes().size() > 0, "a detector trained for a few epochs still proposes boxes");
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    for (BoxTable.Box b : found.boxes()) {
      ImageList.Entry e = catalog.get(b.image());
      assertTrue(b.xMin() >= 0 && b.yMin() >= 0 && b.xMax() <= e.pngWidth() && b.yMax() <= e.pngHeight(),
          b + " inside " + e.pngWidth() + "x" + e.pngHeight());
      assertTrue(b.score() >= 0.05 && b.score() <= 1, "score " + b.score());
    }

    JsonNode metrics = new ObjectMapper().readTree(out.resolve("det").resolve("metrics.json").toFile());
    JsonNode numpy = DetectionReference.run(labels, predictions, tmp, false);
    for (String k : new String[] {"mAP", "AP50", "AP75"}) {
      assertEquals(numpy.get(k).asDouble(), metrics.get(k).asDouble(), 1e-9, k);
    }
    assertEquals(row.map(), metrics.get("mAP").asDouble(), 1e-12, "the comparison row is the model's metrics");
    for (String chart : new String[] {"precision-recall.png", "froc.png", "precision-recall.svg", "froc.svg"}) {
      assertTrue(Files.size(out.resolve("det").resolve(chart)) > 1000, chart);
    }
    assertEquals(found.boxes().size(), spark.read().parquet(out.resolve("predictions.parquet").toString()).count());
    JsonNode comparison = new ObjectMapper().readTree(out.resolve("comparison.json").toFile()).get(0);
    assertEquals("det", comparison.get("model").asText());
    assertTrue(comparison.has("map") && comparison.has("ap50"), comparison.toString());
  }

  @Test
  void aClassifierEvaluationOfADetectorIsRefusedNamingTheTask() {
    EvalConfig cfg = new EvalConfig(dataset.toString(), labels.toString(), List.of(model.toString()), null, null,
        0, 3L, "e2", tmp.resolve("eval2").toString());
    var e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark, cfg));
    assertTrue(e.getMessage().contains("detection"), e.getMessage());
  }
}
