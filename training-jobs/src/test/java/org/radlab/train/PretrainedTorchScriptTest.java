package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Replica;

/**
 * Pretrained weights from a TorchScript export: Debian's python3-torch writes a torchvision-layout ResNet-18 with
 * three input channels (as ImageNet weights come), and the values our one-channel network receives are compared
 * with those PyTorch computed.
 */
class PretrainedTorchScriptTest {
  @TempDir static Path dir;

  @BeforeAll
  static void export() throws Exception {
    Path script = dir.resolve("export_resnet18.py");
    try (InputStream in = PretrainedTorchScriptTest.class.getResourceAsStream("/export_resnet18.py")) {
      Files.copy(in, script);
    }
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "export timed out");
    assertEquals(0, p.exitValue(), "python3-torch export failed (the bootstrap installs python3-torch):\n" + output);
  }

  private static float[] floats(Path file) throws Exception {
    var buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  private static List<Parameter> trainable(Replica r) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : r.block().getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  private static TrainConfig config(String weights, double width) throws java.io.IOException {
    return TrainConfig.of("ds", "labels.csv", List.of("A", "B", "C", "D"))
        .withPretrained(weights, width);
  }

  @Test
  void firstConvolutionIsSummedOverChannelsAndTheRestCopied() throws Exception {
    Replica.Spec spec = new Replica.Spec("resnet18", 1.0, 4, 64, "categorical_cross_entropy", 0.25, 2, "adam", 1e-3, 1);
    try (Replica r = new Replica(spec)) {
      float[] headBefore = trainable(r).get(trainable(r).size() - 2).getArray().toFloatArray();
      Pretrained.load(r, config(dir.resolve("resnet18-imagenet-like.pt").toString(), 1.0));
      List<Parameter> p = trainable(r);
      assertArrayEquals(floats(dir.resolve("conv1-summed.f32")), p.get(0).getArray().toFloatArray(), 1e-5f);
      // parameters 1, 2: bn1's weight and bias; 3: layer1.0.conv1
      assertArrayEquals(floats(dir.resolve("layer1-0-conv1.f32")), p.get(3).getArray().toFloatArray(), 0f);
      // the 4-class head is not the export's 1000-class one: it keeps its fresh initialization
      assertArrayEquals(headBefore, p.get(p.size() - 2).getArray().toFloatArray(), 0f);
    }
  }

  @Test
  void aDetectorTakesTheBackboneAndKeepsItsFreshHeads() throws Exception {
    Replica.Spec spec = new Replica.Spec("resnet18", 1.0, 2, 64, "sigmoid_focal", 0.25, 2, "adam", 1e-3, 1,
        org.radlab.core.task.TaskType.DETECTION);
    try (Replica r = new Replica(spec)) {
      int backbone = ((org.radlab.core.model.DetectorNet) r.block()).backboneTrainableParameters();
      float[] afterBackbone = trainable(r).get(backbone).getArray().toFloatArray();
      TrainConfig cfg = TrainConfig.of("ds", "boxes.csv", List.of("mass", "calcification"))
          .with("{\"task\":\"detection\"}").withPretrained(dir.resolve("resnet18-imagenet-like.pt").toString(), 1.0);
      Pretrained.load(r, cfg);
      List<Parameter> p = trainable(r);
      assertArrayEquals(floats(dir.resolve("conv1-summed.f32")), p.get(0).getArray().toFloatArray(), 1e-5f);
      assertArrayEquals(floats(dir.resolve("layer1-0-conv1.f32")), p.get(3).getArray().toFloatArray(), 0f);
      // the feature pyramid after the backbone starts as it was initialized
      assertArrayEquals(afterBackbone, p.get(backbone).getArray().toFloatArray(), 0f);
    }
  }

  @Test
  void aDetectorTakesTheBackboneOfATrainedClassifierFolder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("classifier"));
    Replica.Spec classifier = new Replica.Spec("resnet18", 0.25, 2, 64, "categorical_cross_entropy", 0.25, 2, "adam",
        1e-3, 5);
    List<float[]> expected = new ArrayList<>();
    try (Replica c = new Replica(classifier); var out = Files.newOutputStream(folder.resolve("weights.params"))) {
      c.save(out);
      for (Pair<String, Parameter> p : c.block().getParameters()) {
        expected.add(p.getValue().getArray().toFloatArray());
      }
    }
    Files.writeString(folder.resolve("model.json"), "{\"id\":\"c\",\"architecture\":\"resnet18\",\"width\":0.25,"
        + "\"classes\":[\"A\",\"B\"],\"weights\":\"weights.params\",\"preprocessing\":{\"inputSize\":64,"
        + "\"tensorSide\":64,\"mean\":0,\"std\":1}}");
    Replica.Spec spec = new Replica.Spec("resnet18", 0.25, 2, 64, "sigmoid_focal", 0.25, 2, "adam", 1e-3, 1,
        org.radlab.core.task.TaskType.DETECTION);
    try (Replica r = new Replica(spec)) {
      Pretrained.load(r, TrainConfig.of("ds", "boxes.csv", List.of("mass", "calcification"))
          .with("{\"task\":\"detection\"}").withPretrained(folder.toString(), 0.25));
      List<Parameter> all = new ArrayList<>();
      r.block().getParameters().forEach(p -> all.add(p.getValue()));
      int backbone = ((org.radlab.core.model.DetectorNet) r.block()).backboneParameters();
      assertTrue(backbone > 10 && backbone < all.size(), "backbone " + backbone + " of " + all.size());
      for (int i = 0; i < backbone; i++) { // batch-norm statistics included
        assertArrayEquals(expected.get(i), all.get(i).getArray().toFloatArray(), 0f, "parameter " + i);
      }
    }
  }

  @Test
  void aNarrowerNetworkIsRefusedWithTheReason() throws Exception {
    Replica.Spec spec = new Replica.Spec("resnet18", 0.25, 4, 64, "categorical_cross_entropy", 0.25, 2, "adam", 1e-3,
        1);
    try (Replica r = new Replica(spec)) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> Pretrained.load(r, config(dir.resolve("resnet18-imagenet-like.pt").toString(), 0.25)));
      assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }
  }
}
