package org.radlab.core.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.metrics.DetectionAp.Detection;
import org.radlab.core.metrics.DetectionAp.Truth;

/**
 * The metric set of a detector's boxes on a set of images: the shape of a detection model's {@code metrics.json}
 * and of {@code radlab metrics --task detection}. COCO-style mAP (IoU 0.50:0.95), AP50 and AP75, overall and per
 * class ({@link DetectionAp}), and FROC ({@link Froc}); intervals come from {@link Bootstrap} over the images (a
 * resampled image brings its boxes and its detections with it).
 *
 * @param images      evaluated images, with or without reference boxes
 * @param references  reference boxes (lesions)
 * @param detections  detections counted (at most {@link DetectionAp#MAX_DETECTIONS} per image and class)
 * @param mapCi       the interval of mAP (null without a bootstrap); likewise {@code ap50Ci}, {@code ap75Ci}
 * @param precisionAtRecall50 per class, the precision-recall curve at IoU 0.5: interpolated precision at the
 *                    recall levels 0, 0.01, …, 1 (their mean is the class's AP50)
 */
public record DetectionReport(
    String task,
    int images,
    long references,
    long detections,
    List<String> classes,
    @JsonProperty("mAP") double map,
    @JsonProperty("AP50") double ap50,
    @JsonProperty("AP75") double ap75,
    @JsonProperty("mAPCi") Bootstrap.Interval mapCi,
    @JsonProperty("AP50Ci") Bootstrap.Interval ap50Ci,
    @JsonProperty("AP75Ci") Bootstrap.Interval ap75Ci,
    Map<String, DetectionAp.ClassAp> perClass,
    Map<String, double[]> precisionAtRecall50,
    FrocSummary froc) {

  /** FROC: the hit rule, the curve, sensitivity at each rate, their mean and its interval. */
  public record FrocSummary(double hitIou, List<Froc.Point> curve, Map<String, Double> sensitivity, double mean,
      Bootstrap.Interval meanCi) {}

  /** @param resamples bootstrap resamples of the images for the intervals (0: none) */
  public record Options(int resamples, double level, long seed) {
    public static Options defaults() {
      return new Options(1000, 0.95, 1);
    }
  }

  /** The report of {@code predictions} against {@code reference}; the images are the reference table's. */
  public static DetectionReport of(BoxTable reference, BoxTable predictions, Options options) {
    List<String> images = reference.images();
    java.util.Set<String> known = new java.util.HashSet<>(images);
    for (String image : predictions.images()) {
      if (!known.contains(image)) {
        throw new IllegalArgumentException("the predictions name image " + image + ", which the reference does not;"
            + " list every evaluated image in the reference (a row with empty box fields for an image without boxes)");
      }
    }
    List<Truth> truths = new ArrayList<>();
    reference.boxes().forEach(b -> truths.add(new Truth(b.image(), b.label(), b.corners())));
    List<Detection> detections = new ArrayList<>();
    predictions.boxes().forEach(b -> detections.add(new Detection(b.image(), b.label(), b.score(), b.corners())));
    return compute(images, detections, truths, options);
  }

  public static DetectionReport compute(List<String> images, List<Detection> detections, List<Truth> truths,
      Options options) {
    DetectionMatches matches = DetectionMatches.of(images, detections, truths);
    Froc froc = Froc.of(images, detections, truths);
    int[] ones = DetectionMatches.eachOnce(images.size());
    DetectionAp.Result all = DetectionAp.result(matches, ones);
    List<Froc.Point> curve = froc.curve(ones);
    Bootstrap.Interval[] ci = new Bootstrap.Interval[4];
    if (options.resamples() > 0) {
      // the bootstrap feeds each resample to the statistics in list order: the first computes, the next two reuse
      DetectionAp.Result[] resample = new DetectionAp.Result[1];
      List<ToDoubleFunction<int[]>> statistics = List.of(
          w -> (resample[0] = DetectionAp.result(matches, w)).map(),
          w -> resample[0].ap50(),
          w -> resample[0].ap75(),
          w -> Froc.mean(froc.curve(w)));
      ci = Bootstrap.weighted(images.size(), statistics, options.resamples(), options.level(), options.seed())
          .toArray(ci);
    }
    long counted = DetectionMatches.capped(detections).values().stream().mapToLong(List::size).sum();
    Map<String, double[]> curves = new java.util.TreeMap<>();
    for (int c = 0; c < matches.classes().size(); c++) {
      curves.put(matches.classes().get(c), matches.interpolatedPrecision(c, 0, ones));
    }
    return new DetectionReport("detection", images.size(), truths.size(), counted, matches.classes(), all.map(),
        all.ap50(), all.ap75(), ci[0], ci[1], ci[2], all.perClass(), curves,
        new FrocSummary(Froc.HIT_IOU, curve, Froc.sensitivities(curve), Froc.mean(curve), ci[3]));
  }
}
