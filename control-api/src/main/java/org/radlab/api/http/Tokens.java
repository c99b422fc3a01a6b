package org.radlab.api.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.radlab.api.db.TokenDao;

/**
 * API tokens: 32 random bytes, shown once, stored only as their SHA-256. A token carries 256 bits of entropy, so a
 * fast hash is enough (a slow password hash protects guessable secrets, which these are not). Each token expires
 * ({@link #DEFAULT_DAYS} days unless its creator chose between {@link #MIN_DAYS} and {@link #MAX_DAYS}) and can be
 * revoked.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final String PREFIX = "rl_";
  public static final int DEFAULT_DAYS = 90;
  public static final int MIN_DAYS = 1;
  public static final int MAX_DAYS = 365;

  /** A token just made: the secret itself is only ever here. */
  public record Issued(long id, long userId, String label, String expiresAt, String token) {}

  private Tokens() {}

  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The lifetime asked for, checked: null means the default. */
  public static int days(Integer asked) {
    if (asked == null) {
      return DEFAULT_DAYS;
    }
    if (asked < MIN_DAYS || asked > MAX_DAYS) {
      throw ApiException.badRequest("days must be between " + MIN_DAYS + " and " + MAX_DAYS + ", got " + asked);
    }
    return asked;
  }

  /** Makes a token for {@code userId} that works for {@code days} days; stores its hash only. */
  public static Issued issue(TokenDao tokens, long userId, String label, int days, Long createdBy) {
    String token = newToken();
    Instant now = Instant.now();
    String expires = Times.format(now.plus(Duration.ofDays(days)));
    long id = tokens.insert(userId, hash(token), label == null ? "" : label, Times.format(now), createdBy, expires);
    return new Issued(id, userId, label == null ? "" : label, expires, token);
  }
}
