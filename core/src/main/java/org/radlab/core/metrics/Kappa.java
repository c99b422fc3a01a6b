package org.radlab.core.metrics;

/**
 * Cohen's kappa from a confusion matrix: {@code 1 - Σ w_ij O_ij / Σ w_ij E_ij}, where {@code O} holds the observed
 * proportions, {@code E_ij = row_i · col_j} the proportions expected by chance from the marginals, and the
 * disagreement weights {@code w_ij} are 0/1 for unweighted kappa, {@code |i-j|/(K-1)} for linear and
 * {@code (i-j)²/(K-1)²} for quadratic weighting. Equal to 1 for perfect agreement and 0 at chance. When chance
 * disagreement is 0 (both raters always name the same single class) kappa is undefined: NaN.
 */
public final class Kappa {
  public enum Weighting { UNWEIGHTED, LINEAR, QUADRATIC }

  private Kappa() {}

  public static double of(ConfusionMatrix m, Weighting weighting) {
    int k = m.classes();
    double n = m.total();
    if (n == 0) {
      return Double.NaN;
    }
    double[] rows = new double[k];
    double[] cols = new double[k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        rows[i] += m.counts()[i][j] / n;
        cols[j] += m.counts()[i][j] / n;
      }
    }
    double observed = 0;
    double expected = 0;
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        double w = weight(i, j, k, weighting);
        observed += w * m.counts()[i][j] / n;
        expected += w * rows[i] * cols[j];
      }
    }
    return expected == 0 ? Double.NaN : 1 - observed / expected;
  }

  /** Kappa when case {@code i} counts {@code weights[i]} times (a bootstrap resample). */
  public static double weighted(int[] reference, int[] predicted, int[] weights, int classes, Weighting weighting) {
    long[][] c = new long[classes][classes];
    for (int i = 0; i < reference.length; i++) {
      c[reference[i]][predicted[i]] += weights[i];
    }
    return of(new ConfusionMatrix(c), weighting);
  }

  public static double of(int[] reference, int[] predicted, int classes, Weighting weighting) {
    return of(ConfusionMatrix.of(reference, predicted, classes), weighting);
  }

  private static double weight(int i, int j, int k, Weighting w) {
    return switch (w) {
      case UNWEIGHTED -> i == j ? 0 : 1;
      case LINEAR -> Math.abs(i - j) / (double) (k - 1);
      case QUADRATIC -> (i - j) * (double) (i - j) / ((k - 1.0) * (k - 1.0));
    };
  }
}
