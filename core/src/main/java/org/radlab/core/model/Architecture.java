package org.radlab.core.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The classifier architectures RadLab trains, as DJL blocks written to match torchvision layer for layer (a test
 * checks each one's trainable parameter count against torchvision's published figure).
 *
 * <p>A block takes its input channels from the shape it is initialized with: RadLab's models see one grey channel,
 * the parameter-count test three. {@code width} multiplies every layer's channels (and VGG's hidden units), so that
 * each family is practical on a CPU: 1 is the published network, 0.25 a quarter of the channels and roughly a
 * sixteenth of the compute.
 */
public enum Architecture {
  RESNET18("resnet18"),
  RESNET34("resnet34"),
  RESNET50("resnet50"),
  VGG11_BN("vgg11_bn"),
  VGG16_BN("vgg16_bn"),
  /** GoogLeNet with batch norm; also accepted as {@code googlenet}. */
  INCEPTION("inception"),
  DENSENET121("densenet121"),
  /** LeNet-5: tiny, without batch norm or dropout. */
  LENET5("lenet5"),
  /** The segmenter, {@link UNet}: not a classifier, so only {@code task: segmentation} builds it. */
  UNET("unet");

  private final String id;

  Architecture(String id) {
    this.id = id;
  }

  /** The name used in training configs and model.json. */
  public String id() {
    return id;
  }

  /** The architecture named {@code name} (case-insensitive); the error lists the valid names. */
  public static Architecture parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("googlenet")) {
      return INCEPTION;
    }
    for (Architecture a : values()) {
      if (a.id.equals(n)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + name + "'; choose one of "
        + Arrays.stream(values()).map(Architecture::id).collect(Collectors.joining(", ")));
  }

  /**
   * A new, uninitialized network ending in {@code classes} logits.
   *
   * @param width channel multiplier in (0, 1]; 1 is the published network
   */
  public Block build(int classes, double width) {
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, not " + classes);
    }
    if (!(width > 0 && width <= 1)) {
      throw new IllegalArgumentException("width must be in (0, 1], not " + width);
    }
    return switch (this) {
      case RESNET18 -> ResNet.build(18, classes, width);
      case RESNET34 -> ResNet.build(34, classes, width);
      case RESNET50 -> ResNet.build(50, classes, width);
      case VGG11_BN -> Vgg.build(11, classes, width);
      case VGG16_BN -> Vgg.build(16, classes, width);
      case INCEPTION -> GoogLeNet.build(classes, width);
      case DENSENET121 -> DenseNet.build(classes, width);
      case LENET5 -> LeNet.build(classes, width);
      case UNET -> throw new IllegalArgumentException("unet is a segmentation network; a classifier is one of the"
          + " others");
    };
  }

  /**
   * The network of {@code task}: this classifier, a detector on this backbone (a ResNet) for detection, or the U-Net
   * for segmentation ({@code classes} foreground classes).
   */
  public Block build(org.radlab.core.task.TaskType task, int classes, double width) {
    return switch (task) {
      case CLASSIFICATION -> build(classes, width);
      case DETECTION -> {
        if (resnetDepth() == 0) {
          throw new IllegalArgumentException("a detector's backbone is a ResNet (resnet18, resnet34, resnet50), not "
              + id);
        }
        yield DetectorNet.resnet(resnetDepth(), classes, width);
      }
      case SEGMENTATION -> {
        if (this != UNET) {
          throw new IllegalArgumentException("a segmenter is a unet, not " + id);
        }
        yield UNet.of(classes, width);
      }
    };
  }

  /** The depth of a ResNet (18, 34 or 50), 0 for the other families. */
  public int resnetDepth() {
    return switch (this) {
      case RESNET18 -> 18;
      case RESNET34 -> 34;
      case RESNET50 -> 50;
      default -> 0;
    };
  }

  /** Trainable values in an initialized block (batch-norm running statistics are not trainable). */
  public static long trainableParameters(Block block) {
    long n = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        n += p.getValue().getArray().size();
      }
    }
    return n;
  }
}
