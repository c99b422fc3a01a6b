package org.radlab.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Random;

/**
 * Random changes to a training image that keep its label: {@code none}, or {@code flips_rotations}: a horizontal
 * flip and a vertical flip, each with probability 1/2, then a rotation about the centre by an angle drawn uniformly
 * from [-max, +max] degrees (bilinear interpolation; what rotates in from outside the image is 0, the padding
 * value of the tensors). Works on square single-channel images stored row-major.
 */
public final class Augmentation {
  public enum Kind {
    NONE, FLIPS_ROTATIONS;

    @JsonValue
    public String id() {
      return Choices.id(this);
    }

    @JsonCreator
    public static Kind parse(String name) {
      return Choices.parse(Kind.class, name, "augmentation");
    }
  }

  private final Kind kind;
  private final double maxDegrees;

  public Augmentation(Kind kind, double maxDegrees) {
    if (!(maxDegrees >= 0 && maxDegrees <= 180)) {
      throw new IllegalArgumentException("the rotation limit must be in [0, 180] degrees, not " + maxDegrees);
    }
    this.kind = kind;
    this.maxDegrees = maxDegrees;
  }

  /** A new, changed copy of {@code image} (side × side); {@code none} returns the image itself. */
  public float[] apply(float[] image, int side, Random random) {
    if (image.length != side * side) {
      throw new IllegalArgumentException("image holds " + image.length + " values, not " + side + "x" + side);
    }
    if (kind == Kind.NONE) {
      return image;
    }
    boolean flipX = random.nextBoolean();
    boolean flipY = random.nextBoolean();
    double degrees = maxDegrees == 0 ? 0 : (random.nextDouble() * 2 - 1) * maxDegrees;
    return transform(image, side, flipX, flipY, degrees);
  }

  /**
   * The image flipped (left-right, then top-bottom) and rotated by {@code degrees} counter-clockwise as displayed
   * (y pointing down). Each output pixel samples the source at the inverse-rotated position.
   */
  public static float[] transform(float[] image, int side, boolean flipX, boolean flipY, double degrees) {
    float[] src = image;
    if (flipX || flipY) {
      src = new float[image.length];
      for (int y = 0; y < side; y++) {
        int sy = flipY ? side - 1 - y : y;
        for (int x = 0; x < side; x++) {
          src[y * side + x] = image[sy * side + (flipX ? side - 1 - x : x)];
        }
      }
    }
    if (degrees == 0) {
      return src == image ? image.clone() : src;
    }
    double rad = Math.toRadians(degrees);
    double cos = Math.cos(rad);
    double sin = Math.sin(rad);
    double c = (side - 1) / 2.0;
    float[] out = new float[image.length];
    for (int y = 0; y < side; y++) {
      double dy = y - c;
      for (int x = 0; x < side; x++) {
        double dx = x - c;
        // inverse rotation: where this output pixel comes from
        double sx = c + cos * dx - sin * dy;
        double sy = c + sin * dx + cos * dy;
        out[y * side + x] = bilinear(src, side, sx, sy);
      }
    }
    return out;
  }

  private static float bilinear(float[] img, int side, double x, double y) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    double v = 0;
    v += (1 - fx) * (1 - fy) * at(img, side, x0, y0);
    v += fx * (1 - fy) * at(img, side, x0 + 1, y0);
    v += (1 - fx) * fy * at(img, side, x0, y0 + 1);
    v += fx * fy * at(img, side, x0 + 1, y0 + 1);
    return (float) v;
  }

  private static float at(float[] img, int side, int x, int y) {
    return x < 0 || y < 0 || x >= side || y >= side ? 0f : img[y * side + x];
  }
}
