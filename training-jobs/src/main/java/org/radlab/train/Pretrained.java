package org.radlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.radlab.core.Workspace;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.DetectorNet;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;
import org.radlab.core.task.TaskType;

/**
 * Starting a model from the weights of another: {@code init: pretrained} with {@code weights} naming a RadLab model
 * folder ({@code model.json} and {@code weights.params}), a {@code .params} file with that model's {@code model.json}
 * beside it, a TorchScript file ({@code .pt}) exported from torchvision with {@code torch.jit.script}, or any of
 * those by name under {@code $RADLAB_HOME/weights}.
 *
 * <p>Every layer is copied except the classifier head, which starts fresh for the new classes. A first convolution
 * trained on 3 channels is summed over its channels to take our single grey channel. A detector takes the backbone
 * (the stem and the first three stages of the ResNet, see {@link DetectorNet#backboneParameters}) from a classifier,
 * a detector or a TorchScript export of the same architecture and width; its feature pyramid and heads start fresh.
 */
final class Pretrained {
  private Pretrained() {}

  static void load(Replica target, TrainConfig cfg) throws IOException {
    Path source = resolve(cfg.weights());
    Path weights = Files.isDirectory(source) ? source.resolve(TrainJob.WEIGHTS) : source;
    String name = weights.getFileName().toString();
    if (isTorchScript(name)) {
      if (cfg.segmentation()) {
        throw new IllegalArgumentException("a segmenter starts from a trained segmenter's model folder, not from"
            + " TorchScript weights (" + weights + ")");
      }
      loadTorchScript(weights, target, cfg.detection());
      return;
    }
    Path cardFile = weights.resolveSibling(ModelCard.FILE);
    if (!Files.exists(weights) || !Files.exists(cardFile)) {
      throw new IllegalArgumentException("pretrained weights " + weights + " need the model.json of the model that"
          + " wrote them in the same folder; point weights at a trained model's folder");
    }
    ModelCard card = ModelCard.read(cardFile);
    if (!card.architecture().equals(cfg.architecture()) || card.width() != cfg.width()) {
      throw new IllegalArgumentException("pretrained weights are a " + card.architecture() + " of width "
          + card.width() + ", but the config asks for " + cfg.architecture() + " of width " + cfg.width());
    }
    if (card.task() == TaskType.DETECTION && !cfg.detection()) {
      throw new IllegalArgumentException("pretrained weights " + weights + " are a detector's; a classifier starts"
          + " from a classifier's weights or a TorchScript export");
    }
    String loss = switch (card.task()) {
      case CLASSIFICATION -> "categorical_cross_entropy";
      case DETECTION -> "sigmoid_focal";
      case SEGMENTATION -> TrainConfig.SEGMENTATION_LOSS;
    };
    Replica.Spec spec = new Replica.Spec(card.architecture(), card.width(), card.classes().size(),
        card.preprocessing().inputSize(), loss, 0.25, 2, "adam", 1e-3, 0, card.task());
    try (Replica from = new Replica(spec); InputStream in = Files.newInputStream(weights)) {
      from.load(in);
      if (cfg.detection()) {
        List<Parameter> src = params(from.block());
        List<Parameter> dst = params(target.block());
        copy(src, dst, ((DetectorNet) target.block()).backboneParameters(), "the pretrained network");
      } else {
        transfer(from.block(), target.block());
      }
    }
  }

  private static boolean isTorchScript(String fileName) {
    return fileName.endsWith(".pt") || fileName.endsWith(".pth") || fileName.endsWith(".torchscript");
  }

  /**
   * Weights exported with {@code torch.jit.script} from a torchvision model of the same architecture at full
   * width: its trainable parameters are copied in order onto ours (our blocks follow torchvision layer for layer),
   * all but the classifier head. Batch-norm running statistics are buffers, not parameters, in TorchScript: they
   * start at their defaults and adapt during fine-tuning.
   */
  private static void loadTorchScript(Path file, Replica target, boolean detector) throws IOException {
    try (ai.djl.Model source = ai.djl.Model.newInstance("pretrained", "PyTorch")) {
      source.load(file, null, java.util.Map.of("trainParam", "true"));
      if (detector) {
        copy(trainable(source.getBlock()), trainable(target.block()),
            ((DetectorNet) target.block()).backboneTrainableParameters(), file.toString());
        return;
      }
      copyTrainable(source.getBlock(), target.block(), file.toString());
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException("cannot read TorchScript weights " + file + ": " + e.getMessage(), e);
    }
  }

