package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Kappa, AUC and the confusion matrix on cases worked out by hand. */
class ClassificationMetricsTest {

  @Test
  void confusionMatrixAndAccuracy() {
    ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 0, 1, 1, 2}, new int[] {0, 1, 1, 1, 0}, 3);
    assertEquals(1, m.counts()[0][0]);
    assertEquals(1, m.counts()[0][1]);
    assertEquals(2, m.counts()[1][1]);
    assertEquals(1, m.counts()[2][0]);
    assertEquals(0.6, m.accuracy(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(new int[] {3}, new int[] {0}, 3));
  }

  @Test
  void unweightedKappaOfATwoByTwoTable() {
    // 2x2 table [[20, 5], [10, 15]], n = 50: po = 35/50 = 0.7; rows (0.5, 0.5), cols (0.6, 0.4):
    // pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    ConfusionMatrix m = new ConfusionMatrix(new long[][] {{20, 5}, {10, 15}});
    assertEquals(0.4, Kappa.of(m, Kappa.Weighting.UNWEIGHTED), 1e-12);
    // with two classes every weighting is the same
    assertEquals(0.4, Kappa.of(m, Kappa.Weighting.LINEAR), 1e-12);
    assertEquals(0.4, Kappa.of(m, Kappa.Weighting.QUADRATIC), 1e-12);
  }

  @Test
  void weightedKappaOfAThreeClassTable() {
    // [[2, 1, 0], [0, 2, 1], [1, 0, 3]], n = 10. rows (.3, .3, .4), cols (.3, .3, .4).
    // linear weights |i-j|/2: observed = (1*.5 + 1*.5 + 1*1) / 10 = 0.2
    //   expected = Σ w rows_i cols_j = .5(.3*.3 + .3*.4 + .3*.3 + .3*.4) + 1(.3*.4 + .4*.3) = .5*.42 + .24 = .45
    //   kappa = 1 - .2/.45 = 0.555...
    // quadratic weights (i-j)²/4: observed = (.25 + .25 + 1) / 10 = 0.15; expected = .25*.42 + .24 = .345
    //   kappa = 1 - .15/.345
    // unweighted: po = 7/10; pe = .09 + .09 + .16 = .34; kappa = (.7 - .34)/(.66)
    ConfusionMatrix m = new ConfusionMatrix(new long[][] {{2, 1, 0}, {0, 2, 1}, {1, 0, 3}});
    assertEquals(1 - 0.2 / 0.45, Kappa.of(m, Kappa.Weighting.LINEAR), 1e-12);
    assertEquals(1 - 0.15 / 0.345, Kappa.of(m, Kappa.Weighting.QUADRATIC), 1e-12);
    assertEquals((0.7 - 0.34) / 0.66, Kappa.of(m, Kappa.Weighting.UNWEIGHTED), 1e-12);
  }

  @Test
  void kappaIsOneForPerfectAgreementAndUndefinedForOneClassOnly() {
    assertEquals(1.0, Kappa.of(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3}, 4, Kappa.Weighting.LINEAR), 1e-12);
    assertTrue(Double.isNaN(Kappa.of(new int[] {1, 1}, new int[] {1, 1}, 4, Kappa.Weighting.LINEAR)));
  }

  @Test
  void totalDisagreementAndChance() {
    // total disagreement on two balanced classes: po = 0, pe = 0.5 -> kappa = (0 - 0.5) / (1 - 0.5) = -1
    assertEquals(-1.0, Kappa.of(new ConfusionMatrix(new long[][] {{0, 5}, {5, 0}}), Kappa.Weighting.UNWEIGHTED),
        1e-12);
    // chance: every cell equal -> po = pe = 0.5 -> kappa 0, whatever the weighting
    ConfusionMatrix chance = new ConfusionMatrix(new long[][] {{25, 25}, {25, 25}});
    assertEquals(0.0, Kappa.of(chance, Kappa.Weighting.UNWEIGHTED), 1e-12);
    assertEquals(0.0, Kappa.of(new ConfusionMatrix(new long[][] {{4, 4, 4}, {4, 4, 4}, {4, 4, 4}}),
        Kappa.Weighting.QUADRATIC), 1e-12);
    // AUC: every positive below every negative is 0; every score equal is 0.5 (all ties)
    assertEquals(0.0, Auc.binary(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {true, true, false, false}), 0);
    assertEquals(0.5, Auc.binary(new double[] {0.4, 0.4, 0.4, 0.4}, new boolean[] {true, false, true, false}), 0);
  }

  @Test
  void binaryAucCountsTiesAsHalf() {
    // positives score 0.8, 0.4; negatives 0.4, 0.1. Pairs: (0.8>0.4) 1, (0.8>0.1) 1, (0.4=0.4) 0.5, (0.4>0.1) 1
    // AUC = 3.5 / 4
    double auc = Auc.binary(new double[] {0.8, 0.4, 0.4, 0.1}, new boolean[] {true, true, false, false});
    assertEquals(0.875, auc, 1e-12);
    assertEquals(0.5, Auc.binary(new double[] {0.3, 0.3}, new boolean[] {true, false}), 1e-12);
    assertTrue(Double.isNaN(Auc.binary(new double[] {0.3, 0.4}, new boolean[] {true, true})));
  }

  @Test
  void oneVsRestMacroAndOrdinalSplit() {
    double[][] p = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.3, 0.6}, {0.4, 0.4, 0.2}};
    int[] ref = {0, 1, 2, 1};
    // class 0: positive scores {0.7}; negatives {0.2, 0.1, 0.4}: 3/3 = 1
    // class 1: positives {0.5, 0.4}; negatives {0.2, 0.3}: 4/4 = 1
    // class 2: positive {0.6}; negatives {0.1, 0.3, 0.2}: 1
    assertEquals(1.0, Auc.macroOneVsRest(p, ref, 3), 1e-12);
    // ordinal split at class 2: positive score p2, only sample 2 positive (0.6 vs 0.1, 0.3, 0.2): 1
    assertEquals(1.0, Auc.ordinalSplit(p, ref, 2), 1e-12);
    // ordinal split at 1: scores p1+p2 = .3, .8, .9, .6; positives {.8, .9, .6} vs negative {.3}: 1
    assertEquals(1.0, Auc.ordinalSplit(p, ref, 1), 1e-12);
    // swap one: sample 3 (class 1) now scores lowest for classes 1+2
    double[][] q = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.3, 0.6}, {0.8, 0.1, 0.1}};
    // positives .8, .9, .2 vs negative .3: 2/3
    assertEquals(2.0 / 3, Auc.ordinalSplit(q, ref, 1), 1e-12);
  }
}
