package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-pass weighted statistics equal the plain ones on the sample with each case repeated by its weight. */
class WeightedBootstrapTest {

  @Test
  void weightedAucAndKappaEqualTheExpandedSample() {
    Random r = new Random(21);
    for (int trial = 0; trial < 30; trial++) {
      int n = 40 + r.nextInt(40);
      double[] s = new double[n];
      boolean[] p = new boolean[n];
      int[] ref = new int[n];
      int[] pred = new int[n];
      int[] w = new int[n];
      for (int i = 0; i < n; i++) {
        s[i] = Math.round(r.nextDouble() * 8) / 8.0; // ties
        p[i] = r.nextBoolean();
        ref[i] = r.nextInt(3);
        pred[i] = r.nextInt(3);
        w[i] = r.nextInt(3); // 0, 1 or 2 copies
      }
      List<Double> es = new ArrayList<>();
      List<Boolean> ep = new ArrayList<>();
      List<Integer> er = new ArrayList<>();
      List<Integer> ed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < w[i]; c++) {
          es.add(s[i]);
          ep.add(p[i]);
          er.add(ref[i]);
          ed.add(pred[i]);
        }
      }
      double[] xs = es.stream().mapToDouble(Double::doubleValue).toArray();
      boolean[] xp = new boolean[ep.size()];
      for (int i = 0; i < xp.length; i++) {
        xp[i] = ep.get(i);
      }
      double expected = Auc.binary(xs, xp);
      double got = Auc.binaryWeighted(s, p, Auc.ascending(s), w);
      if (Double.isNaN(expected)) {
        assertTrue(Double.isNaN(got));
      } else {
        assertEquals(expected, got, 1e-12);
      }
      assertEquals(Kappa.of(er.stream().mapToInt(Integer::intValue).toArray(),
              ed.stream().mapToInt(Integer::intValue).toArray(), 3, Kappa.Weighting.LINEAR),
          Kappa.weighted(ref, pred, w, 3, Kappa.Weighting.LINEAR), 1e-12);
    }
  }

  @Test
  void weightedBootstrapAgreesWithTheNormalApproximationForAProportion() {
    boolean[] y = new boolean[400];
    for (int i = 0; i < 120; i++) {
      y[i] = true;
    }
    Bootstrap.Interval a = Bootstrap.weighted(400, w -> {
      long k = 0;
      long total = 0;
      for (int i = 0; i < w.length; i++) {
        k += y[i] ? w[i] : 0;
        total += w[i];
      }
      return (double) k / total;
    }, 2000, 0.95, 11);
    assertEquals(0.3, a.estimate(), 1e-12);
    assertEquals(0.3 - 0.0449, a.lower(), 0.006);
    assertEquals(0.3 + 0.0449, a.upper(), 0.006);
  }
}
