package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;

/** The training job end to end in local mode, on synthetic mammograms whose density a model can learn. */
class TrainJobTest {
  @TempDir static Path tmp;
  static TrainTestData data;

  @BeforeAll
  static void prepare() throws Exception {
    data = TrainTestData.create(tmp.resolve("data"), 80, 5);
  }

  private static TrainConfig config(String jobId, String json) throws Exception {
    return TrainConfig.of(data.dataset.toString(), data.labels.toString(), TrainTestData.CLASSES)
        .with("{\"inputSize\":64,\"batchSize\":16,\"maxEpochs\":2,\"jobId\":\"" + jobId + "\",\"output\":\""
            + tmp.resolve("models").resolve(jobId) + "\"" + (json.isEmpty() ? "" : "," + json) + "}");
  }

  private static List<JsonNode> progress(TrainConfig cfg) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(cfg.jobDir().resolve("progress"))) {
      out.add(new ObjectMapper().readTree(line));
    }
    return out;
  }

  @Test
  void learnsDensityFarAboveChance() throws Exception {
    TrainConfig cfg = config("learn", "\"maxEpochs\":8,\"augmentation\":\"flips_rotations\",\"maxRotation\":10");
    ModelCard card = TrainJob.run(TrainTestData.spark(), cfg);
    assertEquals("completed", card.status());
    assertEquals(8, card.curves().size());
    assertTrue(card.bestEpoch() >= 1);
    assertNotNull(card.validation());
    // chance is 0 for kappa; an untrained model predicting one class scores 0 as well
    assertTrue(card.validation().kappaLinear() > 0.4, "validation kappa " + card.validation().kappaLinear()
        + ", curves " + card.curves());
    assertTrue(card.validation().auc() > 0.7, "validation AUC " + card.validation().auc());
    assertTrue(card.curves().get(7).trainLoss() < card.curves().get(0).trainLoss(), "training loss falls");
    Path dir = Path.of(cfg.output());
    assertTrue(Files.size(dir.resolve("weights.params")) > 1000);
    JsonNode json = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
    assertEquals("resnet18", json.get("architecture").asText());
    assertEquals(4, json.get("validation").get("confusionMatrix").size());
    assertEquals(64, json.get("preprocessing").get("inputSize").asInt());
    assertEquals("flips_rotations", json.get("config").get("augmentation").asText());
    // every study is in the training or the validation set, never both
    int studies = 0;
    for (int c = 0; c < 4; c++) {
      studies += card.trainStudiesPerClass()[c] + card.validationStudiesPerClass()[c];
    }
    assertEquals(80, studies);

    List<JsonNode> events = progress(cfg);
    assertEquals("start", events.get(0).get("event").asText());
    assertEquals("finished", events.get(events.size() - 1).get("event").asText());
    long epochs = events.stream().filter(e -> e.get("event").asText().equals("epoch")).count();
    assertEquals(8, epochs);
    JsonNode step = events.stream().filter(e -> e.get("event").asText().equals("step")).findFirst().orElseThrow();
    for (String field : new String[] {"epoch", "step", "loss", "imagesPerSecond", "etaSeconds"}) {
      assertTrue(step.has(field), field + " in " + step);
    }
    // The round's parts: the first round broadcasts the whole weights, and no part outlasts the round.
    assertTrue(step.path("broadcastSeconds").asDouble() > 0, step.toString());
    events.stream().filter(e -> e.get("event").asText().equals("step")).forEach(s -> {
      double round = s.path("roundSeconds").asDouble();
      double parts = s.path("computeSeconds").asDouble() + s.path("broadcastSeconds").asDouble()
          + s.path("averageSeconds").asDouble();
      assertTrue(s.path("averageSeconds").asDouble() >= 0 && parts <= round + 1e-6, s.toString());
    });
  }

  @Test
  void theSameSeedGivesTheSameRunAndAResumeContinuesIt() throws Exception {
    ModelCard a = TrainJob.run(TrainTestData.spark(), config("same-a", "\"maxEpochs\":2"));
    ModelCard b = TrainJob.run(TrainTestData.spark(), config("same-b", "\"maxEpochs\":2"));
    assertEquals(a.curves().get(1).trainLoss(), b.curves().get(1).trainLoss(), 0.0);
    assertEquals(a.curves().get(1).validationLoss(), b.curves().get(1).validationLoss(), 0.0);
    assertArrayEquals(Files.readAllBytes(Path.of(a.config().output()).resolve("checkpoint/weights-2.params")),
        Files.readAllBytes(Path.of(b.config().output()).resolve("checkpoint/weights-2.params")));

    // one epoch, then the same job again with two: it resumes after epoch 1 and matches the uninterrupted run
    ModelCard first = TrainJob.run(TrainTestData.spark(), config("resumed", "\"maxEpochs\":1"));
    assertEquals(1, first.curves().size());
    ModelCard resumed = TrainJob.run(TrainTestData.spark(), config("resumed", "\"maxEpochs\":2"));
    assertEquals(2, resumed.curves().size());
    assertEquals(a.curves().get(0).trainLoss(), resumed.curves().get(0).trainLoss(), 0.0);
    // the second epoch too: weights, batch-norm statistics and the optimizer's moments and step count came back
    assertEquals(a.curves().get(1).trainLoss(), resumed.curves().get(1).trainLoss(), 0.0);
    assertArrayEquals(Files.readAllBytes(Path.of(a.config().output()).resolve("checkpoint/weights-2.params")),
        Files.readAllBytes(Path.of(resumed.config().output()).resolve("checkpoint/weights-2.params")));
    JsonNode resume = progress(resumed.config()).stream().filter(e -> e.get("event").asText().equals("resume"))
        .findFirst().orElseThrow();
    assertEquals(1, resume.get("optimizerStates").asInt());
    assertTrue(Files.size(Path.of(resumed.config().output()).resolve("checkpoint/optimizer-0-2.bin")) > 0);
    // a different config in the same folder is refused rather than mixed
    TrainConfig other = config("resumed", "\"maxEpochs\":2,\"learningRate\":0.01");
    assertThrows(IllegalArgumentException.class, () -> TrainJob.run(TrainTestData.spark(), other));
  }

  @Test
  void cancellingLeavesAConsistentModelFolder() throws Exception {
    TrainConfig cfg = config("cancel", "\"maxEpochs\":50");
    Files.deleteIfExists(cfg.jobDir().resolve("progress"));
    Files.deleteIfExists(cfg.jobDir().resolve("cancel"));
    Files.createDirectories(cfg.jobDir());
    Thread canceller = new Thread(() -> {
      try {
        Path progress = cfg.jobDir().resolve("progress");
        // wait for the first finished epoch, then ask to stop
        while (!Files.exists(progress) || Files.readAllLines(progress).stream().noneMatch(l -> l.contains("\"epoch\"")
            && l.contains("\"event\":\"epoch\""))) {
          Thread.sleep(100);
        }
        Files.writeString(cfg.jobDir().resolve("cancel"), "");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    canceller.start();
    ModelCard card = TrainJob.run(TrainTestData.spark(), cfg);
    canceller.join();
    assertEquals("cancelled", card.status());
    assertTrue(card.curves().size() >= 1 && card.curves().size() < 50, "epochs " + card.curves().size());
    assertEquals("weights.params", card.weights());
    assertTrue(Files.exists(Path.of(cfg.output()).resolve("weights.params")));
    ModelCard onDisk = ModelCard.read(Path.of(cfg.output()).resolve("model.json"));
    assertEquals("cancelled", onDisk.status());
    assertEquals(card.bestEpoch(), onDisk.bestEpoch());
  }

  @Test
  void preconditionsFailWithTheirRule() throws Exception {
    // 80 studies at 10/40/40/10 %: about 6 training studies of class A, fewer than equal_class needs
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainJob.run(TrainTestData.spark(), config("equal", "\"sampling\":\"equal_class\"")));
    assertTrue(e.getMessage().contains("equal_class") && e.getMessage().contains("at least 10"), e.getMessage());

    var classes = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(TrainTestData.spark(),
        TrainConfig.of(data.dataset.toString(), data.labels.toString(), List.of("A", "B", "C"))));
    assertTrue(classes.getMessage().contains("D"), classes.getMessage());

    Path stray = tmp.resolve("stray.csv");
    Files.writeString(stray, Files.readString(data.labels) + "2.25.1234,A\n");
    var unknown = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(TrainTestData.spark(),
        TrainConfig.of(data.dataset.toString(), stray.toString(), TrainTestData.CLASSES)));
    assertTrue(unknown.getMessage().contains("no image in the dataset"), unknown.getMessage());

    Path onlyAbc = tmp.resolve("no-d.csv");
    List<String> kept = Files.readAllLines(data.labels).stream().filter(l -> !l.endsWith(",D")).toList();
    Files.write(onlyAbc, kept);
    var empty = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(TrainTestData.spark(),
        TrainConfig.of(data.dataset.toString(), onlyAbc.toString(), TrainTestData.CLASSES)));
    assertTrue(empty.getMessage().contains("class D has no labelled studies"), empty.getMessage());

    var bad = assertThrows(IllegalArgumentException.class, () -> config("bad", "\"architecture\":\"alexnet\""));
    assertTrue(bad.getMessage().contains("alexnet"), bad.getMessage());
  }

  @Test
  void fineTunesFromAPretrainedModel() throws Exception {
    // source task: 2 classes, non-dense (A, B) against dense (C, D)
    List<String> binary = new ArrayList<>(List.of("study_uid,label"));
    for (String l : Files.readAllLines(data.labels).subList(1, Files.readAllLines(data.labels).size())) {
      String[] f = l.split(",");
      binary.add(f[0] + "," + (f[1].equals("A") || f[1].equals("B") ? "nondense" : "dense"));
    }
    Path binaryLabels = tmp.resolve("binary.csv");
    Files.write(binaryLabels, binary);
    TrainConfig source = TrainConfig.of(data.dataset.toString(), binaryLabels.toString(),
        List.of("nondense", "dense")).with("{\"inputSize\":64,\"batchSize\":16,\"maxEpochs\":1,\"seed\":9,\"jobId\":\"src\","
        + "\"output\":\"" + tmp.resolve("models/src") + "\"}");
    assertEquals("completed", TrainJob.run(TrainTestData.spark(), source).status());

    // SGD at a learning rate of 1e-7: one epoch moves no weight by more than about 1e-5, so the tuned weights
    // still show where training started
    TrainConfig target = config("tuned", "\"maxEpochs\":1,\"init\":\"pretrained\",\"optimizer\":\"sgd\","
        + "\"learningRate\":1e-7,\"weights\":\"" + tmp.resolve("models/src") + "\"");
    ModelCard tuned = TrainJob.run(TrainTestData.spark(), target);
    assertEquals("completed", tuned.status());
    assertEquals(4, tuned.classes().size());
    // The source's weights, read from its folder, against the tuned model's: every trainable array but the head
    // (2 classes there, 4 here) started from the source's values. A fresh start, the initialization the job would
    // have used without them (its seed, not the source's), is far from them, so this would fail if they were not
    // loaded.
    List<float[]> src = trainableArrays(2, tmp.resolve("models/src/weights.params"));
    List<float[]> tunedArrays = trainableArrays(4, Path.of(target.output()).resolve("weights.params"));
    List<float[]> fresh = trainableArrays(4, null);
    assertEquals(src.size(), tunedArrays.size());
    double farthestFromSource = 0;
    double freshFromSource = 0;
    for (int i = 0; i < src.size() - 2; i++) {
      farthestFromSource = Math.max(farthestFromSource, Weights.maxDifference(src.get(i), tunedArrays.get(i)));
      freshFromSource = Math.max(freshFromSource, Weights.maxDifference(src.get(i), fresh.get(i)));
    }
    assertTrue(farthestFromSource < 1e-4, "a tuned weight is " + farthestFromSource + " from the source's");
    assertTrue(freshFromSource > 0.05, "a fresh start is only " + freshFromSource + " from the source");
    // the head is new: 4 classes, not copied from anywhere
    assertEquals(4 * src.get(src.size() - 2).length / 2, tunedArrays.get(tunedArrays.size() - 2).length);

    var missing = assertThrows(IllegalArgumentException.class, () -> TrainJob.run(TrainTestData.spark(),
        config("nowhere", "\"init\":\"pretrained\",\"weights\":\"imagenet-resnet18\"")));
    assertTrue(missing.getMessage().contains("weights") && missing.getMessage().contains("imagenet-resnet18"),
        missing.getMessage());
  }

  /** The trainable arrays of a ResNet-18 at the tests' width with {@code classes} outputs: from a .params file, or
   * freshly initialized (as the job initializes with the default seed) when {@code weights} is null. */
  private static List<float[]> trainableArrays(int classes, Path weights) throws Exception {
    var spec = new org.radlab.core.model.Replica.Spec("resnet18", 0.25, classes, 64, "categorical_cross_entropy",
        0.25, 2, "adam", 1e-3, 1);
    try (var replica = new org.radlab.core.model.Replica(spec)) {
      if (weights != null) {
        try (var in = Files.newInputStream(weights)) {
          replica.load(in);
        }
      }
      List<float[]> out = new ArrayList<>();
      for (var p : replica.block().getParameters()) {
        if (p.getValue().requiresGradient()) {
          out.add(p.getValue().getArray().toFloatArray());
        }
      }
      return out;
    }
  }
}
