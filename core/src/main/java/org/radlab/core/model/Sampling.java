package org.radlab.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Which training examples one epoch visits, and in what order.
 *
 * <ul>
 *   <li>{@code random}: every example once, shuffled: classes appear as often as they do in the data;
 *   <li>{@code equal_class}: as many draws as there are examples, the classes taking turns, so each class is an
 *       equal share of every stretch of the epoch; a class's examples are shuffled and reused when it runs out
 *       (rare classes are seen more than once per epoch). Needs at least {@link #MIN_PER_CLASS} examples per class;
 *   <li>{@code positives_only}: only the positive examples (every class but the first, the negative one), shuffled;
 *       meant for binary use cases where the negatives carry no information of their own.
 * </ul>
 */
public enum Sampling {
  RANDOM, EQUAL_CLASS, POSITIVES_ONLY;

  /** The fewest examples of each class that equal-class sampling accepts. */
  public static final int MIN_PER_CLASS = 10;

  /** The name in configs: {@code random}, {@code equal_class}, {@code positives_only}. */
  @JsonValue
  public String id() {
    return Choices.id(this);
  }

  @JsonCreator
  public static Sampling parse(String name) {
    return Choices.parse(Sampling.class, name, "sampling");
  }

  /**
   * Checks that {@code labels} (class indices 0..classes-1) allow this sampling; the message names the rule.
   *
   * @throws IllegalArgumentException when they do not
   */
  public void checkPreconditions(int[] labels, int classes) {
    int[] counts = counts(labels, classes);
    switch (this) {
      case EQUAL_CLASS -> {
        for (int c = 0; c < classes; c++) {
          if (counts[c] < MIN_PER_CLASS) {
            throw new IllegalArgumentException("equal_class sampling needs at least " + MIN_PER_CLASS
                + " training examples of each class; class " + c + " has " + counts[c]);
          }
        }
      }
      case POSITIVES_ONLY -> {
        if (labels.length == counts[0]) {
          throw new IllegalArgumentException("positives_only sampling found no positive examples (every label is"
              + " the first, negative class)");
        }
      }
      case RANDOM -> {
        if (labels.length == 0) {
          throw new IllegalArgumentException("there are no training examples");
        }
      }
    }
  }

  /**
   * The example indices one epoch visits, in order; deterministic for a given {@code random}. Unlike
   * {@link #checkPreconditions} (the rule for a whole training set), this only needs what makes an epoch possible
   * (a shard of the training set may hold fewer than {@link #MIN_PER_CLASS} examples of a class).
   */
  public int[] epoch(int[] labels, int classes, Random random) {
    int[] counts = counts(labels, classes);
    if (labels.length == 0) {
      throw new IllegalArgumentException("there are no training examples");
    }
    if (this == EQUAL_CLASS) {
      for (int c = 0; c < classes; c++) {
        if (counts[c] == 0) {
          throw new IllegalArgumentException("equal_class sampling has no example of class " + c);
        }
      }
    }
    if (this == POSITIVES_ONLY && counts[0] == labels.length) {
      throw new IllegalArgumentException("positives_only sampling found no positive examples (every label is"
          + " the first, negative class)");
    }
    return switch (this) {
      case RANDOM -> shuffled(allIndices(labels.length), random);
      case POSITIVES_ONLY -> {
        List<Integer> pos = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] != 0) {
            pos.add(i);
          }
        }
        yield shuffled(pos.stream().mapToInt(Integer::intValue).toArray(), random);
      }
      case EQUAL_CLASS -> {
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
          byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) {
          byClass[labels[i]][fill[labels[i]]++] = i;
        }
        for (int c = 0; c < classes; c++) {
          byClass[c] = shuffled(byClass[c], random);
        }
        // rounds of one draw per class, the class order within a round shuffled
        int rounds = (labels.length + classes - 1) / classes;
        int[] out = new int[rounds * classes];
        int[] next = new int[classes];
        int at = 0;
        for (int r = 0; r < rounds; r++) {
          int[] order = shuffled(allIndices(classes), random);
          for (int c : order) {
            if (next[c] == byClass[c].length) {
              byClass[c] = shuffled(byClass[c], random);
              next[c] = 0;
            }
            out[at++] = byClass[c][next[c]++];
          }
        }
        yield out;
      }
    };
  }

  static int[] counts(int[] labels, int classes) {
    int[] counts = new int[classes];
    for (int l : labels) {
      if (l < 0 || l >= classes) {
        throw new IllegalArgumentException("label " + l + " is outside 0.." + (classes - 1));
      }
      counts[l]++;
    }
    return counts;
  }

  private static int[] allIndices(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static int[] shuffled(int[] a, Random random) {
    int[] b = a.clone();
    for (int i = b.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    return b;
  }
}
