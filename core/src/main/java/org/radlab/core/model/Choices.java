package org.radlab.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Config values that name one of an enum's constants, in lower case ({@code equal_class}, {@code sigmoid_focal}). */
public final class Choices {
  private Choices() {}

  public static String id(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** The constant named {@code name} (case-insensitive); the error lists the valid names. */
  public static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
    String n = name == null ? "" : name.trim();
    for (E e : type.getEnumConstants()) {
      if (id(e).equalsIgnoreCase(n)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown " + what + " '" + name + "'; choose one of "
        + Arrays.stream(type.getEnumConstants()).map(Choices::id).collect(Collectors.joining(", ")));
  }
}
