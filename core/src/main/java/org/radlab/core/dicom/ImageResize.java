package org.radlab.core.dicom;

/**
 * Deterministic, separable resampling of {@link GrayImage}s. Shrinking uses exact area averaging (each output
 * pixel is the mean of the source area it covers, so a 2000 px image reduced to 256 px does not alias);
 * enlarging uses bilinear interpolation between pixel centres. Upscaling is allowed.
 */
public final class ImageResize {
  private ImageResize() {}

  /**
   * Scales so that the longer edge becomes {@code longEdge}, keeping the aspect ratio (the shorter edge is
   * rounded, at least 1). No padding. Images smaller than {@code longEdge} are enlarged.
   */
  public static GrayImage fitLongEdge(GrayImage img, int longEdge) {
    if (longEdge <= 0) {
      throw new IllegalArgumentException("longEdge must be positive, got " + longEdge);
    }
    int w = img.width();
    int h = img.height();
    int nw;
    int nh;
    if (w >= h) {
      nw = longEdge;
      nh = (int) Math.max(1, Math.round((double) h * longEdge / w));
    } else {
      nh = longEdge;
      nw = (int) Math.max(1, Math.round((double) w * longEdge / h));
    }
    return resize(img, nw, nh);
  }

  /**
   * Fits the image into a {@code side x side} square ({@link #fitLongEdge}) and centres it; the margin on the
   * shorter axis is 0 (black). With an odd margin the extra pixel goes to the bottom/right.
   */
  public static GrayImage squarePadded(GrayImage img, int side) {
    GrayImage fitted = fitLongEdge(img, side);
    if (fitted.width() == side && fitted.height() == side) {
      return fitted;
    }
    float[] out = new float[side * side];
    int ox = (side - fitted.width()) / 2;
    int oy = (side - fitted.height()) / 2;
    for (int y = 0; y < fitted.height(); y++) {
      System.arraycopy(fitted.data(), y * fitted.width(), out, (oy + y) * side + ox, fitted.width());
    }
    return new GrayImage(side, side, out);
  }

  /** Resamples to exactly {@code width x height} (the aspect ratio may change). */
  public static GrayImage resize(GrayImage img, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
    }
    int w = img.width();
    int h = img.height();
    if (w == width && h == height) {
      return new GrayImage(w, h, img.data().clone());
    }
    float[] src = img.data();
    Weights horizontal = Weights.of(w, width);
    float[] tmp = new float[width * h];
    for (int y = 0; y < h; y++) {
      horizontal.applyAlongRow(src, y * w, tmp, y * width);
    }
    Weights vertical = Weights.of(h, height);
    float[] out = new float[width * height];
    for (int j = 0; j < height; j++) {
      vertical.accumulateRows(j, tmp, width, out, j * width);
    }
    return new GrayImage(width, height, out);
  }

  /** For each output index: the first source index and the weights of the consecutive sources. */
  private record Weights(int[] first, int[] count, int[] offset, float[] weight) {

    static Weights of(int src, int dst) {
      int[] first = new int[dst];
      int[] count = new int[dst];
      int[] offset = new int[dst + 1];
      float[][] per = new float[dst][];
      if (dst < src) {
        double scale = (double) src / dst; // source pixels per output pixel
        for (int j = 0; j < dst; j++) {
          double start = j * scale;
          double end = start + scale;
          int i0 = (int) Math.floor(start);
          int i1 = Math.min(src, (int) Math.ceil(end));
          float[] wts = new float[i1 - i0];
          double total = 0;
          for (int i = i0; i < i1; i++) {
            double overlap = Math.min(end, i + 1) - Math.max(start, i);
            wts[i - i0] = (float) Math.max(0, overlap);
            total += wts[i - i0];
          }
          for (int k = 0; k < wts.length; k++) {
            wts[k] = (float) (wts[k] / total);
          }
          first[j] = i0;
          per[j] = wts;
        }
      } else {
        double scale = (double) src / dst;
        for (int j = 0; j < dst; j++) {
          double x = (j + 0.5) * scale - 0.5;
          int i0 = (int) Math.floor(x);
          double t = x - i0;
          if (i0 < 0) {
            i0 = 0;
            t = 0;
          }
          if (i0 >= src - 1) {
            i0 = src - 1;
            t = 0;
          }
          first[j] = i0;
          per[j] = t == 0 ? new float[] {1f} : new float[] {(float) (1 - t), (float) t};
        }
      }
      for (int j = 0; j < dst; j++) {
        count[j] = per[j].length;
        offset[j + 1] = offset[j] + count[j];
      }
      float[] weight = new float[offset[dst]];
      for (int j = 0; j < dst; j++) {
        System.arraycopy(per[j], 0, weight, offset[j], count[j]);
      }
      return new Weights(first, count, offset, weight);
    }

    /** Resamples one row: out[outAt + j] = sum_k w[j][k] * in[inAt + first[j] + k]. */
    void applyAlongRow(float[] in, int inAt, float[] out, int outAt) {
      for (int j = 0; j < first.length; j++) {
        int p = inAt + first[j];
        int o = offset[j];
        float sum = 0f;
        for (int k = 0, n = count[j]; k < n; k++) {
          sum += weight[o + k] * in[p + k];
        }
        out[outAt + j] = sum;
      }
    }

    /** Output row j as the weighted sum of whole source rows (row length {@code width}), row by row. */
    void accumulateRows(int j, float[] in, int width, float[] out, int outAt) {
      int o = offset[j];
      for (int k = 0, n = count[j]; k < n; k++) {
        float wk = weight[o + k];
        int row = (first[j] + k) * width;
        for (int x = 0; x < width; x++) {
          out[outAt + x] += wk * in[row + x];
        }
      }
    }
  }
}
