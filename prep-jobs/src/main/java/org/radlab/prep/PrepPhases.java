package org.radlab.prep;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a prep run's time goes, phase by phase ({@link org.radlab.core.dataset.DatasetSummary.LastRun#phaseSeconds}):
 * the run reports it in its summary and on standard error, so an operator sees which part grows with the dataset.
 */
final class PrepPhases {
  /** One phase's work, which may throw what the run throws. */
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  private final Map<String, Double> seconds = new LinkedHashMap<>();

  /** Runs {@code work} as phase {@code name}; a phase run twice adds up. */
  <T, E extends Exception> T time(String name, Work<T, E> work) throws E {
    long start = System.nanoTime();
    try {
      return work.run();
    } finally {
      seconds.merge(name, (System.nanoTime() - start) / 1e9, Double::sum);
    }
  }

  /** The phases so far, rounded to milliseconds, in the order they first ran. */
  Map<String, Double> seconds() {
    Map<String, Double> rounded = new LinkedHashMap<>();
    seconds.forEach((k, v) -> rounded.put(k, Math.round(v * 1000) / 1000.0));
    return rounded;
  }

  /** For the log: {@code list 0.41 s, known 0.00 s, ...}. */
  @Override
  public String toString() {
    return seconds.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }
}
