package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ROC points, AUC properties, threshold metrics and bootstrap intervals. */
class RocAndThresholdTest {

  @Test
  void rocPointsOfASmallExample() {
    // scores 0.9(+) 0.8(-) 0.7(+) 0.4(-) 0.4(+): thresholds inf, .9, .8, .7, .4
    double[] s = {0.9, 0.8, 0.7, 0.4, 0.4};
    boolean[] p = {true, false, true, false, true};
    List<Roc.Point> c = Roc.curve(s, p);
    assertEquals(5, c.size());
    assertEquals(new Roc.Point(0.9, 0, 1.0 / 3), c.get(1));
    assertEquals(new Roc.Point(0.8, 0.5, 1.0 / 3), c.get(2));
    assertEquals(new Roc.Point(0.7, 0.5, 2.0 / 3), c.get(3));
    assertEquals(new Roc.Point(0.4, 1, 1), c.get(4));
    // area by hand: 0.5*(1/3) + 0.5*(2/3+1)/2 = 1/6 + 5/12 = 7/12; pairs: 7 of 6 wins... (0.9>both, 0.7>0.4, tie 0.4=0.4)
    // Mann-Whitney: positives .9 (2 wins), .7 (1 win, 1 loss), .4 (1 tie, 1 loss) = 3.5 of 6 = 7/12
    assertEquals(7.0 / 12, Roc.area(c), 1e-12);
    assertEquals(7.0 / 12, Auc.binary(s, p), 1e-12);
  }

  @Test
  void aucPropertiesHoldOnRandomScoresWithTies() {
    Random r = new Random(8);
    for (int trial = 0; trial < 20; trial++) {
      int n = 50 + r.nextInt(50);
      double[] s = new double[n];
      boolean[] p = new boolean[n];
      boolean[] swapped = new boolean[n];
      double[] transformed = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = Math.round(r.nextDouble() * 10) / 10.0; // coarse: many ties
        p[i] = r.nextDouble() < 0.4 + 0.3 * s[i];
        swapped[i] = !p[i];
        transformed[i] = Math.exp(3 * s[i]) - 7; // strictly increasing
      }
      p[0] = true;
      p[1] = false;
      swapped[0] = false;
      swapped[1] = true;
      double auc = Auc.binary(s, p);
      assertEquals(auc, Roc.area(Roc.curve(s, p)), 1e-12, "trapezoids with diagonal ties = Mann-Whitney");
      assertEquals(auc, Auc.binary(transformed, p), 1e-12, "monotone transform");
      assertEquals(1 - auc, Auc.binary(s, swapped), 1e-12, "labels swapped");
    }
    assertThrows(IllegalArgumentException.class, () -> Roc.curve(new double[] {1, 2}, new boolean[] {true, true}));
  }

  @Test
  void metricsAtAThreshold() {
    // threshold 0.5: calls + for .9 .8 .6 ; reference + for .9 .6 .3 -> TP 2 (.9 .6), FP 1 (.8), FN 1 (.3), TN 2
    double[] s = {0.9, 0.8, 0.6, 0.3, 0.2, 0.1};
    boolean[] p = {true, false, true, true, false, false};
    BinaryMetrics m = BinaryMetrics.at(s, p, 0.5);
    assertEquals(2, m.truePositives());
    assertEquals(1, m.falsePositives());
    assertEquals(2, m.trueNegatives());
    assertEquals(1, m.falseNegatives());
    assertEquals(2.0 / 3, m.sensitivity(), 1e-12);
    assertEquals(2.0 / 3, m.specificity(), 1e-12);
    assertEquals(2.0 / 3, m.ppv(), 1e-12);
    assertEquals(2.0 / 3, m.npv(), 1e-12);
    assertEquals(4.0 / 6, m.f1(), 1e-12);
    // kappa: po = 4/6, pe = (3/6)(3/6) + (3/6)(3/6) = 1/2 -> (2/3 - 1/2)/(1/2) = 1/3
    assertEquals(1.0 / 3, m.kappa(), 1e-12);
    assertTrue(Double.isNaN(BinaryMetrics.at(s, p, 2).ppv()), "nothing called positive: PPV undefined");
  }

  @Test
  void bootstrapIsDeterministicAndAgreesWithTheNormalApproximationForAProportion() {
    // 400 cases, 120 positive: p = 0.3, standard error sqrt(.3*.7/400) = 0.0229; 95 % ~ +-0.0449
    boolean[] y = new boolean[400];
    for (int i = 0; i < 120; i++) {
      y[i] = true;
    }
    java.util.function.ToDoubleFunction<int[]> share = idx -> {
      int k = 0;
      for (int i : idx) {
        k += y[i] ? 1 : 0;
      }
      return (double) k / idx.length;
    };
    Bootstrap.Interval a = Bootstrap.of(400, share, 2000, 0.95, 11);
    Bootstrap.Interval b = Bootstrap.of(400, share, 2000, 0.95, 11);
    assertEquals(a, b);
    assertEquals(0.3, a.estimate(), 1e-12);
    assertEquals(0.3 - 0.0449, a.lower(), 0.006);
    assertEquals(0.3 + 0.0449, a.upper(), 0.006);
    assertEquals(0, a.undefined());
    // a statistic undefined on some resamples: AUC of 2 cases, one of each class (resamples of one class are NaN)
    Bootstrap.Interval auc = Bootstrap.of(2, idx -> {
      double[] s = new double[idx.length];
      boolean[] p = new boolean[idx.length];
      for (int i = 0; i < idx.length; i++) {
        s[i] = idx[i];
        p[i] = idx[i] == 1;
      }
      return Auc.binary(s, p);
    }, 200, 0.95, 3);
    assertTrue(auc.undefined() > 50 && auc.undefined() < 150, "about half undefined: " + auc.undefined());
    assertEquals(1.0, auc.lower(), 0);
  }

  @Test
  void quantilesInterpolateBetweenOrderStatistics() {
    double[] v = {1, 2, 3, 4};
    assertEquals(1.0, Bootstrap.quantile(v, 0), 0);
    assertEquals(2.5, Bootstrap.quantile(v, 0.5), 1e-12);
    assertEquals(1.075, Bootstrap.quantile(v, 0.025), 1e-12); // h = 3*0.025 = 0.075
    assertEquals(4.0, Bootstrap.quantile(v, 1), 0);
  }
}
