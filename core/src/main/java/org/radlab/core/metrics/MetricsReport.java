package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The full metric set of one model's predictions on a set of cases (studies): the shape of {@code metrics.json}
 * and of {@code radlab metrics}' output. Multi-class results use the most probable class as the prediction; the
 * binary view scores each case by the summed probability of the positive classes (for breast density, C and D
 * against A and B) and calls it positive at or above the threshold. Confidence intervals come from
 * {@link Bootstrap} over the cases.
 */
public record MetricsReport(
    int cases,
    List<String> classes,
    Map<String, Long> referenceCounts,
    long[][] confusionMatrix,
    double accuracy,
    Map<String, Double> kappa,
    Bootstrap.Interval kappaLinearCi,
    double aucMacro,
    Map<String, Double> aucPerClass,
    Bootstrap.Interval aucMacroCi,
    Binary binary) {

  /** The binary view: which classes count as positive, the threshold, the counts and the metrics at it, and ROC. */
  public record Binary(List<String> positiveClasses, double threshold, long truePositives, long falsePositives,
      long trueNegatives, long falseNegatives, double sensitivity, double specificity, double ppv, double npv,
      double f1, double kappa, double auc, Bootstrap.Interval aucCi, List<Roc.Point> roc) {}

  /**
   * @param positiveClasses the binary view's positive classes (empty: the last class)
   * @param threshold       calls a case positive when its positive score is at least this
   * @param resamples       bootstrap resamples for the intervals (0: none)
   */
  public record Options(List<String> positiveClasses, double threshold, int resamples, double level, long seed) {
    public static Options defaults() {
      return new Options(List.of(), 0.5, 1000, 0.95, 1);
    }
  }

  /**
   * @param reference     the reference class of each case, 0..classes-1
   * @param probabilities per case, one probability per class
   */
  public static MetricsReport compute(List<String> classes, int[] reference, double[][] probabilities,
      Options options) {
    int k = classes.size();
    int n = reference.length;
    if (k < 2) {
      throw new IllegalArgumentException("at least 2 classes are needed");
    }
    if (probabilities.length != n) {
      throw new IllegalArgumentException(n + " reference labels but " + probabilities.length + " predictions");
    }
    if (n == 0) {
      throw new IllegalArgumentException("there are no cases");
    }
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      if (probabilities[i].length != k) {
        throw new IllegalArgumentException("case " + i + " has " + probabilities[i].length + " probabilities for "
            + k + " classes");
      }
      int arg = 0;
      for (int c = 1; c < k; c++) {
        if (probabilities[i][c] > probabilities[i][arg]) {
          arg = c;
        }
      }
      predicted[i] = arg;
    }
    ConfusionMatrix cm = ConfusionMatrix.of(reference, predicted, k);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (int c = 0; c < k; c++) {
      long row = 0;
      for (long v : cm.counts()[c]) {
        row += v;
      }
      counts.put(classes.get(c), row);
    }
    Map<String, Double> kappa = new LinkedHashMap<>();
    kappa.put("unweighted", Kappa.of(cm, Kappa.Weighting.UNWEIGHTED));
    kappa.put("linear", Kappa.of(cm, Kappa.Weighting.LINEAR));
    kappa.put("quadratic", Kappa.of(cm, Kappa.Weighting.QUADRATIC));
    Map<String, Double> aucs = new LinkedHashMap<>();
    for (int c = 0; c < k; c++) {
      aucs.put(classes.get(c), Auc.oneVsRest(probabilities, reference, c));
    }
    double macro = Auc.macroOneVsRest(probabilities, reference, k);

    Set<Integer> positive = positives(classes, options.positiveClasses());
    double[] score = new double[n];
    boolean[] isPositive = new boolean[n];
    for (int i = 0; i < n; i++) {
      for (int c : positive) {
        score[i] += probabilities[i][c];
      }
      isPositive[i] = positive.contains(reference[i]);
    }
    BinaryMetrics at = BinaryMetrics.at(score, isPositive, options.threshold());
    double binaryAuc = Auc.binary(score, isPositive);
    boolean both = !Double.isNaN(binaryAuc);

    Bootstrap.Interval kappaCi = null;
    Bootstrap.Interval macroCi = null;
    Bootstrap.Interval binaryCi = null;
    if (options.resamples() > 0) {
      // one sort per score, then a pass per resample over case weights (see Bootstrap.weighted)
      double[][] byClass = new double[k][n];
      boolean[][] isClass = new boolean[k][n];
      int[][] order = new int[k][];
      for (int c = 0; c < k; c++) {
        for (int i = 0; i < n; i++) {
          byClass[c][i] = probabilities[i][c];
          isClass[c][i] = reference[i] == c;
        }
        order[c] = Auc.ascending(byClass[c]);
      }
      int[] binaryOrder = Auc.ascending(score);
      java.util.function.ToDoubleFunction<int[]> kappaOf =
          w -> Kappa.weighted(reference, predicted, w, k, Kappa.Weighting.LINEAR);
      java.util.function.ToDoubleFunction<int[]> macroOf = w -> {
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < k; c++) {
          double a = Auc.binaryWeighted(byClass[c], isClass[c], order[c], w);
          if (!Double.isNaN(a)) {
            sum += a;
            defined++;
          }
        }
        return defined == 0 ? Double.NaN : sum / defined;
      };
      java.util.function.ToDoubleFunction<int[]> binaryOf =
          w -> Auc.binaryWeighted(score, isPositive, binaryOrder, w);
      List<Bootstrap.Interval> ci = Bootstrap.weighted(n, List.of(kappaOf, macroOf, binaryOf), options.resamples(),
          options.level(), options.seed());
      kappaCi = ci.get(0);
      macroCi = ci.get(1);
      binaryCi = ci.get(2);
    }
    List<String> positiveNames = new ArrayList<>();
    positive.forEach(c -> positiveNames.add(classes.get(c)));
    Binary binary = new Binary(positiveNames, options.threshold(), at.truePositives(), at.falsePositives(),
        at.trueNegatives(), at.falseNegatives(), at.sensitivity(), at.specificity(), at.ppv(), at.npv(), at.f1(),
        at.kappa(), binaryAuc, binaryCi, both ? Roc.curve(score, isPositive) : List.of());
    return new MetricsReport(n, List.copyOf(classes), counts, cm.counts(), cm.accuracy(), kappa, kappaCi, macro, aucs,
        macroCi, binary);
  }

  private static Set<Integer> positives(List<String> classes, List<String> names) {
    Set<Integer> out = new TreeSet<>();
    if (names == null || names.isEmpty()) {
      out.add(classes.size() - 1);
      return out;
    }
    for (String name : names) {
      int c = classes.indexOf(name);
      if (c < 0) {
        throw new IllegalArgumentException("positive class " + name + " is not one of " + classes);
      }
      out.add(c);
    }
    if (out.size() == classes.size()) {
      throw new IllegalArgumentException("the positive classes must leave at least one negative class");
    }
    return out;
  }
}
