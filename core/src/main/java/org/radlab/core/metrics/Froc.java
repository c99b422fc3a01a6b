package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.metrics.DetectionAp.Detection;
import org.radlab.core.metrics.DetectionAp.Truth;

/**
 * Free-response ROC, the measure computer-aided detection in mammography is reported in: lesion sensitivity
 * against the mean number of false positives per image, as the score threshold falls.
 *
 * <p>A detection <em>hits</em> a lesion (a reference box) of its class on its image when their IoU is at least
 * {@link #HIT_IOU}. At a threshold, a lesion is found when a detection scored at or above it hits it; a detection
 * that hits no lesion is a false positive, and further hits on a found lesion are neither (so a cluster of boxes on
 * one mass is not punished, as in LUNA16). False positives are divided by every evaluated image, lesions or not.
 * Sensitivity at a rate {@code f} is the best sensitivity of an operating point with at most {@code f} false
 * positives per image (0 if none); {@link #mean} averages it over {@link #RATES} (the "competition performance
 * metric"). Only the {@link DetectionAp#MAX_DETECTIONS} highest scored detections per image and class count.
 */
public final class Froc {
  /** The IoU at which a detection hits a lesion. */
  public static final double HIT_IOU = 0.5;
  /** False positives per image at which sensitivity is reported. */
  public static final double[] RATES = {0.125, 0.25, 0.5, 1, 2, 4, 8};

  /** An operating point: every detection scored {@code >= threshold} is called. */
  public record Point(double threshold, double falsePositivesPerImage, double sensitivity) {}

  private final int images;
  private final long[] lesionsPerImage;
  /** Per lesion: its image and the best score of a detection hitting it (-infinity: never found). */
  private final int[] lesionImage;
  private final double[] lesionFoundAt;
  /** False positives by decreasing score, with their image. */
  private final double[] fpScore;
  private final int[] fpImage;

  private Froc(int images, long[] lesionsPerImage, int[] lesionImage, double[] lesionFoundAt, double[] fpScore,
      int[] fpImage) {
    this.images = images;
    this.lesionsPerImage = lesionsPerImage;
    this.lesionImage = lesionImage;
    this.lesionFoundAt = lesionFoundAt;
    this.fpScore = fpScore;
    this.fpImage = fpImage;
  }

  /** Sorts out hits and false positives once, for {@link #curve} and {@link #mean} with any image weights. */
  public static Froc of(List<String> images, List<Detection> detections, List<Truth> truths) {
    Map<String, Integer> index = DetectionMatches.imageIndex(images);
    if (truths.isEmpty()) {
      throw new IllegalArgumentException("FROC needs at least one lesion (reference box)");
    }
    Map<String, List<Integer>> lesionsOf = new HashMap<>(); // image + class -> lesion indices
    int[] lesionImage = new int[truths.size()];
    long[] perImage = new long[images.size()];
    for (int l = 0; l < truths.size(); l++) {
      Truth t = truths.get(l);
      int i = DetectionMatches.index(index, t.image(), "lesion");
      lesionImage[l] = i;
      perImage[i]++;
      lesionsOf.computeIfAbsent(t.image() + '\u0000' + t.label(), k -> new ArrayList<>()).add(l);
    }
    double[] foundAt = new double[truths.size()];
    java.util.Arrays.fill(foundAt, Double.NEGATIVE_INFINITY);
    List<double[]> fps = new ArrayList<>(); // {score, image}
    for (List<Detection> kept : DetectionMatches.capped(detections).values()) {
      for (Detection d : kept) {
        int i = DetectionMatches.index(index, d.image(), "detection");
        boolean hit = false;
        for (int l : lesionsOf.getOrDefault(d.image() + '\u0000' + d.label(), List.of())) {
          if (Overlap.iou(d.box(), truths.get(l).box()) >= HIT_IOU) {
            hit = true;
            foundAt[l] = Math.max(foundAt[l], d.score());
          }
        }
        if (!hit) {
          fps.add(new double[] {d.score(), i});
        }
      }
    }
    fps.sort(Comparator.comparingDouble((double[] f) -> -f[0]));
    double[] fpScore = new double[fps.size()];
    int[] fpImage = new int[fps.size()];
    for (int f = 0; f < fps.size(); f++) {
      fpScore[f] = fps.get(f)[0];
      fpImage[f] = (int) fps.get(f)[1];
    }
    return new Froc(images.size(), perImage, lesionImage, foundAt, fpScore, fpImage);
  }

  /** The operating points with every image counted once, from (0, 0) at an infinite threshold. */
  public List<Point> curve() {
    return curve(DetectionMatches.eachOnce(images));
  }

  /** The operating points with image {@code i} counted {@code weights[i]} times; empty if no weighted lesion. */
  public List<Point> curve(int[] weights) {
    long lesions = 0;
    long weightedImages = 0;
    for (int i = 0; i < images; i++) {
      lesions += weights[i] * lesionsPerImage[i];
      weightedImages += weights[i];
    }
    if (lesions == 0) {
      return List.of();
    }
    // every distinct score of a found lesion or a false positive is a threshold, from the highest
    List<double[]> events = new ArrayList<>(); // {score, 1 = lesion found / 0 = false positive, weight}
    for (int l = 0; l < lesionFoundAt.length; l++) {
      if (lesionFoundAt[l] > Double.NEGATIVE_INFINITY && weights[lesionImage[l]] > 0) {
        events.add(new double[] {lesionFoundAt[l], 1, weights[lesionImage[l]]});
      }
    }
    for (int f = 0; f < fpScore.length; f++) {
      if (weights[fpImage[f]] > 0) {
        events.add(new double[] {fpScore[f], 0, weights[fpImage[f]]});
      }
    }
    events.sort(Comparator.comparingDouble((double[] e) -> -e[0]));
    List<Point> points = new ArrayList<>();
    points.add(new Point(Double.POSITIVE_INFINITY, 0, 0));
    long found = 0;
    long falsePositives = 0;
    for (int e = 0; e < events.size(); e++) {
      if (events.get(e)[1] == 1) {
        found += (long) events.get(e)[2];
      } else {
        falsePositives += (long) events.get(e)[2];
      }
      if (e + 1 == events.size() || events.get(e + 1)[0] != events.get(e)[0]) {
        points.add(new Point(events.get(e)[0], (double) falsePositives / weightedImages, (double) found / lesions));
      }
    }
    return points;
  }

  /** Sensitivity at each of {@link #RATES}, keyed by the rate as written there. */
  public static Map<String, Double> sensitivities(List<Point> curve) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (double rate : RATES) {
      out.put(rateName(rate), sensitivityAt(curve, rate));
    }
    return out;
  }

  /** The mean sensitivity over {@link #RATES}; NaN for an empty curve. */
  public static double mean(List<Point> curve) {
    if (curve.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (double rate : RATES) {
      sum += sensitivityAt(curve, rate);
    }
    return sum / RATES.length;
  }

  /** The best sensitivity with at most {@code rate} false positives per image. */
  public static double sensitivityAt(List<Point> curve, double rate) {
    double best = 0;
    for (Point p : curve) {
      if (p.falsePositivesPerImage() <= rate) {
        best = Math.max(best, p.sensitivity());
      }
    }
    return best;
  }

  static String rateName(double rate) {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }
}
