package org.radlab.core.deid;

import java.io.Serializable;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces identifiers consistently with a keyed hash (HMAC-SHA256) under the site secret.
 *
 * <p>The same original value always maps to the same pseudonym at one site, so studies, series and patients stay
 * linked across runs and datasets; without the secret the mapping cannot be recomputed or reversed. UIDs become
 * {@code 2.25.<decimal>} UIDs (PS3.5 B.2), which are valid DICOM UIDs of at most 64 characters.
 *
 * <p>Not thread-safe (it owns a {@link Mac}); create one per thread or task. It serializes as its secret only.
 */
public final class Pseudonymizer implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int MAX_SHIFT_DAYS = 365;

  private final byte[] secret;
  private transient Mac mac;

  public Pseudonymizer(byte[] secret) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the site secret must hold at least 16 bytes");
    }
    this.secret = secret.clone();
  }

  /** A pseudonymous UID for an original UID; null stays null. */
  public String uid(String originalUid) {
    if (originalUid == null) {
      return null;
    }
    byte[] digest = digest("uid", originalUid);
    byte[] first16 = java.util.Arrays.copyOf(digest, 16);
    return "2.25." + new BigInteger(1, first16);
  }

  /** A pseudonymous patient id such as {@code P-3f9a1c0d5e7b2a46}; null and blank become {@code P-unknown}. */
  public String patientId(String originalPatientId) {
    if (originalPatientId == null || originalPatientId.isBlank()) {
      return "P-unknown";
    }
    return "P-" + hex("patient", originalPatientId, 8);
  }

  /** A short hex key for anything else (for example an image: SOP Instance UID plus frame), {@code bytes} long. */
  public String key(String kind, String value, int bytes) {
    return hex(kind, value, bytes);
  }

  /** A prepared image's id: one per frame of an original SOP Instance, the first frame 0. */
  public String imageId(String sopInstanceUid, int frame) {
    return key("image", sopInstanceUid + "/" + frame, 10);
  }

  /** The per-patient date offset in days, between -365 and -1 inclusive: dates only move back in time. */
  public int dateShiftDays(String originalPatientId) {
    byte[] d = digest("date-shift", originalPatientId == null ? "" : originalPatientId);
    int v = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
    return -1 - (v % MAX_SHIFT_DAYS);
  }

  /**
   * A DICOM DA value ({@code yyyyMMdd}) under a policy; null if the policy removes it, the input is null, or the
   * input is not a valid date (an unparseable date cannot be shifted safely, so it is dropped).
   */
  public String date(String da, String originalPatientId, DatePolicy policy) {
    if (da == null || policy == DatePolicy.REMOVE) {
      return null;
    }
    LocalDate parsed;
    try {
      parsed = LocalDate.parse(da.trim(), DateTimeFormatter.BASIC_ISO_DATE);
    } catch (DateTimeParseException e) {
      return null;
    }
    LocalDate out = policy == DatePolicy.KEEP ? parsed : parsed.plusDays(dateShiftDays(originalPatientId));
    return out.format(DateTimeFormatter.BASIC_ISO_DATE);
  }

  private String hex(String kind, String value, int bytes) {
    return HexFormat.of().formatHex(digest(kind, value), 0, bytes);
  }

  private byte[] digest(String kind, String value) {
    Mac m = mac();
    m.update(kind.getBytes(StandardCharsets.UTF_8));
    m.update((byte) 0);
    return m.doFinal(value.getBytes(StandardCharsets.UTF_8));
  }

  private Mac mac() {
    if (mac == null) {
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
      }
    }
    return mac;
  }
}
