package org.radlab.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.Caller;

/**
 * Token hash to user, remembered for a few seconds: every request authenticates, and the lookup would otherwise be
 * a database round trip per request. Users and roles are never deleted or lowered, so a short memory is safe; an
 * unknown token is never remembered.
 */
final class Callers {
  private static final long TTL_NANOS = 30_000_000_000L;
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Caller caller, long expires) {}

  private final UserDao users;
  private final Map<String, Entry> known = new ConcurrentHashMap<>();

  Callers(UserDao users) {
    this.users = users;
  }

  Optional<Caller> lookUp(String tokenHash) {
    long now = System.nanoTime();
    Entry e = known.get(tokenHash);
    if (e != null && now - e.expires() < 0) {
      return Optional.of(e.caller());
    }
    Optional<Caller> caller = users.byTokenHash(tokenHash).map(u -> new Caller(u.id(), u.name(), u.role()));
    if (caller.isPresent()) {
      if (known.size() >= MAX_ENTRIES) {
        known.clear();
      }
      known.put(tokenHash, new Entry(caller.get(), now + TTL_NANOS));
    } else {
      known.remove(tokenHash);
    }
    return caller;
  }
}
