package org.radlab.core.jobs;

import java.util.List;

/**
 * The one range check of the job configs: every numeric field has a range, and a value outside it is an
 * {@link IllegalArgumentException} that names the field, the value and the range. The ranges are wide enough that a
 * real run never meets them; they exist so that one request cannot hold a job slot for days (docs/training.md,
 * docs/evaluation.md, docs/prep.md list them).
 */
final class Bounds {
  private Bounds() {}

  /** {@code value} if {@code min <= value <= max}. */
  static int between(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** {@code value} if it is a finite number in {@code [min, max]}. */
  static double closed(String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(field + " must be a number in [" + text(min) + ", " + text(max) + "], got "
          + value);
    }
    return value;
  }

  /** {@code value} if it is a finite number with {@code low < value <= high}, or {@code < high} when open. */
  static double aboveZero(String field, double value, double high, boolean highOpen) {
    if (!(value > 0 && (highOpen ? value < high : value <= high))) {
      throw new IllegalArgumentException(field + " must be a number in (0, " + text(high) + (highOpen ? ")" : "]")
          + ", got " + value);
    }
    return value;
  }

  /** {@code list} if it has {@code min} to {@code max} entries. */
  static <T> List<T> size(String field, List<T> list, int min, int max) {
    int n = list == null ? 0 : list.size();
    if (n < min || n > max) {
      throw new IllegalArgumentException(field + " must list " + min + " to " + max + " entries, got " + n);
    }
    return list;
  }

  private static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
