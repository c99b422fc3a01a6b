package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Sampling;

/** Config defaults, validation messages, and the command line's --set overrides. */
class TrainConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreFilledIn() throws Exception {
    TrainConfig c = TrainConfig.of("ds", "labels.csv", List.of("A", "B"));
    assertEquals(128, c.inputSize());
    assertEquals("resnet18", c.architecture());
    assertEquals(0.25, c.width());
    assertEquals(Sampling.RANDOM, c.sampling());
    assertEquals("categorical_cross_entropy", c.loss());
    assertEquals(10, c.maxEpochs());
    assertEquals(1, c.syncEvery());
    assertTrue(c.jobId().startsWith("train-"), c.jobId());
    assertTrue(c.output().endsWith("models/" + c.jobId()), c.output());
    // a new job id moves the default output with it; an explicit output stays
    assertTrue(c.with("{\"jobId\":\"j2\"}").output().endsWith("models/j2"));
    assertEquals("elsewhere", c.with("{\"output\":\"elsewhere\"}").with("{\"jobId\":\"j3\"}").output());
  }

  @Test
  void aDetectionConfigTakesItsOwnDefaultsAndRules() throws Exception {
    TrainConfig c = TrainConfig.of("ds", "boxes.csv", List.of("A", "B")).with("{\"task\":\"detection\"}");
    assertTrue(c.detection());
    assertEquals("sigmoid_focal", c.loss(), "the loss left at classification's default follows the task");
    assertEquals(TrainConfig.Monitor.MAP, c.monitor());
    assertEquals("categorical_cross_entropy", c.with("{\"task\":\"classification\"}").loss(), "and back");
    assertEquals(List.of("mass"), c.with("{\"classes\":[\"mass\"]}").classes(), "one finding class is enough");
    TrainConfig s = c.with("{\"task\":\"segmentation\"}");
    assertEquals(List.of("unet", "dice_cross_entropy", "dice"), List.of(s.architecture(), s.loss(), s.monitor().id()),
        "the architecture, loss and monitor left at their defaults follow the task to segmentation");
    for (String[] bad : new String[][] {
        {"\"inputSize\":100", "multiple of 16"},
        {"\"architecture\":\"vgg11_bn\"", "ResNet backbone"},
        {"\"loss\":\"categorical_cross_entropy\"", "sigmoid_focal"},
        {"\"monitor\":\"kappa\"", "map or loss"},
        {"\"classes\":[]", "classes"},
        {"\"task\":\"boxes\"", "task"}}) {
      var e = assertThrows(IllegalArgumentException.class, () -> c.with("{" + bad[0] + "}"), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
    }
    var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.of("ds", "l.csv", List.of("A", "B"))
        .with("{\"monitor\":\"map\"}"));
    assertTrue(e.getMessage().contains("kappa, auc or loss"), e.getMessage());
  }

  @Test
  void everyBadValueNamesItsField() throws Exception {
    Path file = dir.resolve("c.json");
    for (String[] bad : new String[][] {
        {"\"classes\":[\"A\"]", "classes"},
        {"\"width\":1.5", "width"},
        {"\"loss\":\"hinge\"", "hinge"},
        {"\"sampling\":\"stratified\"", "stratified"},
        {"\"monitor\":\"f1\"", "monitor"},
        {"\"init\":\"pretrained\"", "weights"},
        {"\"batchSize\":0", "batchSize"},
        {"\"validationFraction\":1", "validationFraction"},
        {"\"jobId\":\"a/b\"", "jobId"},
        {"\"colour\":\"red\"", "colour"}}) {
      Files.writeString(file, "{\"dataset\":\"ds\",\"labels\":\"l.csv\",\"classes\":[\"A\",\"B\"]," + bad[0] + "}");
      var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.read(file), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void setOverridesTakeJsonOrPlainStrings() throws Exception {
    TrainConfig base = TrainConfig.of("ds", "labels.csv", List.of("A", "B"));
    TrainConfig c = TrainCommand.withOverrides(base,
        List.of("maxEpochs=3", "architecture=densenet121", "earlyStopping=true", "classes=[\"x\",\"y\",\"z\"]"));
    assertEquals(3, c.maxEpochs());
    assertEquals("densenet121", c.architecture());
    assertTrue(c.earlyStopping());
    assertEquals(List.of("x", "y", "z"), c.classes());
    assertThrows(IllegalArgumentException.class, () -> TrainCommand.withOverrides(base, List.of("maxEpochs")));
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainCommand.withOverrides(base, List.of("architecture=lenet")));
    assertTrue(e.getMessage().contains("lenet"), e.getMessage());
  }
}
