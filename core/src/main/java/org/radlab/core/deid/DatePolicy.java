package org.radlab.core.deid;

import java.util.Locale;

/**
 * What de-identification does with dates (DICOM PS3.15 Annex E).
 *
 * <ul>
 *   <li>{@link #REMOVE}: the Basic Profile; dates are dropped.
 *   <li>{@link #SHIFT}: the Retain Longitudinal Temporal Information with Modified Dates Option; every date of a
 *       patient moves by the same keyed offset, so intervals between studies survive but calendar dates do not.
 *   <li>{@link #KEEP}: the Retain Longitudinal Temporal Information with Full Dates Option, for monitoring over time
 *       when the site's governance allows it.
 * </ul>
 */
public enum DatePolicy {
  REMOVE, SHIFT, KEEP;

  /** Parses {@code remove}, {@code shift} or {@code keep}, case-insensitively. */
  public static DatePolicy parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown date policy '" + text + "': use remove, shift or keep");
    }
  }
}
