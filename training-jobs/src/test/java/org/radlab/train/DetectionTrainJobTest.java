package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;
import org.radlab.core.task.TaskType;

/** Training a detector end to end in local mode, on synthetic mammograms with masses and calcification clusters. */
class DetectionTrainJobTest {
  private static final List<String> CLASSES = List.of("mass", "calcification");
  @TempDir static Path tmp;
  static TrainTestData data;

  @BeforeAll
  static void prepare() throws Exception {
    data = TrainTestData.lesions(tmp.resolve("data"), 40, 7, 256, 128);
  }

  private static TrainConfig config(String jobId, String json) throws Exception {
    return TrainConfig.of(data.dataset.toString(), data.labels.toString(), CLASSES)
        .with("{\"task\":\"detection\",\"inputSize\":128,\"batchSize\":16,\"maxEpochs\":2,\"learningRate\":0.002,"
            + "\"jobId\":\"" + jobId + "\",\"output\":\"" + tmp.resolve("models").resolve(jobId) + "\""
            + (json.isEmpty() ? "" : "," + json) + "}");
  }

  @Test
  void aDetectorTrainsAndReportsMapPerEpoch() throws Exception {
    TrainConfig cfg = config("detect", "\"maxEpochs\":12,\"augmentation\":\"flips_rotations\",\"maxRotation\":10");
    ModelCard card = TrainJob.run(TrainTestData.spark(), cfg);
    System.err.println("detector curves: " + card.curves() + "\nvalidation: " + card.validation());
    assertEquals("completed", card.status());
    assertEquals(TaskType.DETECTION, card.task());
    assertEquals(12, card.curves().size());
    // every reference box is in the training or the validation images, counted by class from synth's own file
    BoxTable truth = BoxTable.readReference(data.synthLabels, "SOPInstanceUID");
    for (int c = 0; c < CLASSES.size(); c++) {
      String label = CLASSES.get(c);
      long expected = truth.boxes().stream().filter(b -> b.label().equals(label)).count();
      assertEquals(expected, card.trainBoxesPerClass()[c] + card.validationBoxesPerClass()[c], label);
    }
    assertNull(card.trainStudiesPerClass(), "a detector's card has no studies per class");
    for (ModelCard.EpochStats e : card.curves()) {
      assertTrue(e.map() >= 0 && e.map() <= 1 && e.ap50() >= e.map(), "epoch " + e);
    }
    // a dozen short epochs are far from a useful detector (bench/detect trains one), but it learns: the kept epoch
    // finds more than the first did, and the validation loss falls
    ModelCard.EpochStats first = card.curves().get(0);
    assertTrue(card.validation().map() > first.map() && card.validation().ap50() > 0.01,
        "validation mAP " + card.validation().map() + ", AP50 " + card.validation().ap50() + ", first epoch " + first);
    assertTrue(card.curves().get(11).validationLoss() < first.validationLoss(), "validation loss falls");
    assertTrue(card.curves().get(11).trainLoss() < card.curves().get(0).trainLoss(), "training loss falls");

    Path dir = Path.of(cfg.output());
    JsonNode json = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
    assertEquals("detection", json.get("task").asText());
    assertEquals("detection", json.get("config").get("task").asText());
    assertTrue(json.get("validation").get("apPerClass").has("calcification"), json.get("validation").toString());
    List<String> progress = Files.readAllLines(cfg.jobDir().resolve("progress"));
    JsonNode epoch = new ObjectMapper().readTree(progress.stream().filter(l -> l.contains("\"epoch\":\"epoch\"")
        || l.contains("\"event\":\"epoch\"")).findFirst().orElseThrow());
    assertTrue(epoch.has("map") && epoch.has("ap50") && !epoch.has("kappa"), epoch.toString());
  }
}
