package org.radlab.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.metrics.DetectionAp;
import org.radlab.core.model.BatchTargets;
import org.radlab.core.model.DetectorNet;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;
import org.radlab.core.model.detection.CenterDecoder;
import org.radlab.core.model.detection.CenterTargets;

/**
 * A detector's validation on the driver: the held-out images go through the model in batches, their outputs are
 * decoded into boxes as a model run decodes them ({@link CenterDecoder}'s defaults), and the boxes are scored against
 * the reference ones with COCO's mAP, AP50 and AP75 and the AP of each class, over every validation image (those
 * without findings count with their false positives). The loss is the mean detection loss per image. Boxes are
 * compared in model input pixels: the input is a uniform scaling of the tensor, so overlaps are the same.
 */
final class DetectionValidation implements Validator {
  private static final int BATCH = 16;

  private final List<String> classes;
  private final int side;
  private final List<TensorShards.Sample> samples;

  DetectionValidation(List<String> classes, int side, List<TensorShards.Sample> samples) {
    this.classes = List.copyOf(classes);
    this.side = side;
    this.samples = samples;
  }

  @Override
  public ModelCard.Validation evaluate(Replica model) {
    List<String> images = new ArrayList<>();
    List<DetectionAp.Detection> detections = new ArrayList<>();
    List<DetectionAp.Truth> truths = new ArrayList<>();
    double lossSum = 0;
    for (int from = 0; from < samples.size(); from += BATCH) {
      List<TensorShards.Sample> part = samples.subList(from, Math.min(samples.size(), from + BATCH));
      float[] x = new float[part.size() * side * side];
      List<CenterTargets> targets = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        TensorShards.Sample s = part.get(i);
        System.arraycopy(s.pixels(), 0, x, i * side * side, side * side);
        List<CenterTargets.Box> boxes = CenterTargets.Box.of(s.boxes());
        targets.add(CenterTargets.assign(boxes, side, DetectorNet.STRIDE));
        images.add(s.imageId());
        for (CenterTargets.Box b : boxes) {
          truths.add(new DetectionAp.Truth(s.imageId(), classes.get(b.classIndex()),
              new double[] {b.x0(), b.y0(), b.x1(), b.y1()}));
        }
      }
      Replica.Outputs out = model.outputs(x, part.size(), new BatchTargets.Boxes(targets, classes.size()));
      lossSum += (double) out.loss() * part.size();
      List<List<CenterDecoder.Detection>> found = CenterDecoder.decodeBatch(out.arrays(), part.size(),
          classes.size(), side);
      for (int i = 0; i < part.size(); i++) {
        for (CenterDecoder.Detection d : found.get(i)) {
          detections.add(new DetectionAp.Detection(part.get(i).imageId(), classes.get(d.classIndex()), d.score(),
              d.corners()));
        }
      }
    }
    DetectionAp.Result r = DetectionAp.evaluate(images, detections, truths);
    Map<String, Double> perClass = new LinkedHashMap<>();
    for (String c : classes) {
      DetectionAp.ClassAp ap = r.perClass().get(c);
      perClass.put(c, ap == null ? Double.NaN : ap.ap());
    }
    return new ModelCard.Validation(images.size(), Double.NaN, Double.NaN, Double.NaN,
        lossSum / Math.max(1, samples.size()), null, r.map(), r.ap50(), r.ap75(), perClass);
  }
}
