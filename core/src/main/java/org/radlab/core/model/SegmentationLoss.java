package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * A segmenter's training loss, the sum of two terms over a batch of logits {@code (N, K, H, W)} (background first)
 * and targets {@code (N, H, W)} (class indices):
 * <ul>
 *   <li>cross-entropy: the softmax's negative log-likelihood of each pixel's class, averaged over the pixels;</li>
 *   <li>Dice: one minus the soft Dice of each foreground class over the whole batch,
 *       {@code (2 Σ p·t + 1) / (Σ p + Σ t + 1)} with {@code p} the softmax probability and {@code t} the one-hot
 *       target (the 1s keep a class absent from the batch at no loss), averaged over the foreground classes.</li>
 * </ul>
 * Cross-entropy gives every pixel a gradient from the first step; Dice keeps a small structure from being outvoted
 * by the background, as in nnU-Net's default loss.
 */
public final class SegmentationLoss extends Loss {
  public SegmentationLoss() {
    super("segmentation");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray[] terms = terms(labels, predictions);
    return terms[0].add(terms[1]);
  }

  /** The two terms (cross-entropy, Dice), each a scalar. */
  public NDArray[] terms(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    int classes = (int) logits.getShape().get(1);
    NDArray oneHot = labels.singletonOrThrow().toType(DataType.INT32, false).oneHot(classes)
        .transpose(0, 3, 1, 2).toType(logits.getDataType(), false);
    NDArray logProbabilities = logits.logSoftmax(1);
    NDArray crossEntropy = logProbabilities.mul(oneHot).sum(new int[] {1}).neg().mean();
    NDArray probabilities = logProbabilities.exp();
    int[] overBatch = {0, 2, 3};
    NDArray intersection = probabilities.mul(oneHot).sum(overBatch);
    NDArray total = probabilities.sum(overBatch).add(oneHot.sum(overBatch));
    NDArray dice = intersection.mul(2).add(1).div(total.add(1));
    NDArray diceLoss = dice.get("1:").neg().add(1).mean();
    return new NDArray[] {crossEntropy, diceLoss};
  }
}
