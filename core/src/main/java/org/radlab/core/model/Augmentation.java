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
    Draw d = draw(random);
    return transform(image, side, d.flipX(), d.flipY(), d.degrees());
  }

  /** One random change: the two flips and the rotation in degrees. */
  private record Draw(boolean flipX, boolean flipY, double degrees) {}

  /** The change's draws from {@code random}, in the order every {@code apply} makes them. */
  private Draw draw(Random random) {
    boolean flipX = random.nextBoolean();
    boolean flipY = random.nextBoolean();
    return new Draw(flipX, flipY, maxDegrees == 0 ? 0 : (random.nextDouble() * 2 - 1) * maxDegrees);
  }

  /** An image changed by {@link #apply(float[], int, double[], Random)}, with its boxes moved along. */
  public record Moved(float[] image, double[] boxes) {}

  /**
   * The same change as {@link #apply(float[], int, Random)} (the same draws from {@code random}), applied to the
   * image and to its boxes: {@code x0, y0, x1, y1, class} after each other, in continuous pixel coordinates. A flip
   * moves a box exactly; a rotated box becomes the bounds of its four rotated corners, clipped to the image (a
   * little larger than the finding, as the usual detection augmentations make it too). A box left less than a
   * pixel wide or high inside the image is dropped.
   */
  public Moved apply(float[] image, int side, double[] boxes, Random random) {
    if (boxes.length % 5 != 0) {
      throw new IllegalArgumentException("boxes come as groups of 5 values, not " + boxes.length);
    }
    if (image.length != side * side) {
      throw new IllegalArgumentException("image holds " + image.length + " values, not " + side + "x" + side);
    }
    if (kind == Kind.NONE) {
      return new Moved(image, boxes);
    }
    Draw d = draw(random);
    return new Moved(transform(image, side, d.flipX(), d.flipY(), d.degrees()),
        moveBoxes(boxes, side, d.flipX(), d.flipY(), d.degrees()));
  }

  /** An image changed by {@link #apply(float[], int, byte[], Random)}, with its mask moved along. */
  public record Masked(float[] image, byte[] mask) {}

  /**
   * The same change as {@link #apply(float[], int, Random)} (the same draws from {@code random}), applied to the
   * image and to its segmentation mask (a class index per pixel, same side): the mask is flipped and rotated by the
   * same transform, sampled by nearest neighbour so no class is blended or invented; what rotates in from outside
   * is background (0).
   */
  public Masked apply(float[] image, int side, byte[] mask, Random random) {
    if (image.length != side * side || mask.length != side * side) {
      throw new IllegalArgumentException("image and mask must hold " + side + "x" + side + " values, not "
          + image.length + " and " + mask.length);
    }
    if (kind == Kind.NONE) {
      return new Masked(image, mask);
    }
    Draw d = draw(random);
    return new Masked(transform(image, side, d.flipX(), d.flipY(), d.degrees()),
        transformMask(mask, side, d.flipX(), d.flipY(), d.degrees()));
  }

  /** The mask as {@link #transform} moves the image over it, by nearest neighbour (outside: 0). */
  public static byte[] transformMask(byte[] mask, int side, boolean flipX, boolean flipY, double degrees) {
    double rad = Math.toRadians(degrees);
    double cos = Math.cos(rad);
    double sin = Math.sin(rad);
    double c = (side - 1) / 2.0;
    byte[] out = new byte[mask.length];
    for (int y = 0; y < side; y++) {
      double dy = y - c;
      for (int x = 0; x < side; x++) {
        double dx = x - c;
        long sx = Math.round(c + cos * dx - sin * dy);
        long sy = Math.round(c + sin * dx + cos * dy);
        if (sx >= 0 && sy >= 0 && sx < side && sy < side) {
          int fx = flipX ? side - 1 - (int) sx : (int) sx;
          int fy = flipY ? side - 1 - (int) sy : (int) sy;
          out[y * side + x] = mask[fy * side + fx];
        }
      }
    }
    return out;
  }

  /** The boxes as {@link #transform} moves the image under them (see {@link #apply(float[], int, double[], Random)}). */
  public static double[] moveBoxes(double[] boxes, int side, boolean flipX, boolean flipY, double degrees) {
    double rad = Math.toRadians(degrees);
    double cos = Math.cos(rad);
    double sin = Math.sin(rad);
    double c = side / 2.0;
    double[] out = new double[boxes.length];
    int kept = 0;
    for (int b = 0; b < boxes.length; b += 5) {
      double x0 = flipX ? side - boxes[b + 2] : boxes[b];
      double x1 = flipX ? side - boxes[b] : boxes[b + 2];
      double y0 = flipY ? side - boxes[b + 3] : boxes[b + 1];
      double y1 = flipY ? side - boxes[b + 1] : boxes[b + 3];
      if (degrees != 0) {
        // a source point s lands at c + R(s - c), R the rotation transform() samples with, transposed
        double[] xs = {x0, x1, x1, x0};
        double[] ys = {y0, y0, y1, y1};
        x0 = y0 = Double.POSITIVE_INFINITY;
        x1 = y1 = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 4; k++) {
          double ox = c + cos * (xs[k] - c) + sin * (ys[k] - c);
          double oy = c - sin * (xs[k] - c) + cos * (ys[k] - c);
          x0 = Math.min(x0, ox);
          x1 = Math.max(x1, ox);
          y0 = Math.min(y0, oy);
          y1 = Math.max(y1, oy);
        }
      }
      x0 = Math.max(0, x0);
      y0 = Math.max(0, y0);
      x1 = Math.min(side, x1);
      y1 = Math.min(side, y1);
      if (x1 - x0 >= 1 && y1 - y0 >= 1) {
        out[kept++] = x0;
        out[kept++] = y0;
        out[kept++] = x1;
        out[kept++] = y1;
        out[kept++] = boxes[b + 4];
      }
    }
    return java.util.Arrays.copyOf(out, kept);
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
