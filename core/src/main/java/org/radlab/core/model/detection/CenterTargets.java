package org.radlab.core.model.detection;

import java.util.Arrays;
import java.util.List;

/**
 * Training targets of an anchor-free, single-level detector in the manner of FCOS (Tian et al. 2019): every cell of
 * a grid laid over the model input (cell side {@code stride} pixels) predicts, at its centre, a score per class and
 * its distances to the four sides of a box.
 *
 * <p>A cell is positive for a box when its centre lies inside the box and within {@link #CENTER_RADIUS} strides of
 * the box centre (FCOS's centre sampling, which keeps positives on the object rather than on its corners). A cell
 * claimed by several boxes takes the smallest. A box that claims no cell (smaller than a cell, or between cell
 * centres) takes the cell whose area holds its centre, unless a smaller box has that cell; its side distances are
 * then measured from that cell's centre, which may lie just outside the box, and are kept at least
 * {@link #MIN_DISTANCE} (the regression predicts positive distances only), so such a tiny box is learnt slightly
 * larger than it is. Distances are in strides; {@code centerness} is FCOS's
 * {@code sqrt(min(l, r) / max(l, r) * min(t, b) / max(t, b))}, 0 for a cell whose centre is outside its box.
 *
 * @param grid       cells per side ({@code side / stride})
 * @param stride     cell side in input pixels
 * @param classOf    per cell (row-major), the class index of its box, or -1 for background
 * @param distances  {@code 4 x cells}, channel-major as the head outputs them: every cell's {@code l}, then every
 *                   {@code t}, {@code r}, {@code b}, in strides (zero for background cells)
 * @param centerness per cell, the centre-ness of its position in its box (zero for background cells)
 */
public record CenterTargets(int grid, int stride, int[] classOf, float[] distances, float[] centerness) {
  /** How far from a box centre, in strides, a cell can be and still be positive for it. */
  public static final double CENTER_RADIUS = 1.5;
  /** The smallest side distance a target holds, in strides. */
  public static final double MIN_DISTANCE = 0.05;

  /** A box in input pixels {@code [x0, x1) x [y0, y1)} with its class index. */
  public record Box(double x0, double y0, double x1, double y1, int classIndex) {
    public Box {
      if (!(x1 > x0) || !(y1 > y0)) {
        throw new IllegalArgumentException("a box needs x1 > x0 and y1 > y0: " + this);
      }
      if (classIndex < 0) {
        throw new IllegalArgumentException("a class index is 0 or more: " + classIndex);
      }
    }

    double area() {
      return (x1 - x0) * (y1 - y0);
    }

    /** Boxes given as {@code x0, y0, x1, y1, class} after each other. */
    public static List<Box> of(double[] flat) {
      if (flat.length % 5 != 0) {
        throw new IllegalArgumentException("boxes come as groups of 5 values, not " + flat.length);
      }
      List<Box> out = new java.util.ArrayList<>(flat.length / 5);
      for (int i = 0; i < flat.length; i += 5) {
        out.add(new Box(flat[i], flat[i + 1], flat[i + 2], flat[i + 3], (int) flat[i + 4]));
      }
      return out;
    }
  }

  /** The targets of {@code boxes} on a {@code side x side} input. */
  public static CenterTargets assign(List<Box> boxes, int side, int stride) {
    if (stride < 1 || side % stride != 0) {
      throw new IllegalArgumentException("the input side " + side + " must be a multiple of the stride " + stride);
    }
    int grid = side / stride;
    int cells = grid * grid;
    int[] owner = new int[cells];
    Arrays.fill(owner, -1);
    boolean[] claimed = new boolean[boxes.size()];
    for (int i = 0; i < grid; i++) {
      for (int j = 0; j < grid; j++) {
        double cx = (j + 0.5) * stride;
        double cy = (i + 0.5) * stride;
        int best = -1;
        for (int k = 0; k < boxes.size(); k++) {
          Box b = boxes.get(k);
          boolean inside = cx > b.x0() && cx < b.x1() && cy > b.y0() && cy < b.y1();
          boolean central = Math.abs(cx - (b.x0() + b.x1()) / 2) < CENTER_RADIUS * stride
              && Math.abs(cy - (b.y0() + b.y1()) / 2) < CENTER_RADIUS * stride;
          if (inside && central && (best < 0 || b.area() < boxes.get(best).area())) {
            best = k;
          }
        }
        owner[i * grid + j] = best;
        if (best >= 0) {
          claimed[best] = true;
        }
      }
    }
    for (int k = 0; k < boxes.size(); k++) { // boxes no cell centre falls into: the cell holding their centre
      if (claimed[k]) {
        continue;
      }
      Box b = boxes.get(k);
      int j = Math.min(grid - 1, Math.max(0, (int) Math.floor((b.x0() + b.x1()) / 2 / stride)));
      int i = Math.min(grid - 1, Math.max(0, (int) Math.floor((b.y0() + b.y1()) / 2 / stride)));
      int cell = i * grid + j;
      if (owner[cell] < 0 || boxes.get(owner[cell]).area() > b.area()) {
        owner[cell] = k;
      }
    }
    int[] classOf = new int[cells];
    float[] distances = new float[4 * cells];
    float[] centerness = new float[cells];
    for (int cell = 0; cell < cells; cell++) {
      int k = owner[cell];
      if (k < 0) {
        classOf[cell] = -1;
        continue;
      }
      Box b = boxes.get(k);
      double cx = (cell % grid + 0.5) * stride;
      double cy = (cell / grid + 0.5) * stride;
      double l = Math.max(MIN_DISTANCE, (cx - b.x0()) / stride);
      double t = Math.max(MIN_DISTANCE, (cy - b.y0()) / stride);
      double r = Math.max(MIN_DISTANCE, (b.x1() - cx) / stride);
      double bottom = Math.max(MIN_DISTANCE, (b.y1() - cy) / stride);
      boolean inside = cx > b.x0() && cx < b.x1() && cy > b.y0() && cy < b.y1();
      classOf[cell] = b.classIndex();
      distances[cell] = (float) l;
      distances[cells + cell] = (float) t;
      distances[2 * cells + cell] = (float) r;
      distances[3 * cells + cell] = (float) bottom;
      centerness[cell] = inside
          ? (float) Math.sqrt(Math.min(l, r) / Math.max(l, r) * Math.min(t, bottom) / Math.max(t, bottom)) : 0f;
    }
    return new CenterTargets(grid, stride, classOf, distances, centerness);
  }

  /** Positive cells. */
  public int positives() {
    int n = 0;
    for (int c : classOf) {
      n += c >= 0 ? 1 : 0;
    }
    return n;
  }
}
