package org.radlab.core.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * COCO-style average precision of box detections, with COCO's evaluation semantics (as pycocotools computes them
 * for boxes, every box of every size): IoU thresholds 0.50, 0.55, …, 0.95; at most {@link #MAX_DETECTIONS}
 * detections per image and class, the highest scored; greedy matching per image (see {@link DetectionMatches});
 * precision interpolated (the best precision at that recall or any higher one) at the 101 recall levels 0, 0.01, …,
 * 1 and averaged. A class's AP averages its thresholds; mAP averages over the classes that have reference boxes.
 */
public final class DetectionAp {
  /** COCO's cap on detections per image (per class). */
  public static final int MAX_DETECTIONS = 100;
  /** How many IoU thresholds: 0.50 to 0.95 in steps of 0.05. */
  public static final int THRESHOLDS = 10;

  /** A detected box {@code [x1, y1, x2, y2]} with its confidence. */
  public record Detection(String image, String label, double score, double[] box) {}

  /** A reference box. */
  public record Truth(String image, String label, double[] box) {}

  /** One class: AP over the ten thresholds, at 0.50 and at 0.75, and how many reference boxes it has. */
  public record ClassAp(double ap, double ap50, double ap75, long references) {}

  /** mAP over 0.50:0.95, with AP at 0.50 and 0.75, and per class. */
  public record Result(double map, double ap50, double ap75, Map<String, ClassAp> perClass) {}

  private DetectionAp() {}

  /** How many recall levels precision is interpolated at: 0, 0.01, …, 1. */
  public static final int RECALL_LEVELS = 101;

  /** Recall level {@code k} (0 to 100), computed as numpy's {@code linspace(0, 1, 101)} does, as COCO's are. */
  public static double recallLevel(int k) {
    return k == RECALL_LEVELS - 1 ? 1.0 : k * 0.01;
  }

  /** IoU threshold {@code k} (0 to 9), computed as numpy's {@code linspace(.5, .95, 10)} does. */
  public static double threshold(int k) {
    return k == THRESHOLDS - 1 ? 0.95 : 0.5 + k * ((0.95 - 0.5) / (THRESHOLDS - 1));
  }

  /** The metrics over the images named by the boxes and detections. */
  public static Result evaluate(List<Detection> detections, List<Truth> truths) {
    return evaluate(DetectionMatches.imagesOf(detections, truths), detections, truths);
  }

  /** The metrics over {@code images}, which must include every image a box or detection is on. */
  public static Result evaluate(List<String> images, List<Detection> detections, List<Truth> truths) {
    return result(DetectionMatches.of(images, detections, truths), DetectionMatches.eachOnce(images.size()));
  }

  /** AP of one class at one IoU threshold (101-point interpolation); NaN when the class has no reference box. */
  public static double averagePrecision(List<Detection> detections, List<Truth> truths, String label,
      double threshold) {
    List<Truth> mine = truths.stream().filter(t -> t.label().equals(label)).toList();
    if (mine.isEmpty()) {
      return Double.NaN;
    }
    int k = (int) Math.round((threshold - 0.5) / 0.05);
    if (k < 0 || k >= THRESHOLDS || Math.abs(threshold(k) - threshold) > 1e-9) {
      throw new IllegalArgumentException("the IoU threshold is one of 0.50, 0.55, …, 0.95; got " + threshold);
    }
    List<String> images = DetectionMatches.imagesOf(detections, truths);
    return DetectionMatches.of(images, detections, mine).averagePrecision(0, k,
        DetectionMatches.eachOnce(images.size()));
  }

  /** The metrics with image {@code i} counted {@code weights[i]} times; NaN where no weighted reference box is. */
  static Result result(DetectionMatches m, int[] weights) {
    Map<String, ClassAp> perClass = new TreeMap<>();
    double sum = 0;
    double sum50 = 0;
    double sum75 = 0;
    int present = 0;
    for (int c = 0; c < m.classes().size(); c++) {
      double classSum = 0;
      double ap50 = Double.NaN;
      double ap75 = Double.NaN;
      for (int k = 0; k < THRESHOLDS; k++) {
        double ap = m.averagePrecision(c, k, weights);
        classSum += ap;
        if (k == 0) {
          ap50 = ap;
        } else if (k == 5) {
          ap75 = ap;
        }
      }
      double ap = classSum / THRESHOLDS;
      perClass.put(m.classes().get(c), new ClassAp(ap, ap50, ap75, m.references(c, weights)));
      if (!Double.isNaN(ap)) {
        sum += ap;
        sum50 += ap50;
        sum75 += ap75;
        present++;
      }
    }
    return present == 0 ? new Result(Double.NaN, Double.NaN, Double.NaN, perClass)
        : new Result(sum / present, sum50 / present, sum75 / present, perClass);
  }
}
