package org.radlab.core.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A segmentation mask of one image: a class index per pixel, row by row ({@code 0} is background, {@code 1..k} the
 * use case's classes in order). Stored as an 8-bit grey PNG whose pixel values are the indices, the format
 * {@code synth --lesions} writes and {@code labels import --task segmentation} reads.
 */
public record LabelMask(int width, int height, byte[] labels) {
  public LabelMask {
    if (width < 1 || height < 1 || labels.length != (long) width * height) {
      throw new IllegalArgumentException("a " + width + " x " + height + " mask needs " + (long) width * height
          + " labels, not " + labels.length);
    }
  }

  /** The class index at a pixel. */
  public int at(int x, int y) {
    return labels[y * width + x] & 0xff;
  }

  /** Whether each pixel holds class {@code c}. */
  public boolean[] of(int c) {
    boolean[] out = new boolean[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = (labels[i] & 0xff) == c;
    }
    return out;
  }

  /** The largest class index present. */
  public int maxLabel() {
    int max = 0;
    for (byte b : labels) {
      max = Math.max(max, b & 0xff);
    }
    return max;
  }

  /** Reads a mask PNG: one grey channel of at most 8 bits (a palette or colour PNG is refused, naming the file). */
  public static LabelMask readPng(Path png) throws IOException {
    BufferedImage image;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(png)) {
      image = org.radlab.core.dicom.PngCodec.read(in);
    } catch (IOException e) {
      throw new IOException(png + " is not a readable PNG: " + e.getMessage(), e);
    }
    Raster raster = image.getRaster();
    if (raster.getNumBands() != 1 || raster.getSampleModel().getSampleSize(0) > 8
        || image.getType() == BufferedImage.TYPE_BYTE_INDEXED) {
      throw new IOException(png + " is not an 8-bit grey mask (" + raster.getNumBands() + " channels, "
          + raster.getSampleModel().getSampleSize(0) + " bits): save the class indices as grey values");
    }
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] labels = new byte[w * h];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        labels[y * w + x] = (byte) row[x];
      }
    }
    return new LabelMask(w, h, labels);
  }
}
