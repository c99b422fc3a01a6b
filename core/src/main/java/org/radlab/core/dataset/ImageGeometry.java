package org.radlab.core.dataset;

/**
 * Where a point of a prepared image's PNG lies in its tensor, and back. Prep renders the original ({@code columns}
 * x {@code rows}, mirrored if it was a right breast), shrinks it to the PNG ({@code pngWidth} x {@code pngHeight},
 * same aspect), and fits it into the {@code tensorSide} square tensor: scaled so its longer edge fills the side (the
 * shorter one rounded), centred, the margin black (see {@code ImageResize.squarePadded}). Both resizes map the
 * source rectangle linearly onto the target one, so a box maps by scale and offset, in continuous pixel
 * coordinates ({@code [x0, x1) x [y0, y1)}).
 */
public record ImageGeometry(int columns, int rows, int pngWidth, int pngHeight, int tensorSide) {
  public ImageGeometry {
    if (columns < 1 || rows < 1 || pngWidth < 1 || pngHeight < 1 || tensorSide < 1) {
      throw new IllegalArgumentException("image sizes must be positive: " + this);
    }
  }

  /** The geometry of one catalog entry at the dataset's tensor side; the entry must have its sizes. */
  public static ImageGeometry of(ImageList.Entry e, int tensorSide) {
    if (e.columns() == null || e.rows() == null || e.pngWidth() == null || e.pngHeight() == null) {
      throw new IllegalArgumentException("image " + e.imageId() + " has no recorded sizes");
    }
    return new ImageGeometry(e.columns(), e.rows(), e.pngWidth(), e.pngHeight(), tensorSide);
  }

  /** The rendered image's size inside the tensor: {width, height}, as {@code ImageResize.fitLongEdge} rounds it. */
  public int[] fitted() {
    if (columns >= rows) {
      return new int[] {tensorSide, (int) Math.max(1, Math.round((double) rows * tensorSide / columns))};
    }
    return new int[] {(int) Math.max(1, Math.round((double) columns * tensorSide / rows)), tensorSide};
  }

  /** {@code [x0, y0, x1, y1]} in PNG pixels as the same box in tensor pixels. */
  public double[] pngToTensor(double[] box) {
    int[] f = fitted();
    double sx = (double) f[0] / pngWidth;
    double sy = (double) f[1] / pngHeight;
    int ox = (tensorSide - f[0]) / 2;
    int oy = (tensorSide - f[1]) / 2;
    return new double[] {ox + box[0] * sx, oy + box[1] * sy, ox + box[2] * sx, oy + box[3] * sy};
  }

  /** {@code [x0, y0, x1, y1]} in tensor pixels as the same box in PNG pixels, clipped to the PNG. */
  public double[] tensorToPng(double[] box) {
    int[] f = fitted();
    double sx = (double) pngWidth / f[0];
    double sy = (double) pngHeight / f[1];
    int ox = (tensorSide - f[0]) / 2;
    int oy = (tensorSide - f[1]) / 2;
    return new double[] {clip((box[0] - ox) * sx, pngWidth), clip((box[1] - oy) * sy, pngHeight),
        clip((box[2] - ox) * sx, pngWidth), clip((box[3] - oy) * sy, pngHeight)};
  }

  /**
   * {@code [x0, y0, x1, y1]} in PNG pixels as the same box in a model's {@code inputSize} input (the tensor scaled
   * uniformly to that side).
   */
  public double[] pngToInput(double[] box, int inputSize) {
    double[] t = pngToTensor(box);
    double scale = (double) inputSize / tensorSide;
    for (int k = 0; k < 4; k++) {
      t[k] *= scale;
    }
    return t;
  }

  /** {@code [x0, y0, x1, y1]} in a model's {@code inputSize} input as the same box in PNG pixels, clipped. */
  public double[] inputToPng(double[] box, int inputSize) {
    double scale = (double) tensorSide / inputSize;
    return tensorToPng(new double[] {box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale});
  }

  /**
   * A mask in PNG pixels ({@code pngWidth} x {@code pngHeight}) as a mask of a model's {@code inputSize} input, by
   * nearest neighbour: each input pixel takes the class of the PNG pixel under its centre, and the tensor's padding
   * is background. Row-major, one class index per byte.
   */
  public byte[] pngMaskToInput(LabelMask m, int inputSize) {
    if (m.width() != pngWidth || m.height() != pngHeight) {
      throw new IllegalArgumentException("the mask is " + m.width() + " x " + m.height() + ", the PNG " + pngWidth
          + " x " + pngHeight);
    }
    int[] f = fitted();
    double scale = (double) tensorSide / inputSize;
    int ox = (tensorSide - f[0]) / 2;
    int oy = (tensorSide - f[1]) / 2;
    int[] column = new int[inputSize];
    for (int x = 0; x < inputSize; x++) {
      column[x] = source((x + 0.5) * scale - ox, (double) pngWidth / f[0], pngWidth);
    }
    byte[] out = new byte[inputSize * inputSize];
    for (int y = 0; y < inputSize; y++) {
      int row = source((y + 0.5) * scale - oy, (double) pngHeight / f[1], pngHeight);
      if (row < 0) {
        continue;
      }
      for (int x = 0; x < inputSize; x++) {
        if (column[x] >= 0) {
          out[y * inputSize + x] = m.labels()[row * pngWidth + column[x]];
        }
      }
    }
    return out;
  }

  /**
   * A mask of a model's {@code inputSize} input as a mask in PNG pixels, by nearest neighbour: each PNG pixel takes
   * the class of the input pixel under its centre.
   */
  public LabelMask inputMaskToPng(byte[] input, int inputSize) {
    if (input.length != inputSize * inputSize) {
      throw new IllegalArgumentException("the mask holds " + input.length + " values, not " + inputSize + "x"
          + inputSize);
    }
    int[] f = fitted();
    double scale = (double) inputSize / tensorSide;
    int ox = (tensorSide - f[0]) / 2;
    int oy = (tensorSide - f[1]) / 2;
    int[] column = new int[pngWidth];
    for (int x = 0; x < pngWidth; x++) {
      column[x] = inputIndex((ox + (x + 0.5) * f[0] / pngWidth) * scale, inputSize);
    }
    byte[] out = new byte[pngWidth * pngHeight];
    for (int y = 0; y < pngHeight; y++) {
      int row = inputIndex((oy + (y + 0.5) * f[1] / pngHeight) * scale, inputSize);
      for (int x = 0; x < pngWidth; x++) {
        out[y * pngWidth + x] = input[row * inputSize + column[x]];
      }
    }
    return new LabelMask(pngWidth, pngHeight, out);
  }

  /** The PNG pixel under a point {@code t} pixels into the fitted image, {@code perTensor} PNG pixels each; -1 off it. */
  private static int source(double t, double perTensor, int size) {
    double p = t * perTensor;
    return p < 0 || p >= size ? -1 : (int) p;
  }

  private static int inputIndex(double v, int inputSize) {
    return (int) Math.max(0, Math.min(inputSize - 1, Math.floor(v)));
  }

  private static double clip(double v, int max) {
    return Math.max(0, Math.min(max, v));
  }
}
