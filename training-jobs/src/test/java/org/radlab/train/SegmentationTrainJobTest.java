package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;
import org.radlab.core.task.TaskType;

/** Training a U-Net end to end in local mode, on synthetic CT series with a liver and a lesion in it. */
class SegmentationTrainJobTest {
  private static final List<String> CLASSES = List.of("liver", "lesion");
  @TempDir static Path tmp;
  static TrainTestData data;

  @BeforeAll
  static void prepare() throws Exception {
    data = TrainTestData.ct(tmp.resolve("data"), 6, 16, 64, 7);
  }

  private static TrainConfig config(String jobId, String json) throws Exception {
    return TrainConfig.of(data.dataset.toString(), data.labels.toString(), CLASSES)
        .with("{\"task\":\"segmentation\",\"inputSize\":64,\"batchSize\":8,\"learningRate\":0.003,"
            + "\"jobId\":\"" + jobId + "\",\"output\":\"" + tmp.resolve("models").resolve(jobId) + "\""
            + (json.isEmpty() ? "" : "," + json) + "}");
  }

  @Test
  void aUNetTrainsAndReportsDicePerEpoch() throws Exception {
    TrainConfig cfg = config("segment", "\"maxEpochs\":12,\"augmentation\":\"flips_rotations\","
        + "\"maxRotation\":10");
    assertEquals("unet", cfg.architecture());
    assertEquals("dice_cross_entropy", cfg.loss());
    assertEquals(TrainConfig.Monitor.DICE, cfg.monitor());
    ModelCard card = TrainJob.run(TrainTestData.spark(), cfg);
    System.err.println("segmenter curves: " + card.curves() + "\nvalidation: " + card.validation());
    assertEquals("completed", card.status());
    assertEquals(TaskType.SEGMENTATION, card.task());
    assertEquals(12, card.curves().size());
    assertNull(card.trainStudiesPerClass(), "a segmenter's card has no studies per class");
    for (ModelCard.EpochStats e : card.curves()) {
      assertTrue(e.dice() >= 0 && e.dice() <= 1 && e.iou() <= e.dice() && e.map() == null, "epoch " + e);
    }
    // a dozen short epochs are far from a useful segmenter (bench/segment trains one), but it learns: the kept epoch
    // overlaps the lesions where the first found none, and the training loss falls
    ModelCard.EpochStats first = card.curves().get(0);
    assertTrue(card.validation().dice() > first.dice() + 0.05,
        "validation Dice " + card.validation().dice() + ", first epoch " + first);
    assertTrue(card.curves().get(11).trainLoss() < first.trainLoss(), "training loss falls");

    JsonNode json = new ObjectMapper().readTree(Path.of(cfg.output()).resolve("model.json").toFile());
    assertEquals("segmentation", json.get("task").asText());
    assertTrue(json.get("validation").get("dicePerClass").has("lesion"), json.get("validation").toString());
    List<String> progress = Files.readAllLines(cfg.jobDir().resolve("progress"));
    JsonNode epoch = new ObjectMapper().readTree(progress.stream().filter(l -> l.contains("\"event\":\"epoch\""))
        .findFirst().orElseThrow());
    assertTrue(epoch.has("dice") && epoch.has("iou") && !epoch.has("kappa") && !epoch.has("map"), epoch.toString());
  }

  @Test
  void aConfigThatCannotSegmentIsRefusedNamingTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"architecture\":\"resnet18\""));
    assertTrue(e.getMessage().contains("unet"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"monitor\":\"map\""));
    assertTrue(e.getMessage().contains("dice or loss"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"inputSize\":120"));
    assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"loss\":\"sigmoid_focal\""));
    assertTrue(e.getMessage().contains("dice_cross_entropy"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"patchSize\":40"));
    assertTrue(e.getMessage().contains("patchSize must be a multiple of 16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"patchSize\":80"));
    assertTrue(e.getMessage().contains("patchSize"), e.getMessage());
  }

  @Test
  void patchesAreOnlyForSegmentersAndFollowTheInputUnlessSet() throws Exception {
    TrainConfig whole = config("whole", "");
    assertEquals(64, whole.patchSize(), "the whole input by default");
    assertEquals(96, whole.with("{\"inputSize\":96}").patchSize(), "a default patch follows the input");
    assertEquals(32, whole.with("{\"patchSize\":32}").with("{\"inputSize\":96}").patchSize(), "a set one stays");
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.of("ds", "labels.csv", List.of("a", "b")).with("{\"patchSize\":64}"));
    assertTrue(e.getMessage().contains("segmentation only"), e.getMessage());
    assertEquals(100, TrainConfig.of("ds", "labels.csv", List.of("a", "b")).with("{\"inputSize\":100}").inputSize(),
        "a classifier's input need not be a multiple of 16");
  }

  @Test
  void aUNetTrainsOnPatchesAndIsValidatedOnTheWholeInput() throws Exception {
    // with the decaying learning rate, whose factor each step computes from its place among the run's steps (a
    // step past the last would be refused)
    TrainConfig cfg = config("patches", "\"patchSize\":32,\"maxEpochs\":6,\"schedule\":\"poly\"");
    ModelCard card = TrainJob.run(TrainTestData.spark(), cfg);
    System.err.println("segmenter on patches, curves: " + card.curves() + "\nvalidation: " + card.validation());
    assertEquals("completed", card.status());
    assertEquals(6, card.curves().size());
    // validation ran on the whole 64-pixel inputs (a patch-sized pass would not fit the masks) and the model learns
    // from patches: its training loss falls and the kept epoch finds part of the livers
    assertTrue(card.curves().get(5).trainLoss() < card.curves().get(0).trainLoss(), card.curves().toString());
    assertTrue(card.validation().dicePerClass().get("liver") > 0.3, card.validation().toString());
    assertEquals(64, card.preprocessing().inputSize());
    assertEquals(32, card.config().patchSize(), "the card keeps how it was trained");
    assertEquals(org.radlab.core.model.LearningRateSchedule.POLY, card.config().schedule());
  }
}