  /** Trainable parameters of {@code from} onto those of {@code to}, in order, all but the last two (the head). */
  static long copyTrainable(Block from, Block to, String what) {
    List<Parameter> src = trainable(from);
    List<Parameter> dst = trainable(to);
    if (src.size() != dst.size()) {
      throw new IllegalArgumentException(what + " holds " + src.size() + " trainable parameter arrays where this "
          + "network has " + dst.size() + ": not the same architecture (TorchScript weights need width 1.0)");
    }
    return copy(src, dst, dst.size() - 2, what);
  }

  /** Where a {@code weights} value points: a path as given, else a name under {@code $RADLAB_HOME/weights}. */
  static Path resolve(String weights) {
    Path direct = Path.of(weights);
    if (Files.exists(direct)) {
      return direct;
    }
    Path dir = Workspace.current().weights();
    for (String candidate : new String[] {weights, weights + ".params", weights + ".pt"}) {
      Path p = dir.resolve(candidate);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException("pretrained weights '" + weights + "' not found, neither as a path nor in "
        + dir + ". Put them there as " + weights + ".pt, a TorchScript export of the torchvision model (in Python: "
        + "torch.jit.script(torchvision.models.resnet18(weights=\"IMAGENET1K_V1\")).save(\"" + weights + ".pt\")), "
        + "or as a folder " + weights + "/ holding a trained RadLab model (model.json and weights.params, as in "
        + "$RADLAB_HOME/models/<id>); or give the path");
  }

  /**
   * Copies {@code from}'s parameters into {@code to} in block order, all but the last two (the classifier head's
   * weight and bias); a 3-channel first convolution is summed over its input channels to fit a 1-channel one.
   *
   * @return the number of values copied
   */
  static long transfer(Block from, Block to) {
    List<Parameter> src = params(from);
    List<Parameter> dst = params(to);
    if (src.size() != dst.size()) {
      throw new IllegalArgumentException("the pretrained network has " + src.size() + " parameter arrays, this one "
          + dst.size() + ": not the same architecture");
    }
    return copy(src, dst, dst.size() - 2, "the pretrained network");
  }

  /** Copies the first {@code count} parameters of {@code src} into {@code dst} (see {@link #transfer}). */
  private static long copy(List<Parameter> src, List<Parameter> dst, int count, String what) {
    if (src.size() < count) {
      throw new IllegalArgumentException(what + " has " + src.size() + " parameter arrays, fewer than the "
          + count + " to copy: not the same architecture");
    }
    long copied = 0;
    for (int i = 0; i < count; i++) {
      NDArray a = src.get(i).getArray();
      NDArray b = dst.get(i).getArray();
      Shape sa = a.getShape();
      Shape sb = b.getShape();
      if (sa.equals(sb)) {
        b.set(FloatBuffer.wrap(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray()));
      } else if (sa.dimension() == 4 && sb.dimension() == 4 && sa.get(1) == 3 && sb.get(1) == 1
          && sa.get(0) == sb.get(0) && sa.get(2) == sb.get(2) && sa.get(3) == sb.get(3)) {
        b.set(FloatBuffer.wrap(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum(new int[] {1}, true)
            .toFloatArray()));
      } else {
        throw new IllegalArgumentException(what + ": parameter " + i + " (" + src.get(i).getName() + ") has shape "
            + sa + " where this network has " + sb);
      }
      copied += b.size();
    }
    return copied;
  }

  private static List<Parameter> trainable(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  private static List<Parameter> params(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      out.add(p.getValue());
    }
    return out;
  }
}
