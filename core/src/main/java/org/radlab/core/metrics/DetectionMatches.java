package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.radlab.core.metrics.DetectionAp.Detection;
import org.radlab.core.metrics.DetectionAp.Truth;

/**
 * Detections matched to reference boxes the COCO way, once, so that average precision can then be computed for any
 * weighting of the images (a bootstrap resample counts each image 0, 1, 2, … times) without matching again.
 *
 * <p>Matching is per image and class: the image's detections of the class, by decreasing score (ties in input
 * order), at most {@link DetectionAp#MAX_DETECTIONS}; each takes, among the reference boxes not yet taken at that
 * IoU threshold, the one it overlaps most if that IoU is at least the threshold (equal IoUs: the later box), and is a
 * true positive; else it is a false positive. Because matching never looks outside its image, a resample's result
 * is the same as matching the resampled images afresh.
 */
final class DetectionMatches {
  private static final double[] RECALLS = new double[DetectionAp.RECALL_LEVELS];

  static {
    for (int k = 0; k < RECALLS.length; k++) {
      RECALLS[k] = DetectionAp.recallLevel(k);
    }
  }

  private final List<String> classes;
  /** Per class: the kept detections by decreasing score (ties: image order, then rank within the image). */
  private final List<Ranked[]> ranked = new ArrayList<>();
  /** Per class, per image: reference boxes. */
  private final List<int[]> references = new ArrayList<>();

  /** A kept detection: its image, score, and a bit per IoU threshold (bit k: true positive at threshold k). */
  record Ranked(int image, double score, int hits) {}

  private DetectionMatches(List<String> classes) {
    this.classes = classes;
  }

  /** Every image counted once: the weights of the data as it is. */
  static int[] eachOnce(int images) {
    int[] ones = new int[images];
    java.util.Arrays.fill(ones, 1);
    return ones;
  }

  /** The images named by the reference boxes and the detections, in that order. */
  static List<String> imagesOf(List<Detection> detections, List<Truth> truths) {
    java.util.Set<String> images = new java.util.LinkedHashSet<>();
    truths.forEach(t -> images.add(t.image()));
    detections.forEach(d -> images.add(d.image()));
    return new ArrayList<>(images);
  }

  /**
   * Matches {@code detections} to {@code truths} on {@code images} (every image evaluated, including those without
   * reference boxes); the classes are those of the reference boxes.
   */
  static DetectionMatches of(List<String> images, List<Detection> detections, List<Truth> truths) {
    Map<String, Integer> imageIndex = imageIndex(images);
    TreeSet<String> classSet = new TreeSet<>();
    truths.forEach(t -> classSet.add(t.label()));
    if (classSet.isEmpty()) {
      throw new IllegalArgumentException("average precision needs at least one reference box");
    }
    DetectionMatches m = new DetectionMatches(List.copyOf(classSet));
    // (class, image) -> boxes, in input order
    Map<String, Map<Integer, List<double[]>>> refs = new LinkedHashMap<>();
    Map<String, Map<Integer, List<Detection>>> dets = new LinkedHashMap<>();
    for (Truth t : truths) {
      refs.computeIfAbsent(t.label(), c -> new HashMap<>())
          .computeIfAbsent(index(imageIndex, t.image(), "reference box"), i -> new ArrayList<>()).add(t.box());
    }
    for (List<Detection> top : capped(detections).values()) {
      for (Detection d : top) {
        dets.computeIfAbsent(d.label(), c -> new HashMap<>())
            .computeIfAbsent(index(imageIndex, d.image(), "detection"), i -> new ArrayList<>()).add(d);
      }
    }
    for (String c : m.classes) {
      Map<Integer, List<double[]>> classRefs = refs.getOrDefault(c, Map.of());
      int[] counts = new int[images.size()];
      classRefs.forEach((image, boxes) -> counts[image] = boxes.size());
      m.references.add(counts);
      List<Ranked> kept = new ArrayList<>();
      dets.getOrDefault(c, Map.of()).forEach((image, top) -> { // each image's capped detections, best first
        int[] hits = match(top, classRefs.getOrDefault(image, List.of()));
        for (int i = 0; i < top.size(); i++) {
          kept.add(new Ranked(image, top.get(i).score(), hits[i]));
        }
      });
      // a stable sort: equal scores of one image keep their rank in it
      kept.sort(Comparator.comparingDouble((Ranked r) -> -r.score()).thenComparingInt(Ranked::image));
      m.ranked.add(kept.toArray(Ranked[]::new));
    }
    return m;
  }

  List<String> classes() {
    return classes;
  }

  /** Reference boxes of class {@code c} on the images, image {@code i} counted {@code weights[i]} times. */
  long references(int c, int[] weights) {
    long total = 0;
    int[] refs = references.get(c);
    for (int i = 0; i < refs.length; i++) {
      total += (long) weights[i] * refs[i];
    }
    return total;
  }

