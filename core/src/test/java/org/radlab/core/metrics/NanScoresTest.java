package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A model that outputs NaN (a diverged run) must not hang an evaluation: NaN scores used to make the tie-grouping
 * loop spin forever (NaN == NaN is false), holding the job slot. NaN now sorts above every number (as
 * {@link Double#compare} orders it) and forms one tie group.
 */
class NanScoresTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against the hang, not a measurement
  void nanScoresFormOneTieGroupAboveEveryNumber() {
    double[] scores = {0.2, Double.NaN, 0.8, Double.NaN};
    boolean[] positive = {false, true, true, false};
    int[] ascending = Auc.ascending(scores);
    // By hand: order 0.2(-), 0.8(+), then the NaN group {+, -}. u = 0 + 1*(1) + 1*(1 + 1/2) = 2.5; 2 positives,
    // 2 negatives: AUC = 2.5 / 4.
    assertEquals(0.625, Auc.binaryWeighted(scores, positive, ascending, new int[] {1, 1, 1, 1}), 1e-12);
  }
}
