package org.radlab.core.dicom;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * DICOM UIDs derived from names, so that the same name always gives the same UID: {@code 2.25.} followed by the
 * decimal value of the first 16 bytes (128 bits, unsigned, big-endian) of the SHA-256 of the name's UTF-8 bytes, the
 * UUID-derived form of PS3.5 B.2 (at most 44 characters). Several parts are joined by a NUL character first.
 *
 * <p>Used where RadLab must name something DICOM by a UID but holds only another identifier: a prepared image's id
 * ({@code images.csv}'s {@code image_id}, 20 hex digits, is not a UID), and the SEG objects the evaluate job writes.
 * In Python: {@code "2.25." + str(int.from_bytes(hashlib.sha256(name.encode()).digest()[:16], "big"))}.
 */
public final class DerivedUid {
  private DerivedUid() {}

  /** The UID of one name, or of several parts joined by NUL. */
  public static String of(String... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("a derived UID needs a name");
    }
    return "2.25." + new BigInteger(1, Arrays.copyOf(sha256(String.join("\u0000", parts)), 16));
  }

  /** The SHA-256 of a name's UTF-8 bytes in lower-case hex. */
  static String hex(String name) {
    return java.util.HexFormat.of().formatHex(sha256(name));
  }

  private static byte[] sha256(String name) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /** A new random UID of the same form (a random UUID's 128 bits), for objects that need not be reproducible. */
  public static String random() {
    java.util.UUID u = java.util.UUID.randomUUID();
    byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
        .putLong(u.getLeastSignificantBits()).array();
    return "2.25." + new BigInteger(1, bytes);
  }
}
