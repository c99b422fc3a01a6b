package org.radlab.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the learning rate changes over a training run: {@code constant}, or {@code poly}, nnU-Net's polynomial decay,
 * the configured rate times {@code (1 - step / total)^0.9} over the run's {@code total} optimizer steps (every
 * epoch's steps up to {@code maxEpochs}), so the last steps take small, settling updates.
 */
public enum LearningRateSchedule {
  CONSTANT, POLY;

  /** The exponent of the polynomial decay (nnU-Net's). */
  public static final double POWER = 0.9;

  /** The factor of step {@code step} (from 0) of {@code total}: in (0, 1]. */
  public float factor(long step, long total) {
    if (this == CONSTANT) {
      return 1f;
    }
    if (total < 1 || step < 0 || step >= total) {
      throw new IllegalArgumentException("step " + step + " of " + total);
    }
    return (float) Math.pow(1.0 - (double) step / total, POWER);
  }

  @JsonValue
  public String id() {
    return Choices.id(this);
  }

  @JsonCreator
  public static LearningRateSchedule parse(String name) {
    return Choices.parse(LearningRateSchedule.class, name, "schedule");
  }
}
