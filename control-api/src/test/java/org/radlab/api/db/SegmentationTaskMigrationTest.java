package org.radlab.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Version 14 widens the use case's task check to 'segmentation' by rewriting its stored definition. A database from
 * before keeps every use case and its categories (a rebuilt table would have cascaded them away), accepts a
 * segmentation use case afterwards, still refuses an unknown task, and passes SQLite's integrity and foreign key
 * checks.
 */
class SegmentationTaskMigrationTest {
  @TempDir Path home;

  @Test
  void useCasesSurviveAndSegmentationIsAccepted() {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + home.resolve(Database.FILE).toAbsolutePath());
    Flyway.configure().dataSource(source).locations("classpath:db/migration").target("13").load().migrate();
    Jdbi before = Jdbi.create(source);
    before.useHandle(h -> {
      h.execute("INSERT INTO use_case (id, title, body_area, modality, task, status, created_at, updated_at) "
          + "VALUES (1, 'Density', 'Breast', 'MG', 'classification', 'published', 't', 't'), "
          + "(2, 'Lesions', 'Breast', 'MG', 'detection', 'draft', 't', 't')");
      h.execute("INSERT INTO category (use_case_id, code, name, position, description, cde_id) VALUES "
          + "(1, 'A', 'Fatty', 0, 'd', 'c'), (1, 'B', 'Scattered', 1, 'd', 'c'), (2, 'mass', 'Mass', 0, 'd', 'c')");
      assertThrows(UnableToExecuteStatementException.class, () -> h.execute("INSERT INTO use_case (title, body_area, "
          + "modality, task, status, created_at, updated_at) VALUES ('x', 'a', 'CT', 'segmentation', 'draft', 't', "
          + "'t')"), "before version 14 the check refuses segmentation");
    });

    try (Database db = Database.open(home)) {
      Jdbi after = db.jdbi();
      assertEquals(List.of("1 classification", "2 detection"), after.withHandle(h -> h.createQuery(
          "SELECT id || ' ' || task FROM use_case ORDER BY id").mapTo(String.class).list()));
      assertEquals(List.of("1 A", "1 B", "2 mass"), after.withHandle(h -> h.createQuery(
          "SELECT use_case_id || ' ' || code FROM category ORDER BY use_case_id, position").mapTo(String.class).list()));
      after.useHandle(h -> h.execute("INSERT INTO use_case (title, body_area, modality, task, status, created_at, "
          + "updated_at) VALUES ('Liver', 'Abdomen', 'CT', 'segmentation', 'draft', 't', 't')"));
      assertThrows(UnableToExecuteStatementException.class, () -> after.useHandle(h -> h.execute("INSERT INTO "
          + "use_case (title, body_area, modality, task, status, created_at, updated_at) VALUES ('x', 'a', 'CT', "
          + "'registration', 'draft', 't', 't')")), "an unknown task is still refused");
      assertEquals("ok", db.integrityCheck());
      assertEquals(0, after.withHandle(h -> h.createQuery("PRAGMA foreign_key_check").mapToMap().list()).size());
    }
  }
}
