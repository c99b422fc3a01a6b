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

  /** An instant in the stored format. */
  public static String format(Instant at) {
    return FORMAT.format(at);
  }

  /** Midnight UTC of the day of {@code instant}, in the stored format (daily limits count from here). */
  public static String startOfDayUtc(Instant instant) {
    return FORMAT.format(instant.truncatedTo(ChronoUnit.DAYS));
  }
}
