package org.radlab.core.model;

import java.util.Random;

/**
 * Square patches cut from a segmentation training image and its mask, so a segmenter trains on part of each image
 * at full resolution and predicts on the whole of it (the network is fully convolutional). A third of the patches
 * are centred on a pixel drawn uniformly from the image's findings, when it has any (nnU-Net's foreground
 * oversampling: small findings would otherwise rarely fall into a patch); the others lie anywhere in the image, each
 * position equally likely. A centred patch is moved inside the image where the finding lies near an edge.
 */
public final class Patches {
  /** The share of patches centred on a finding's pixel. */
  public static final double FOREGROUND_SHARE = 1.0 / 3;

  private Patches() {}

  /** The top-left corner {@code {x, y}} of a {@code patch} square inside a {@code side} image, drawn as above. */
  public static int[] corner(byte[] mask, int side, int patch, Random random) {
    if (patch < 1 || patch > side || mask.length != side * side) {
      throw new IllegalArgumentException("a " + patch + " patch of a " + side + " x " + side + " mask of "
          + mask.length + " values");
    }
    boolean onFinding = random.nextDouble() < FOREGROUND_SHARE;
    int free = side - patch + 1;
    int ux = random.nextInt(free);
    int uy = random.nextInt(free);
    if (onFinding) {
      int findings = 0;
      for (byte b : mask) {
        if (b != 0) {
          findings++;
        }
      }
      if (findings > 0) {
        int k = random.nextInt(findings);
        for (int i = 0; i < mask.length; i++) {
          if (mask[i] != 0 && k-- == 0) {
            return new int[] {clamp(i % side - patch / 2, free), clamp(i / side - patch / 2, free)};
          }
        }
      }
    }
    return new int[] {ux, uy};
  }

  /** The {@code patch} square at {@code corner} of a {@code side} image, row-major. */
  public static float[] cut(float[] image, int side, int patch, int[] corner) {
    float[] out = new float[patch * patch];
    for (int y = 0; y < patch; y++) {
      System.arraycopy(image, (corner[1] + y) * side + corner[0], out, y * patch, patch);
    }
    return out;
  }

  /** The {@code patch} square at {@code corner} of a {@code side} mask, row-major. */
  public static byte[] cut(byte[] mask, int side, int patch, int[] corner) {
    byte[] out = new byte[patch * patch];
    for (int y = 0; y < patch; y++) {
      System.arraycopy(mask, (corner[1] + y) * side + corner[0], out, y * patch, patch);
    }
    return out;
  }

  private static int clamp(int v, int free) {
    return Math.max(0, Math.min(free - 1, v));
  }
}
