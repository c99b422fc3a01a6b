package org.radlab.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.radlab.api.db.TokenDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Times;

/**
 * Token hash to user, remembered for a few seconds: every request authenticates, and the lookup would otherwise be
 * a database round trip per request. Users and roles are never deleted or lowered, so a short memory is safe; a
 * remembered token's expiry is checked on every use, a revocation empties the memory ({@link #forgetAll}), and an
 * unknown, expired or revoked token is never remembered.
 */
final class Callers {
  private static final long TTL_NANOS = 30_000_000_000L;
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Caller caller, String tokenExpires, long expires) {}

  private final TokenDao tokens;
  private final Map<String, Entry> known = new ConcurrentHashMap<>();

  Callers(TokenDao tokens) {
    this.tokens = tokens;
  }

  /** The caller a token hash belongs to; 401 naming why when it is unknown, expired or revoked. */
  Caller caller(String tokenHash) {
    long now = System.nanoTime();
    String at = Times.now();
    Entry e = known.get(tokenHash);
    if (e != null && now - e.expires() < 0 && at.compareTo(e.tokenExpires()) < 0) {
      return e.caller();
    }
    known.remove(tokenHash);
    TokenDao.Holder h = tokens.byHash(tokenHash)
        .orElseThrow(() -> ApiException.unauthorized("the API token is not valid"));
    if (h.revokedAt() != null) {
      throw new ApiException(401, "token_revoked", "the API token was revoked at " + h.revokedAt()
          + "; ask an admin for a new one");
    }
    if (at.compareTo(h.expiresAt()) >= 0) {
      throw new ApiException(401, "token_expired", "the API token expired at " + h.expiresAt()
          + "; ask an admin for a new one");
    }
    Caller caller = new Caller(h.userId(), h.name(), h.role());
    if (known.size() >= MAX_ENTRIES) {
      known.clear();
    }
    known.put(tokenHash, new Entry(caller, h.expiresAt(), now + TTL_NANOS));
    return caller;
  }

  /** Forgets every remembered token, so a revocation holds from the next request on. */
  void forgetAll() {
    known.clear();
  }
}
