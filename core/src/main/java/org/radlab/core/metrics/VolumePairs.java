package org.radlab.core.metrics;

import java.util.List;

/** Predicted against reference volumes per case, from segmentation masks: voxels inside times the voxel volume. */
public final class VolumePairs {
  /** One case's volumes, in the unit of {@code voxelVolume} (for example mm³). */
  public record Pair(String caseId, double predicted, double reference) {}

  private VolumePairs() {}

  public static Pair of(String caseId, boolean[] predicted, boolean[] reference, double voxelVolume) {
    if (predicted.length != reference.length) {
      throw new IllegalArgumentException("masks differ in size: " + predicted.length + " and " + reference.length);
    }
    if (!(voxelVolume > 0)) {
      throw new IllegalArgumentException("the voxel volume must be positive, not " + voxelVolume);
    }
    return new Pair(caseId, count(predicted) * voxelVolume, count(reference) * voxelVolume);
  }

  /** The pairs' Bland-Altman agreement (predicted minus reference). */
  public static BlandAltman agreement(List<Pair> pairs) {
    double[] p = new double[pairs.size()];
    double[] r = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      p[i] = pairs.get(i).predicted();
      r[i] = pairs.get(i).reference();
    }
    return BlandAltman.of(p, r);
  }

  private static long count(boolean[] mask) {
    long n = 0;
    for (boolean b : mask) {
      if (b) {
        n++;
      }
    }
    return n;
  }
}
