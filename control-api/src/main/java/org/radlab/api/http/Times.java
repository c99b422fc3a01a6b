package org.radlab.api.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;

/** Timestamps as stored and returned: UTC, ISO 8601, always microseconds, so text order is time order. */
public final class Times {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  public static String now() {
    return FORMAT.format(Instant.now());
  }

  /** {@code instant} in the stored format. */
  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  /** Midnight UTC of the day of {@code instant}, in the stored format. */
  public static String startOfDayUtc(Instant instant) {
    return FORMAT.format(instant.truncatedTo(ChronoUnit.DAYS));
  }
}