  /**
   * Average precision of class {@code c} at IoU threshold index {@code k} (0: 0.50 … 9: 0.95) with image {@code i}
   * counted {@code weights[i]} times; NaN when the weighted images hold no reference box of the class.
   */
  double averagePrecision(int c, int k, int[] weights) {
    double[] precision = interpolatedPrecision(c, k, weights);
    if (precision == null) {
      return Double.NaN;
    }
    double sum = 0;
    for (double p : precision) {
      sum += p;
    }
    return sum / precision.length;
  }

  /**
   * The precision-recall curve of class {@code c} at threshold index {@code k}: the interpolated precision (the best
   * at that recall or any higher one) at each of the 101 recall levels 0, 0.01, …, 1, 0 where the recall is never
   * reached; null when the weighted images hold no reference box of the class.
   */
  double[] interpolatedPrecision(int c, int k, int[] weights) {
    long total = references(c, weights);
    if (total == 0) {
      return null;
    }
    Ranked[] r = ranked.get(c);
    double[] precision = new double[r.length];
    double[] recall = new double[r.length];
    int n = 0;
    long tp = 0;
    long fp = 0;
    int bit = 1 << k;
    for (Ranked d : r) {
      int w = weights[d.image()];
      if (w == 0) {
        continue;
      }
      if ((d.hits() & bit) != 0) {
        tp += w;
      } else {
        fp += w;
      }
      precision[n] = (double) tp / (tp + fp);
      recall[n] = (double) tp / total;
      n++;
    }
    for (int i = n - 2; i >= 0; i--) { // the best precision at this recall or any higher one
      precision[i] = Math.max(precision[i], precision[i + 1]);
    }
    double[] out = new double[RECALLS.length];
    int at = 0;
    for (int level = 0; level < RECALLS.length; level++) {
      while (at < n && recall[at] < RECALLS[level]) {
        at++;
      }
      out[level] = at < n ? precision[at] : 0;
    }
    return out;
  }

  /**
   * Per image and class (keyed by both), the highest scored {@link DetectionAp#MAX_DETECTIONS} detections by
   * decreasing score (ties keep their input order); a score that is not a finite number is an error.
   */
  static Map<String, List<Detection>> capped(List<Detection> detections) {
    Map<String, List<Detection>> groups = new LinkedHashMap<>();
    for (Detection d : detections) {
      if (!Double.isFinite(d.score())) {
        throw new IllegalArgumentException("a detection on " + d.image() + " has the score " + d.score());
      }
      groups.computeIfAbsent(d.image() + '\u0000' + d.label(), k -> new ArrayList<>()).add(d);
    }
    groups.replaceAll((k, list) -> {
      List<Detection> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingDouble(Detection::score).reversed()); // stable: ties keep input order
      return List.copyOf(sorted.subList(0, Math.min(sorted.size(), DetectionAp.MAX_DETECTIONS)));
    });
    return groups;
  }

  /** Bit k set: detection i (by decreasing score) is a true positive at threshold {@link DetectionAp#threshold}(k). */
  private static int[] match(List<Detection> sorted, List<double[]> boxes) {
    int[] hits = new int[sorted.size()];
    for (int k = 0; k < DetectionAp.THRESHOLDS; k++) {
      double threshold = Math.min(DetectionAp.threshold(k), 1 - 1e-10);
      boolean[] taken = new boolean[boxes.size()];
      for (int i = 0; i < sorted.size(); i++) {
        int best = -1;
        double bestIou = threshold;
        for (int j = 0; j < boxes.size(); j++) {
          if (taken[j]) {
            continue;
          }
          double iou = Overlap.iou(sorted.get(i).box(), boxes.get(j));
          if (iou >= bestIou) {
            bestIou = iou;
            best = j;
          }
        }
        if (best >= 0) {
          taken[best] = true;
          hits[i] |= 1 << k;
        }
      }
    }
    return hits;
  }

  /** Each image's position in {@code images}; an image listed twice is an error. */
  static Map<String, Integer> imageIndex(List<String> images) {
    Map<String, Integer> index = new HashMap<>();
    for (String image : images) {
      if (index.putIfAbsent(image, index.size()) != null) {
        throw new IllegalArgumentException("image " + image + " is listed twice");
      }
    }
    return index;
  }

  /** The position of {@code image}, which a {@code what} is on; an error if it is not evaluated. */
  static int index(Map<String, Integer> imageIndex, String image, String what) {
    Integer i = imageIndex.get(image);
    if (i == null) {
      throw new IllegalArgumentException("a " + what + " is on image " + image
          + ", which is not among the evaluated images");
    }
    return i;
  }
}
