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
import org.radlab.core.model.Replica;

/**
 * Starting a model from the weights of another: {@code init: pretrained} with {@code weights} naming a RadLab model
 * folder ({@code model.json} and {@code weights.params}), a {@code .params} file with that model's {@code model.json}
 * beside it, or either of those by name under {@code $RADLAB_HOME/weights}.
 *
 * <p>Every layer is copied except the classifier head, which starts fresh for the new classes. A first convolution
 * trained on 3 channels is summed over its channels to take our single grey channel.
 */
final class Pretrained {
  private Pretrained() {}

  static void load(Replica target, TrainConfig cfg) throws IOException {
    Path source = resolve(cfg.weights());
    Path weights = Files.isDirectory(source) ? source.resolve(TrainJob.WEIGHTS) : source;
    String name = weights.getFileName().toString();
    if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript")) {
      throw new IllegalArgumentException("weights " + weights + " look like a TorchScript file; this version"
          + " loads RadLab .params weights only (a model folder, or a .params file with its model.json)");
    }
    Path cardFile = weights.resolveSibling("model.json");
    if (!Files.exists(weights) || !Files.exists(cardFile)) {
      throw new IllegalArgumentException("pretrained weights " + weights + " need the model.json of the model that"
          + " wrote them in the same folder; point weights at a trained model's folder");
    }
    ModelCard card = ModelCard.read(cardFile);
    if (!card.architecture().equals(cfg.architecture()) || card.width() != cfg.width()) {
      throw new IllegalArgumentException("pretrained weights are a " + card.architecture() + " of width "
          + card.width() + ", but the config asks for " + cfg.architecture() + " of width " + cfg.width());
    }
    Replica.Spec spec = new Replica.Spec(card.architecture(), card.width(), card.classes().size(),
        card.preprocessing().inputSize(), "categorical_cross_entropy", 0.25, 2, "adam", 1e-3, 0);
    try (Replica from = new Replica(spec); InputStream in = Files.newInputStream(weights)) {
      from.load(in);
      transfer(from.block(), target.block());
    }
  }

  /** Where a {@code weights} value points: a path as given, else a name under {@code $RADLAB_HOME/weights}. */
  static Path resolve(String weights) {
    Path direct = Path.of(weights);
    if (Files.exists(direct)) {
      return direct;
    }
    Path dir = Workspace.home().resolve("weights");
    for (String candidate : new String[] {weights, weights + ".params"}) {
      Path p = dir.resolve(candidate);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException("pretrained weights '" + weights + "' not found, neither as a path nor in "
        + dir + ". Put a trained RadLab model folder there (its model.json and weights.params, e.g. copied from "
        + "$RADLAB_HOME/models/<id>), named " + weights + ", or give its path");
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
    long copied = 0;
    for (int i = 0; i < dst.size() - 2; i++) {
      NDArray a = src.get(i).getArray();
      NDArray b = dst.get(i).getArray();
      Shape sa = a.getShape();
      Shape sb = b.getShape();
      if (sa.equals(sb)) {
        b.set(FloatBuffer.wrap(a.toFloatArray()));
      } else if (sa.dimension() == 4 && sb.dimension() == 4 && sa.get(1) == 3 && sb.get(1) == 1
          && sa.get(0) == sb.get(0) && sa.get(2) == sb.get(2) && sa.get(3) == sb.get(3)) {
        b.set(FloatBuffer.wrap(a.sum(new int[] {1}, true).toFloatArray()));
      } else {
        throw new IllegalArgumentException("pretrained parameter " + i + " (" + src.get(i).getName() + ") has shape "
            + sa + " where this network has " + sb);
      }
      copied += b.size();
    }
    return copied;
  }

  private static List<Parameter> params(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      out.add(p.getValue());
    }
    return out;
  }
}
