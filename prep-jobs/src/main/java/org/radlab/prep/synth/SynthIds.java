package org.radlab.prep.synth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Deterministic UIDs and random seeds. A UID is {@code 2.25.} followed by 128 bits of a SHA-256 hash of its
 * inputs (the UUID-derived root of PS3.5 B.2), so equal inputs give equal UIDs and different inputs collide with
 * negligible probability. Nothing here reads the clock or a system random source.
 */
final class SynthIds {
  private SynthIds() {}

  /** A UID under 2.25 derived from {@code parts}; at most 44 characters. */
  static String uid(Object... parts) {
    byte[] hash = sha256("uid|" + Arrays.deepToString(parts));
    BigInteger value = new BigInteger(1, Arrays.copyOf(hash, 16));
    if (value.signum() == 0) {
      value = BigInteger.ONE;
    }
    return "2.25." + value;
  }

  /** A 64-bit seed derived from a base seed and a sequence of labels or numbers. */
  static long seed(long base, Object... parts) {
    byte[] hash = sha256("seed|" + base + "|" + Arrays.deepToString(parts));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (hash[i] & 0xFF);
    }
    return v;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
