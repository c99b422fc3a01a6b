package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The class ratios each sampling mode shows the model over an epoch. */
class SamplingTest {
  /** 4 classes at 10/40/40/10 % of 200 examples, like the density prevalence. */
  private static int[] densityLabels() {
    int[] labels = new int[200];
    for (int i = 0; i < 200; i++) {
      labels[i] = i < 20 ? 0 : i < 100 ? 1 : i < 180 ? 2 : 3;
    }
    return labels;
  }

  private static int[] classCounts(int[] epoch, int[] labels, int classes) {
    int[] c = new int[classes];
    for (int i : epoch) {
      c[labels[i]]++;
    }
    return c;
  }

  @Test
  void randomVisitsEveryExampleOnceInTheDatasetsProportions() {
    int[] labels = densityLabels();
    int[] epoch = Sampling.RANDOM.epoch(labels, 4, new Random(1));
    assertEquals(200, epoch.length);
    assertArrayEquals(new int[] {20, 80, 80, 20}, classCounts(epoch, labels, 4));
    int[] sorted = epoch.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 200; i++) {
      assertEquals(i, sorted[i]);
    }
    assertTrue(!Arrays.equals(sorted, epoch), "shuffled");
  }

  @Test
  void equalClassShowsEachClassAQuarterOfTheTimeInEveryStretch() {
    int[] labels = densityLabels();
    int[] epoch = Sampling.EQUAL_CLASS.epoch(labels, 4, new Random(2));
    assertEquals(200, epoch.length);
    assertArrayEquals(new int[] {50, 50, 50, 50}, classCounts(epoch, labels, 4));
    // any 4 consecutive draws starting at a round boundary hold one of each class
    for (int r = 0; r < 50; r++) {
      assertArrayEquals(new int[] {1, 1, 1, 1}, classCounts(Arrays.copyOfRange(epoch, 4 * r, 4 * r + 4), labels, 4));
    }
    // the 20 examples of a rare class are all used, each 2 or 3 times
    int[] uses = new int[200];
    for (int i : epoch) {
      uses[i]++;
    }
    for (int i = 0; i < 20; i++) {
      assertTrue(uses[i] == 2 || uses[i] == 3, "example " + i + " used " + uses[i]);
    }
  }

  @Test
  void positivesOnlyKeepsEveryClassButTheFirst() {
    int[] labels = {0, 1, 0, 0, 1, 1, 0};
    int[] epoch = Sampling.POSITIVES_ONLY.epoch(labels, 2, new Random(3));
    assertArrayEquals(new int[] {0, 3}, classCounts(epoch, labels, 2));
    assertEquals(3, epoch.length);
  }

  @Test
  void preconditionsNameTheirRule() {
    int[] few = new int[25];
    for (int i = 0; i < 25; i++) {
      few[i] = i < 9 ? 0 : 1;
    }
    var e = assertThrows(IllegalArgumentException.class, () -> Sampling.EQUAL_CLASS.checkPreconditions(few, 2));
    assertTrue(e.getMessage().contains("at least 10") && e.getMessage().contains("class 0 has 9"), e.getMessage());
    var p = assertThrows(IllegalArgumentException.class,
        () -> Sampling.POSITIVES_ONLY.epoch(new int[] {0, 0}, 2, new Random(1)));
    assertTrue(p.getMessage().contains("no positive"), p.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Sampling.parse("stratified"));
  }

  @Test
  void theSameSeedGivesTheSameEpoch() {
    int[] labels = densityLabels();
    assertArrayEquals(Sampling.EQUAL_CLASS.epoch(labels, 4, new Random(9)),
        Sampling.EQUAL_CLASS.epoch(labels, 4, new Random(9)));
  }
}
