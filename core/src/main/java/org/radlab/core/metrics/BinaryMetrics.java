package org.radlab.core.metrics;

/**
 * A binary classification at one threshold (positive when score {@code >= threshold}), from its 2x2 counts:
 * sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV TN/(TN+FN), F1 2TP/(2TP+FP+FN), accuracy
 * and unweighted kappa. A ratio whose denominator is 0 (for example PPV when nothing is called positive) is NaN.
 */
public record BinaryMetrics(double threshold, long truePositives, long falsePositives, long trueNegatives,
    long falseNegatives) {

  public static BinaryMetrics at(double[] scores, boolean[] positive, double threshold) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
    }
    long tp = 0;
    long fp = 0;
    long tn = 0;
    long fn = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean called = scores[i] >= threshold;
      if (called && positive[i]) {
        tp++;
      } else if (called) {
        fp++;
      } else if (positive[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new BinaryMetrics(threshold, tp, fp, tn, fn);
  }

  public double sensitivity() {
    return ratio(truePositives, truePositives + falseNegatives);
  }

  public double specificity() {
    return ratio(trueNegatives, trueNegatives + falsePositives);
  }

  public double ppv() {
    return ratio(truePositives, truePositives + falsePositives);
  }

  public double npv() {
    return ratio(trueNegatives, trueNegatives + falseNegatives);
  }

  public double f1() {
    return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
  }

  public double accuracy() {
    return ratio(truePositives + trueNegatives, truePositives + trueNegatives + falsePositives + falseNegatives);
  }

  /** Unweighted kappa of the call against the reference. */
  public double kappa() {
    return Kappa.of(new ConfusionMatrix(new long[][] {{trueNegatives, falsePositives},
        {falseNegatives, truePositives}}), Kappa.Weighting.UNWEIGHTED);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }
}
