package org.radlab.api.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The jobs the control API can queue, and the main class each one runs under SparkSubmit. */
public enum JobKind {
  PREP("org.radlab.prep.PrepJob"),
  TRAIN("org.radlab.train.TrainJob"),
  EVALUATE("org.radlab.eval.EvaluateJob"),
  ASSESS("org.radlab.eval.AssessJob");

  private final String mainClass;

  JobKind(String mainClass) { this.mainClass = mainClass; }

  public String mainClass() { return mainClass; }

  public String key() { return name().toLowerCase(Locale.ROOT); }

  /** The kind named {@code key}; an IllegalArgumentException listing the kinds otherwise. */
  public static JobKind of(String key) {
    for (JobKind k : values()) {
      if (k.key().equals(key)) {
        return k;
      }
    }
    throw new IllegalArgumentException("kind must be one of " + Arrays.stream(values()).map(JobKind::key)
        .collect(Collectors.joining(", ")) + ", got " + (key == null ? "nothing" : "'" + key + "'"));
  }
}
