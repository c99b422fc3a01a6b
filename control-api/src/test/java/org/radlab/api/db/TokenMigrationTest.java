package org.radlab.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.http.Tokens;

/** V8 on a database made before it: existing tokens keep working (with the default expiry); old publications lose
 *  the endpoint answers and URL credentials they kept. */
class TokenMigrationTest {
  @TempDir Path home;

  @Test
  void tokensMoveAndGetAnExpiryAndOldPublicationsAreScrubbed() throws Exception {
    String url = "jdbc:sqlite:" + home.resolve(Database.FILE);
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("6").load().migrate();
    String token = Tokens.newToken();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO app_user (name, role, token_hash, created_at) VALUES ('old', 'participant', '"
          + Tokens.hash(token) + "', '2026-01-01T00:00:00.000000Z')");
      s.execute("INSERT INTO publication (model_id, user_id, kind, destination, status, detail, created_at) VALUES "
          + "(1, 1, 'http', 'http://user:pw@10.0.0.1:8080/up', 'failed', 'HTTP 401: wrong token for bob', 't'), "
          + "(1, 1, 'http', 'http://h.example:81/a@b', 'failed', 'the endpoint cannot be reached: connect "
          + "exception', 't'), (1, 1, 'directory', '/srv/a@b', 'failed', 'cannot write: disk full', 't')");
    }
    try (Database db = Database.open(home)) {
      TokenDao.Holder h = db.dao(TokenDao.class).byHash(Tokens.hash(token)).orElseThrow();
      assertEquals("old", h.name());
      assertNull(h.revokedAt());
      Instant in90Days = Instant.now().plus(Duration.ofDays(90));
      Instant expires = Instant.parse(h.expiresAt());
      assertTrue(expires.isAfter(in90Days.minus(Duration.ofHours(1))) && !expires.isAfter(in90Days), h.expiresAt());
      List<String> rows = db.jdbi().withHandle(x -> x.createQuery("SELECT destination || ' | ' || detail FROM "
          + "publication ORDER BY id").mapTo(String.class).list());
      assertEquals(List.of("http://10.0.0.1:8080/up | HTTP 401", "http://h.example:81/a@b | no HTTP answer from the "
          + "endpoint", "/srv/a@b | cannot write: disk full"), rows);
    }
  }
}
