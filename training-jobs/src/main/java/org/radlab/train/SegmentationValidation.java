package org.radlab.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.metrics.SegmentationReport;
import org.radlab.core.model.BatchTargets;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;

/**
 * A segmenter's validation on the driver: the held-out images go through the model in batches, each pixel takes its
 * most likely class, and the masks are scored against the reference ones in model input pixels with the metrics of
 * {@link SegmentationReport}, each image on its own: the Dice and IoU of each class averaged over the images where
 * the class is in either mask, and their mean over the classes. The loss is the mean segmentation loss per image.
 */
final class SegmentationValidation implements Validator {
  private static final int BATCH = 16;

  private final List<String> classes;
  private final int side;
  private final List<TensorShards.Sample> samples;

  SegmentationValidation(List<String> classes, int side, List<TensorShards.Sample> samples) {
    this.classes = List.copyOf(classes);
    this.side = side;
    this.samples = samples;
  }

  @Override
  public ModelCard.Validation evaluate(Replica model) {
    List<SegmentationReport.Slice> slices = new ArrayList<>();
    double lossSum = 0;
    for (int from = 0; from < samples.size(); from += BATCH) {
      List<TensorShards.Sample> part = samples.subList(from, Math.min(samples.size(), from + BATCH));
      float[] x = new float[part.size() * side * side];
      List<byte[]> reference = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        System.arraycopy(part.get(i).pixels(), 0, x, i * side * side, side * side);
        reference.add(part.get(i).mask());
      }
      Replica.Segmentation out = model.segment(x, part.size(), new BatchTargets.Masks(reference, side));
      lossSum += (double) out.loss() * part.size();
      for (int i = 0; i < part.size(); i++) {
        String image = part.get(i).imageId();
        slices.add(new SegmentationReport.Slice(image, image, 0, 1, 1, 1, new LabelMask(side, side, out.masks()[i]),
            new LabelMask(side, side, reference.get(i))));
      }
    }
    SegmentationReport r = SegmentationReport.compute(slices, classes, new SegmentationReport.Options(0, 0.95, 1));
    Map<String, Double> perClass = new LinkedHashMap<>();
    r.perClass().forEach((c, s) -> perClass.put(c, s.dice()));
    return new ModelCard.Validation(samples.size(), Double.NaN, Double.NaN, Double.NaN,
        lossSum / Math.max(1, samples.size()), null, null, null, null, null, r.dice(), r.iou(), perClass);
  }
}
