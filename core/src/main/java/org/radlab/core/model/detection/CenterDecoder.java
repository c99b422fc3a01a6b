package org.radlab.core.model.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.radlab.core.metrics.Overlap;

/**
 * Turns the detector's per-cell outputs into boxes (the inverse of {@link CenterTargets}): a cell's score for a
 * class is {@code sqrt(sigmoid(class logit) * sigmoid(centre-ness logit))}, as FCOS ranks them, so that cells near a
 * box's edge rank below its centre; its box is its centre moved out by the four predicted distances, clipped to the
 * input. Cells scoring at least {@code minScore} are kept, at most {@link #CANDIDATES} per image; then, per class,
 * non-maximum suppression drops a box overlapping a higher scored one by more than {@code nmsIou}; at most
 * {@code maxDetections} remain, the highest scored.
 */
public final class CenterDecoder {
  /** Candidates kept before suppression. */
  public static final int CANDIDATES = 1000;
  /** The lowest score a detection is kept with, in validation and when a model runs. */
  public static final double MIN_SCORE = 0.05;
  /** Suppression's overlap limit between boxes of a class. */
  public static final double NMS_IOU = 0.6;
  /** Detections kept per image (COCO's evaluation counts at most 100). */
  public static final int MAX_DETECTIONS = 100;

  /** A box in input pixels with its class index and score. */
  public record Detection(double x0, double y0, double x1, double y1, int classIndex, double score) {
    public double[] corners() {
      return new double[] {x0, y0, x1, y1};
    }
  }

  private CenterDecoder() {}

  /**
   * @param classLogits  {@code classes x cells}, class-major (the head's channel layout)
   * @param distances    {@code 4 x cells}: l, t, r, b in strides, already positive
   * @param centerLogits {@code cells}
   */
  public static List<Detection> decode(float[] classLogits, float[] distances, float[] centerLogits, int classes,
      int grid, int stride, double minScore, double nmsIou, int maxDetections) {
    int cells = grid * grid;
    if (classLogits.length != classes * cells || distances.length != 4 * cells || centerLogits.length != cells) {
      throw new IllegalArgumentException("outputs of " + classLogits.length + ", " + distances.length + " and "
          + centerLogits.length + " values do not fit " + classes + " classes on a " + grid + "x" + grid + " grid");
    }
    double side = (double) grid * stride;
    List<Detection> candidates = new ArrayList<>();
    for (int cell = 0; cell < cells; cell++) {
      double center = sigmoid(centerLogits[cell]);
      double cx = (cell % grid + 0.5) * stride;
      double cy = (cell / grid + 0.5) * stride;
      for (int c = 0; c < classes; c++) {
        double score = Math.sqrt(sigmoid(classLogits[c * cells + cell]) * center);
        if (score < minScore) {
          continue;
        }
        double x0 = Math.max(0, cx - distances[cell] * stride);
        double y0 = Math.max(0, cy - distances[cells + cell] * stride);
        double x1 = Math.min(side, cx + distances[2 * cells + cell] * stride);
        double y1 = Math.min(side, cy + distances[3 * cells + cell] * stride);
        if (x1 > x0 && y1 > y0) {
          candidates.add(new Detection(x0, y0, x1, y1, c, score));
        }
      }
    }
    candidates.sort(Comparator.comparingDouble(Detection::score).reversed());
    if (candidates.size() > CANDIDATES) {
      candidates = new ArrayList<>(candidates.subList(0, CANDIDATES));
    }
    List<Detection> kept = new ArrayList<>();
    for (Detection d : candidates) {
      boolean suppressed = false;
      for (Detection k : kept) {
        if (k.classIndex() == d.classIndex() && Overlap.iou(k.corners(), d.corners()) > nmsIou) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        kept.add(d);
        if (kept.size() == maxDetections) {
          break;
        }
      }
    }
    return kept;
  }

  /**
   * The detections of each image of a batch of {@code count} {@code side x side} inputs, from {@code DetectorNet}'s
   * three outputs flattened image after image (as {@code Replica.outputs} gives them), with this decoder's defaults
   * ({@link #MIN_SCORE}, {@link #NMS_IOU}, {@link #MAX_DETECTIONS}): the one decoding of validation and of a model
   * run.
   */
  public static List<List<Detection>> decodeBatch(float[][] outputs, int count, int classes, int side) {
    int stride = org.radlab.core.model.DetectorNet.STRIDE;
    int grid = side / stride;
    int cells = grid * grid;
    List<List<Detection>> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(decode(java.util.Arrays.copyOfRange(outputs[0], i * classes * cells, (i + 1) * classes * cells),
          java.util.Arrays.copyOfRange(outputs[1], i * 4 * cells, (i + 1) * 4 * cells),
          java.util.Arrays.copyOfRange(outputs[2], i * cells, (i + 1) * cells), classes, grid, stride, MIN_SCORE,
          NMS_IOU, MAX_DETECTIONS));
    }
    return out;
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
