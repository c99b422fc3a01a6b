package org.radlab.prep.synth;

/**
 * BI-RADS breast density classes, with the prevalence the synthesizer draws them at (about 10/40/40/10 %) and the
 * share of the breast that is fibroglandular tissue in each class. The class distributions of that share overlap, so
 * neighbouring classes are not separable by the share alone.
 */
public enum BiRadsDensity {
  /** Almost entirely fatty. */
  A(0.10, 0.07, 0.040),
  /** Scattered areas of fibroglandular density. */
  B(0.40, 0.24, 0.070),
  /** Heterogeneously dense. */
  C(0.40, 0.46, 0.080),
  /** Extremely dense. */
  D(0.10, 0.70, 0.080);

  private final double prevalence;
  private final double meanFraction;
  private final double fractionSpread;

  BiRadsDensity(double prevalence, double meanFraction, double fractionSpread) {
    this.prevalence = prevalence;
    this.meanFraction = meanFraction;
    this.fractionSpread = fractionSpread;
  }

  /** The share of studies drawn in this class. */
  public double prevalence() {
    return prevalence;
  }

  /** Mean fibroglandular share of the breast area in this class. */
  double meanFraction() {
    return meanFraction;
  }

  /** Standard deviation of the fibroglandular share within this class. */
  double fractionSpread() {
    return fractionSpread;
  }

  /** The class a uniform draw in [0, 1) falls into, following the prevalences. */
  static BiRadsDensity fromUniform(double u) {
    double cumulative = 0;
    for (BiRadsDensity d : values()) {
      cumulative += d.prevalence;
      if (u < cumulative) {
        return d;
      }
    }
    return D;
  }

  /** The neighbouring class one step denser ({@code +1}) or fatter ({@code -1}); at either end, the only neighbour. */
  BiRadsDensity neighbour(int direction) {
    int i = ordinal() + (direction >= 0 ? 1 : -1);
    if (i < 0) {
      i = 1;
    } else if (i >= values().length) {
      i = values().length - 2;
    }
    return values()[i];
  }
}
