package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;

/**
 * The training losses a model config can name. Every one takes the network's logits, shape (N, C), and the class
 * indices, shape (N), and averages over the batch:
 *
 * <ul>
 *   <li>{@code categorical_cross_entropy}: {@code -log softmax(z)[y]};
 *   <li>{@code mean_absolute_error}: the mean over classes of {@code |softmax(z) - onehot(y)|};
 *   <li>{@code mean_squared_error}: the mean over classes of {@code (softmax(z) - onehot(y))²};
 *   <li>{@code sigmoid_focal} (Lin et al. 2017): each class an independent sigmoid {@code p = σ(z)}, and the mean
 *       over classes of {@code -α_t (1 - p_t)^γ log p_t}, where {@code p_t} is {@code p} for the true class and
 *       {@code 1 - p} for the others, and {@code α_t} is {@code α} or {@code 1 - α} likewise. With γ = 0 and
 *       α = 0.5 it is half the binary cross-entropy.
 * </ul>
 */
public final class ClassifierLoss extends Loss {
  /** The names a config may use. */
  public enum Kind {
    CATEGORICAL_CROSS_ENTROPY, MEAN_ABSOLUTE_ERROR, MEAN_SQUARED_ERROR, SIGMOID_FOCAL;

    public String id() {
      return Choices.id(this);
    }

    public static Kind parse(String name) {
      return Choices.parse(Kind.class, name, "loss");
    }
  }

  private final Kind kind;
  private final float alpha;
  private final float gamma;

  /**
   * @param alpha focal loss weight of the true class, in [0, 1] (ignored by the other losses)
   * @param gamma focal loss focusing exponent, at least 0 (ignored by the other losses)
   */
  public ClassifierLoss(Kind kind, double alpha, double gamma) {
    super(kind.id());
    if (kind == Kind.SIGMOID_FOCAL && !(alpha >= 0 && alpha <= 1 && gamma >= 0)) {
      throw new IllegalArgumentException("sigmoid_focal needs alpha in [0, 1] and gamma >= 0, not alpha " + alpha
          + ", gamma " + gamma);
    }
    this.kind = kind;
    this.alpha = (float) alpha;
    this.gamma = (float) gamma;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    long classes = logits.getShape().get(1);
    NDArray oneHot = labels.singletonOrThrow().toType(ai.djl.ndarray.types.DataType.INT64, false)
        .oneHot((int) classes).toType(logits.getDataType(), false);
    return switch (kind) {
      case CATEGORICAL_CROSS_ENTROPY -> logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
      case MEAN_ABSOLUTE_ERROR -> logits.softmax(1).sub(oneHot).abs().mean();
      case MEAN_SQUARED_ERROR -> logits.softmax(1).sub(oneHot).square().mean();
      case SIGMOID_FOCAL -> focal(logits, oneHot);
    };
  }

  private NDArray focal(NDArray z, NDArray y) {
    return focalTerms(z, y, alpha, gamma).mean();
  }

  /**
   * The sigmoid focal loss of each logit {@code z} against its 0/1 target {@code y}, element by element:
   * {@code -α_t (1 - p_t)^γ log p_t} (the detector sums these over its grid).
   */
  public static NDArray focalTerms(NDArray z, NDArray y, double alpha, double gamma) {
    // log p = -softplus(-z), log(1 - p) = -softplus(z): stable for large |z|
    NDArray logP = softplus(z.neg()).neg();
    NDArray logQ = softplus(z).neg();
    NDArray p = Activation.sigmoid(z);
    NDArray logPt = y.mul(logP).add(y.neg().add(1).mul(logQ));
    NDArray pt = y.mul(p).add(y.neg().add(1).mul(p.neg().add(1)));
    NDArray alphaT = y.mul(alpha).add(y.neg().add(1).mul(1 - alpha));
    NDArray modulating = gamma == 0 ? pt.onesLike() : pt.neg().add(1).pow(gamma);
    return alphaT.mul(modulating).mul(logPt).neg();
  }

  private static NDArray softplus(NDArray x) {
    return x.maximum(0).add(x.abs().neg().exp().add(1).log());
  }

  /** Class probabilities for a batch of logits: softmax, or for the focal loss the sigmoids rescaled to sum to 1. */
  public NDArray probabilities(NDArray logits) {
    if (kind == Kind.SIGMOID_FOCAL) {
      NDArray p = Activation.sigmoid(logits);
      return p.div(p.sum(new int[] {1}, true));
    }
    return logits.softmax(1);
  }
}
