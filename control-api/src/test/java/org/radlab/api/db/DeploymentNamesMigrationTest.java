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
 * Version 9 makes deployment names unique per owner. A database with deployments, their cases and assessments from
 * before it keeps every row (no cascade fires while the tables are rebuilt), and afterwards two owners may use one
 * name while one owner still may not use it twice.
 */
class DeploymentNamesMigrationTest {
  @TempDir Path home;

  @Test
  void rowsSurviveAndNamesBecomeUniquePerOwner() {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + home.resolve(Database.FILE).toAbsolutePath());
    Flyway.configure().dataSource(source).locations("classpath:db/migration").target("6").load().migrate();
    Jdbi before = Jdbi.create(source);
    before.useHandle(h -> {
      h.execute("INSERT INTO app_user (id, name, role, token_hash, created_at) VALUES (1, 'ana', 'participant', 'h1',"
          + " 't'), (2, 'ben', 'participant', 'h2', 't')");
      h.execute("INSERT INTO use_case (id, title, body_area, modality, task, status, created_at, updated_at) "
          + "VALUES (1, 'Density', 'Breast', 'MG', 'classification', 'published', 't', 't')");
      h.execute("INSERT INTO job (id, kind, owner_id, status, config, submitted_at) VALUES (7, 'assess', 1, "
          + "'SUCCEEDED', '{}', 't')");
      h.execute("INSERT INTO deployment (id, name, use_case_id, owner_id, created_at) VALUES (1, 'ward', 1, 1, 't'), "
          + "(2, 'clinic', 1, 2, 't')");
      h.execute("INSERT INTO deployed_case (deployment_id, case_id, case_date, probabilities, read_code) VALUES "
          + "(1, 'c1', '2027-01-01', '[0.9,0.1]', 'A'), (1, 'c2', '2027-01-02', '[0.2,0.8]', 'B'), "
          + "(2, 'c1', '2027-02-01', NULL, 'B')");
      h.execute("INSERT INTO deployment_assessment (deployment_id, job_id) VALUES (1, 7)");
    });

    try (Database db = Database.open(home)) {
      Jdbi after = db.jdbi();
      assertEquals(List.of("1 ward 1", "2 clinic 2"), after.withHandle(h -> h.createQuery("SELECT id || ' ' || name "
          + "|| ' ' || owner_id FROM deployment ORDER BY id").mapTo(String.class).list()));
      assertEquals(List.of("1 c1 [0.9,0.1] A", "1 c2 [0.2,0.8] B", "2 c1 - B"), after.withHandle(h -> h.createQuery(
          "SELECT deployment_id || ' ' || case_id || ' ' || coalesce(probabilities, '-') || ' ' || read_code "
              + "FROM deployed_case ORDER BY deployment_id, case_id").mapTo(String.class).list()));
      DeploymentDao dao = db.dao(DeploymentDao.class);
      assertEquals(List.of(7L), dao.assessments(1));
      // Ben may now call one of his deployments 'ward' too; Ana still may not have two.
      dao.insert("ward", 1, null, 2, "t");
      assertEquals(1, dao.countNamed(2, "ward"));
      assertThrows(UnableToExecuteStatementException.class, () -> dao.insert("ward", 1, null, 1, "t"));
      // The rebuilt tables still cascade and still check their references.
      after.useHandle(h -> h.execute("DELETE FROM deployment_assessment WHERE deployment_id = 1"));
      after.useHandle(h -> h.execute("DELETE FROM deployment WHERE id = 1"));
      int cases = after.withHandle(h -> h.createQuery("SELECT count(*) FROM deployed_case").mapTo(Integer.class)
          .one());
      assertEquals(1, cases, "deleting a deployment deletes its cases");
      assertThrows(UnableToExecuteStatementException.class, () -> after.useHandle(h -> h.execute(
          "INSERT INTO deployed_case (deployment_id, case_id) VALUES (99, 'x')")));
      assertEquals("ok", db.integrityCheck());
    }
  }
}
