package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * COCO-style mean average precision of box detections. For each class and each IoU threshold 0.50, 0.55, …,
 * 0.95: detections are taken in decreasing score; each is a true positive when it overlaps (IoU at least the
 * threshold) a not yet matched reference box of its image and class, the best-overlapping one, else a false
 * positive. Average precision is the precision interpolated (the best precision at any higher recall) at the 101
 * recall levels 0, 0.01, …, 1, averaged. mAP averages over thresholds and over the classes that have reference boxes.
 */
public final class DetectionAp {
  /** A detected box with its confidence. */
  public record Detection(String image, String label, double score, double[] box) {}

  /** A reference box. */
  public record Truth(String image, String label, double[] box) {}

  /** mAP over 0.50:0.95, with AP at 0.50 and 0.75 and per class (over the thresholds). */
  public record Result(double map, double ap50, double ap75, Map<String, Double> perClass) {}

  private DetectionAp() {}

  public static Result evaluate(List<Detection> detections, List<Truth> truths) {
    TreeSet<String> classes = new TreeSet<>();
    truths.forEach(t -> classes.add(t.label()));
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("mAP needs at least one reference box");
    }
    Map<String, Double> perClass = new java.util.TreeMap<>();
    double sum = 0;
    double sum50 = 0;
    double sum75 = 0;
    for (String c : classes) {
      double classSum = 0;
      for (int k = 0; k < 10; k++) {
        double t = 0.5 + 0.05 * k;
        double ap = averagePrecision(detections, truths, c, t);
        classSum += ap;
        if (k == 0) {
          sum50 += ap;
        } else if (k == 5) {
          sum75 += ap;
        }
      }
      perClass.put(c, classSum / 10);
      sum += classSum / 10;
    }
    int n = classes.size();
    return new Result(sum / n, sum50 / n, sum75 / n, perClass);
  }

  /** AP of one class at one IoU threshold (101-point interpolation). */
  public static double averagePrecision(List<Detection> detections, List<Truth> truths, String label,
      double threshold) {
    Map<String, List<double[]>> refs = new HashMap<>();
    int total = 0;
    for (Truth t : truths) {
      if (t.label().equals(label)) {
        refs.computeIfAbsent(t.image(), k -> new ArrayList<>()).add(t.box());
        total++;
      }
    }
    if (total == 0) {
      return Double.NaN;
    }
    List<Detection> mine = new ArrayList<>();
    for (Detection d : detections) {
      if (d.label().equals(label)) {
        mine.add(d);
      }
    }
    mine.sort(Comparator.comparingDouble(Detection::score).reversed());
    Map<String, boolean[]> used = new HashMap<>();
    refs.forEach((img, boxes) -> used.put(img, new boolean[boxes.size()]));
    double[] precision = new double[mine.size()];
    double[] recall = new double[mine.size()];
    int tp = 0;
    for (int i = 0; i < mine.size(); i++) {
      Detection d = mine.get(i);
      List<double[]> boxes = refs.getOrDefault(d.image(), List.of());
      int best = -1;
      double bestIou = threshold;
      for (int j = 0; j < boxes.size(); j++) {
        if (used.get(d.image())[j]) {
          continue;
        }
        double iou = Overlap.iou(d.box(), boxes.get(j));
        if (iou >= bestIou) {
          bestIou = iou;
          best = j;
        }
      }
      if (best >= 0) {
        used.get(d.image())[best] = true;
        tp++;
      }
      precision[i] = (double) tp / (i + 1);
      recall[i] = (double) tp / total;
    }
    // interpolate: precision at recall r is the best precision at any recall >= r
    for (int i = precision.length - 2; i >= 0; i--) {
      precision[i] = Math.max(precision[i], precision[i + 1]);
    }
    double sum = 0;
    int at = 0;
    for (int k = 0; k <= 100; k++) {
      double r = k / 100.0;
      while (at < recall.length && recall[at] < r - 1e-12) {
        at++;
      }
      sum += at < recall.length ? precision[at] : 0;
    }
    return sum / 101;
  }
}
