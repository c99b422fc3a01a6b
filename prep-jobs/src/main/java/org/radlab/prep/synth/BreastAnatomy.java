package org.radlab.prep.synth;

import java.util.SplittableRandom;

/**
 * The geometry and tissue of one view, in units that do not depend on the image size: lengths along x are fractions
 * of the image width, along y fractions of its height, intensities display values (0 black, 1 white).
 *
 * <p>The breast is drawn with its chest wall on the left edge, then mirrored when {@code chestWallOnRight}. Its
 * outline is two half-ellipses joined at {@code centerY}: depth {@code depth} from the chest wall, reaching
 * {@code upperHeight} above and {@code lowerHeight} below the centre. MLO views reach past the top edge (the axillary
 * tail) and carry a pectoral muscle triangle in the top chest-wall corner, {@code pectoralWidth} wide and
 * {@code pectoralHeight} high; CC views have none (both 0).
 */
record BreastAnatomy(double depth, double centerY, double upperHeight, double lowerHeight, double pectoralWidth,
                     double pectoralHeight, double fibroglandularFraction, double glandContrast, double fatLevel,
                     double noiseLevel, boolean chestWallOnRight, long textureSeed) {

  /** Draws the view's anatomy from the study's parameters and the view's own generator. */
  static BreastAnatomy of(PlannedStudy study, MammoView view, SplittableRandom r) {
    double size = study.patient().breastSize();
    double fraction = StudyPlanner.clamp(study.fibroglandularFraction() + 0.02 * StudyPlanner.gaussian(r),
        0.005, 0.95);
    double contrast = study.glandContrast() * (0.95 + 0.1 * r.nextDouble());
    double fat = study.fatLevel() + 0.01 * (r.nextDouble() - 0.5);
    double noise = study.noiseLevel();
    long texture = r.nextLong();
    if (view.mediolateralOblique()) {
      double depth = Math.min(0.92, 0.52 + 0.34 * size + jitter(r, 0.03));
      double centerY = 0.40 + jitter(r, 0.04);
      double upper = centerY / (0.70 + 0.10 * r.nextDouble());
      double lower = Math.min(0.97 - centerY, 0.33 + 0.14 * size + jitter(r, 0.02));
      double widthAtTop = depth * Math.sqrt(1 - (centerY / upper) * (centerY / upper));
      double pectoralWidth = widthAtTop * (0.55 + 0.30 * r.nextDouble());
      double pectoralHeight = 0.38 + 0.20 * r.nextDouble();
      return new BreastAnatomy(depth, centerY, upper, lower, pectoralWidth, pectoralHeight, fraction, contrast, fat,
          noise, view.chestWallOnRight(), texture);
    }
    double depth = Math.min(0.90, 0.50 + 0.34 * size + jitter(r, 0.03));
    double centerY = 0.50 + jitter(r, 0.04);
    double upper = Math.min(centerY - 0.03, 0.30 + 0.13 * size + jitter(r, 0.02));
    double lower = Math.min(0.97 - centerY, upper * (0.92 + 0.16 * r.nextDouble()));
    return new BreastAnatomy(depth, centerY, upper, lower, 0, 0, fraction, contrast, fat, noise,
        view.chestWallOnRight(), texture);
  }

  boolean hasPectoralMuscle() {
    return pectoralWidth > 0 && pectoralHeight > 0;
  }

  private static double jitter(SplittableRandom r, double amplitude) {
    return amplitude * (2 * r.nextDouble() - 1);
  }
}
