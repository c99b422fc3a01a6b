package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The schedules' factors, worked by hand. */
class LearningRateScheduleTest {
  @Test
  void polyDecaysFromOneAsTheRemainingShareToThePowerPointNine() {
    LearningRateSchedule poly = LearningRateSchedule.parse("poly");
    assertEquals(1f, poly.factor(0, 10));
    assertEquals(0.535887f, poly.factor(5, 10), 1e-6f); // 0.5^0.9 = exp(0.9 ln 0.5) = exp(-0.623832)
    assertEquals(0.125893f, poly.factor(9, 10), 1e-6f); // 0.1^0.9 = 10^-0.9
    assertThrows(IllegalArgumentException.class, () -> poly.factor(10, 10));
    assertEquals(1f, LearningRateSchedule.CONSTANT.factor(123, 10), "constant ignores the steps");
    assertEquals("poly", poly.id());
    var e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("cosine"));
    assertEquals(true, e.getMessage().contains("constant"), e.getMessage());
  }
}
