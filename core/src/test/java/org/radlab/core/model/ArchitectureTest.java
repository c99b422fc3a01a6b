package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Each architecture, built with 3 input channels and 1000 classes, has exactly torchvision's published number of
 * trainable parameters (the figures of torchvision's model documentation), and the RadLab shape (one channel, a
 * few classes, reduced width) runs forward to one logit per class.
 */
class ArchitectureTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "resnet18, 11689512",
      "resnet34, 21797672",
      "resnet50, 25557032",
      "vgg11_bn, 132868840",
      "vgg16_bn, 138365992",
      "googlenet, 6624904",
      "densenet121, 7978856"})
  void trainableParametersMatchTorchvision(String name, long expected) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Architecture.parse(name).build(1000, 1.0);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
      assertEquals(expected, Architecture.trainableParameters(block), name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"resnet18", "resnet34", "resnet50", "vgg11_bn", "vgg16_bn", "inception", "densenet121", "lenet5"})
  void oneChannelNarrowModelGivesOneLogitPerClass(String name) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Architecture.parse(name).build(4, 0.25);
      Shape input = new Shape(2, 1, 128, 128);
      block.initialize(manager, DataType.FLOAT32, input);
      NDArray x = manager.randomUniform(0, 1, input);
      NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
      assertEquals(new Shape(2, 4), y.getShape());
      assertTrue(Float.isFinite(y.sum().getFloat()));
      assertArrayEquals(new Shape[] {new Shape(2, 4)}, block.getOutputShapes(new Shape[] {input}));
    }
  }

  @Test
  void leNet5HasItsTextbookParameterCountAndNoBatchNorm() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = Architecture.parse("lenet5").build(10, 1.0);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      // by hand: conv 6*(1*5*5)+6 = 156, conv 16*(6*5*5)+16 = 2416, fc 400*120+120 = 48120, fc 120*84+84 = 10164,
      // fc 84*10+10 = 850; 61706 in all (MNIST's LeNet-5)
      assertEquals(61706, Architecture.trainableParameters(block));
      // every parameter is trained: no running statistics
      long all = 0;
      for (var p : block.getParameters()) {
        all += p.getValue().getArray().size();
      }
      assertEquals(61706, all);
    }
  }

  @Test
  void namesAreCheckedWithAHelpfulError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse("resnet99"));
    assertTrue(e.getMessage().contains("resnet18") && e.getMessage().contains("densenet121"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Architecture.RESNET18.build(4, 0));
    assertThrows(IllegalArgumentException.class, () -> Architecture.RESNET18.build(1, 1));
    assertEquals(Architecture.INCEPTION, Architecture.parse("GoogLeNet"));
  }

  @Test
  void adaptivePoolingAveragesPyTorchsWindows() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // 1x1x3x3 input 0..8 pooled to 2x2: windows rows/cols [0,2) and [1,3)
      NDArray x = manager.arange(9f).reshape(1, 1, 3, 3);
      Block pool = AdaptiveAvgPool.block(2);
      pool.initialize(manager, DataType.FLOAT32, x.getShape());
      float[] out = pool.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow()
          .toFloatArray();
      // hand-computed: mean(0,1,3,4)=2, mean(1,2,4,5)=3, mean(3,4,6,7)=5, mean(4,5,7,8)=6
      assertArrayEquals(new float[] {2, 3, 5, 6}, out, 1e-6f);
      // 2x2 pooled up to 3x3: each output cell takes its covering input cells
      NDArray small = manager.create(new float[] {0, 4, 8, 12}, new Shape(1, 1, 2, 2));
      Block up = AdaptiveAvgPool.block(3);
      up.initialize(manager, DataType.FLOAT32, small.getShape());
      float[] grid = up.forward(new ParameterStore(manager, false), new NDList(small), false).singletonOrThrow()
          .toFloatArray();
      assertArrayEquals(new float[] {0, 2, 4, 4, 6, 8, 8, 10, 12}, grid, 1e-6f);
    }
  }
}
