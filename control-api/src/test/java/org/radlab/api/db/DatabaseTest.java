package org.radlab.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store: migrations, and group commits in which one failed write undoes only itself. */
class DatabaseTest {
  @TempDir Path home;

  @Test
  void concurrentWritesCommitTogetherAndAFailureUndoesOnlyItself() throws Exception {
    try (Database db = Database.open(home)) {
      UserDao users = db.dao(UserDao.class);
      int writers = 40;
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          go.await();
          // Every fourth writer reuses a name taken by the writer before it: a UNIQUE violation.
          String name = n % 4 == 3 ? "user" + (n - 1) : "user" + n;
          return users.insert(name, "participant", "2026-01-01T00:00:00.000000Z");
        }));
      }
      go.countDown();
      int failed = 0;
      for (int i = 0; i < writers; i++) {
        try {
          results.get(i).get(1, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof UnableToExecuteStatementException, e.getCause().toString());
          failed++;
        }
      }
      pool.shutdown();
      // A duplicate either lost the race (it fails) or won it (then its twin fails): one of each pair remains.
      assertEquals(writers / 4, failed);
      List<String> names = db.jdbi().withHandle(h -> h.createQuery("SELECT name FROM app_user")
          .mapTo(String.class).list());
      Set<String> stored = new TreeSet<>(names);
      assertEquals(writers - writers / 4, stored.size());
      for (int i = 0; i < writers; i += 4) {
        assertTrue(stored.containsAll(List.of("user" + i, "user" + (i + 1))), stored.toString());
      }
      assertEquals("ok", db.integrityCheck());
    }
  }

  @Test
  void aWriteSeesTheGroupsEarlierWritesAndAnExceptionReachesItsCaller() {
    try (Database db = Database.open(home)) {
      long id = db.write(h -> h.createUpdate("INSERT INTO app_user (name, role, token_hash, created_at) VALUES "
          + "('a', 'admin', 'h', 't')").executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
      assertEquals("a", db.write(h -> h.createQuery("SELECT name FROM app_user WHERE id = :id").bind("id", id)
          .mapTo(String.class).one()));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.write(h -> {
        h.execute("INSERT INTO app_user (name, role, token_hash, created_at) VALUES ('b', 'admin', 'h2', 't')");
        throw new IllegalArgumentException("changed my mind");
      }));
      assertEquals("changed my mind", e.getMessage());
      assertEquals(List.of("a"), db.jdbi().withHandle(h -> h.createQuery("SELECT name FROM app_user ORDER BY id")
          .mapTo(String.class).list()), "the failed write left nothing behind");
    }
  }

  @Test
  void reopeningKeepsTheSchemaAndTheData() {
    int applied;
    try (Database db = Database.open(home)) {
      db.dao(UserDao.class).insert("kept", "admin", "t");
      applied = appliedMigrations(db);
      assertTrue(applied >= 1);
    }
    try (Database db = Database.open(home)) {
      assertEquals(1, db.dao(UserDao.class).count());
      assertEquals(applied, appliedMigrations(db), "nothing applied twice");
      assertEquals(applied, (int) db.jdbi().withHandle(h -> h.createQuery("SELECT count(DISTINCT version) FROM "
          + "flyway_schema_history WHERE success").mapTo(Integer.class).one()), "one row per version");
    }
  }

  private static int appliedMigrations(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM flyway_schema_history WHERE success")
        .mapTo(Integer.class).one());
  }
}
