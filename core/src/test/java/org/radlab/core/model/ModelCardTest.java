package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model.json} as hand-written text, read through its one owner. */
class ModelCardTest {
  @TempDir Path dir;

  @Test
  void readsAHandWrittenCardAndIgnoresFieldsItDoesNotKnow() throws IOException {
    Files.writeString(dir.resolve("model.json"), """
        {"id": "m1", "status": "completed", "architecture": "lenet5", "width": 0.5,
         "classes": ["A", "B"], "weights": "weights.params",
         "preprocessing": {"inputSize": 32, "tensorSide": 64, "mean": 0.25, "std": 0.5},
         "validation": {"studies": 7, "kappaLinear": 0.5, "auc": 0.75, "accuracy": 0.5, "loss": 1.25,
                        "confusionMatrix": [[3, 1], [2, 1]]},
         "aFieldFromANewerVersion": {"x": 1}}
        """);
    ModelCard card = ModelCard.in(dir);
    assertEquals("m1", card.id());
    assertEquals(List.of("A", "B"), card.classes());
    assertEquals(64, card.tensorSide());
    assertEquals(new Preprocessing(32, 64, 0.25, 0.5), card.preprocessing());
    assertArrayEquals(new long[][] {{3, 1}, {2, 1}}, card.validation().confusionMatrix());
    assertNull(card.config(), "no training config in this card");
    assertFalse(card.hasWeightsIn(dir), "weights.params is named but not there");
    Files.write(dir.resolve("weights.params"), new byte[] {1});
    assertTrue(card.hasWeightsIn(dir));
  }

  @Test
  void anOlderCardWithoutTensorSideOrStdStillGivesAUsableInput() throws IOException {
    Files.writeString(dir.resolve("model.json"), """
        {"id": "old", "classes": ["A"], "weights": null, "preprocessing": {"inputSize": 48, "mean": 0.1}}
        """);
    ModelCard card = ModelCard.in(dir);
    assertEquals(48, card.tensorSide(), "the input size when the card does not name the tensor side");
    // no std: the values are only shifted by the mean, (0.6 - 0.1) / 1, worked by hand
    float[] tensor = new float[48 * 48];
    java.util.Arrays.fill(tensor, 0.6f);
    float[] input = card.preprocessing().apply(tensor, 48);
    assertEquals(48 * 48, input.length);
    assertEquals(0.5f, input[0], 1e-6f);
    assertEquals(0.5f, input[48 * 48 - 1], 1e-6f);
    assertFalse(card.hasWeightsIn(dir));
  }

  @Test
  void aFolderWithoutACardIsNamedInTheError() {
    IOException e = assertThrows(IOException.class, () -> ModelCard.in(dir));
    assertTrue(e.getMessage().contains(dir + " is not a model folder"), e.getMessage());
  }

  @Test
  void aWrittenCardReadsBackEqualAndLeavesNoTemporaryFile() throws IOException {
    Files.writeString(dir.resolve("in.json"), """
        {"id": "w", "status": "training", "architecture": "resnet18", "width": 0.125, "classes": ["A", "B", "C"],
         "preprocessing": {"inputSize": 32, "tensorSide": 32, "mean": 0.5, "std": 0.25},
         "curves": [{"epoch": 1, "trainLoss": 1.5, "validationLoss": 1.25, "kappa": 0.5, "auc": 0.5,
                     "accuracy": 0.25, "seconds": 2, "imagesPerSecond": 10}], "bestEpoch": 1}
        """);
    ModelCard card = ModelCard.read(dir.resolve("in.json"));
    card.write(dir.resolve("model.json"));
    ModelCard again = ModelCard.in(dir);
    assertEquals(card.curves(), again.curves());
    assertEquals(card.preprocessing(), again.preprocessing());
    assertEquals(1.5, again.curves().get(0).trainLoss());
    try (var files = Files.list(dir)) {
      assertEquals(List.of("in.json", "model.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}
