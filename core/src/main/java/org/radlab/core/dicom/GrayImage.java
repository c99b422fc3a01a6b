package org.radlab.core.dicom;

/** A single-channel image with values in [0,1], row-major ({@code data[y * width + x]}). */
public record GrayImage(int width, int height, float[] data) {

  public GrayImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (data == null || data.length != (long) width * height) {
      throw new IllegalArgumentException("data length must be width*height = " + (long) width * height);
    }
  }

  public float get(int x, int y) {
    return data[y * width + x];
  }
}
