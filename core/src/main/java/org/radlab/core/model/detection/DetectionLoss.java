package org.radlab.core.model.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.radlab.core.model.ClassifierLoss;

/**
 * The detector's training loss, FCOS's three terms over the grid of {@link CenterTargets}:
 * <ul>
 *   <li>classification: the sigmoid focal loss ({@link ClassifierLoss#focalTerms}, α and γ as configured) of every
 *       cell and class against the one-hot targets (all zero on background cells), summed and divided by the
 *       number of positive cells (at least 1);</li>
 *   <li>box: {@code 1 - GIoU} of the predicted and target boxes of each positive cell (both given by distances
 *       from the cell centre), weighted by the target centre-ness, divided by the sum of those weights;</li>
 *   <li>centre-ness: binary cross-entropy of the centre-ness logit against the target centre-ness on positive
 *       cells, divided by their number.</li>
 * </ul>
 * Predictions: {@code (class logits (N, C, H, W), distances (N, 4, H, W) > 0, centre-ness logits (N, 1, H, W))};
 * labels: {@code (class one-hot (N, C, H, W), target distances (N, 4, H, W), target centre-ness (N, 1, H, W),
 * positive mask (N, 1, H, W))}, as {@link DetectionBatch} builds them.
 */
public final class DetectionLoss extends Loss {
  private final double alpha;
  private final double gamma;

  public DetectionLoss(double alpha, double gamma) {
    super("detection");
    this.alpha = alpha;
    this.gamma = gamma;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray[] terms = terms(labels, predictions);
    return terms[0].add(terms[1]).add(terms[2]);
  }

  /** The three terms (classification, box, centre-ness), each a scalar. */
  public NDArray[] terms(NDList labels, NDList predictions) {
    NDArray classLogits = predictions.get(0);
    NDArray distances = predictions.get(1);
    NDArray centerLogits = predictions.get(2);
    NDArray classTarget = labels.get(0);
    NDArray distanceTarget = labels.get(1);
    NDArray centerTarget = labels.get(2);
    NDArray positive = labels.get(3);
    NDArray positives = positive.sum().maximum(1);

    NDArray classification = ClassifierLoss.focalTerms(classLogits, classTarget, alpha, gamma).sum().div(positives);

    // GIoU of boxes around the same point: l, t, r, b along axis 1
    NDArray l = distances.get(":, 0:1");
    NDArray t = distances.get(":, 1:2");
    NDArray r = distances.get(":, 2:3");
    NDArray b = distances.get(":, 3:4");
    NDArray lt = distanceTarget.get(":, 0:1");
    NDArray tt = distanceTarget.get(":, 1:2");
    NDArray rt = distanceTarget.get(":, 2:3");
    NDArray bt = distanceTarget.get(":, 3:4");
    NDArray area = l.add(r).mul(t.add(b));
    NDArray areaTarget = lt.add(rt).mul(tt.add(bt));
    NDArray inter = l.minimum(lt).add(r.minimum(rt)).mul(t.minimum(tt).add(b.minimum(bt)));
    NDArray union = area.add(areaTarget).sub(inter).add(1e-7f);
    NDArray enclosing = l.maximum(lt).add(r.maximum(rt)).mul(t.maximum(tt).add(b.maximum(bt))).add(1e-7f);
    NDArray giou = inter.div(union).sub(enclosing.sub(union).div(enclosing));
    NDArray weight = centerTarget.mul(positive);
    NDArray box = giou.neg().add(1).mul(weight).sum().div(weight.sum().maximum(1e-6f));

    // binary cross-entropy with logits: softplus(z) - z y
    NDArray softplus = centerLogits.maximum(0).add(centerLogits.abs().neg().exp().add(1).log());
    NDArray bce = softplus.sub(centerLogits.mul(centerTarget));
    NDArray center = bce.mul(positive).sum().div(positives);
    return new NDArray[] {classification, box, center};
  }
}
