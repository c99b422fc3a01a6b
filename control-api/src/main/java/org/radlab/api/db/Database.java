package org.radlab.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The control plane's SQLite file ({@code radlab.db}): WAL journal, so readers never wait for the writer; full
 * sync, so an answered write survives a crash; write transactions start {@code IMMEDIATE}, so two writers queue on
 * the busy timeout instead of failing on a lock upgrade. Schema versions are applied by Flyway from
 * {@code db/migration}.
 */
public final class Database implements AutoCloseable {
  public static final String FILE = "radlab.db";
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Path file;

  private Database(Path file, HikariDataSource pool) {
    this.file = file;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool).installPlugin(new SqlObjectPlugin());
  }

  /** Opens (creating if needed) {@code home/radlab.db} and brings its schema up to date. */
  public static Database open(Path home) {
    try {
      Files.createDirectories(home);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the workspace " + home + ": " + e.getMessage(), e);
    }
    Path file = home.resolve(FILE).toAbsolutePath();
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sqlite.enforceForeignKeys(true);
    sqlite.setBusyTimeout(30_000);
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource source = new SQLiteDataSource(sqlite);
    source.setUrl("jdbc:sqlite:" + file);
    Flyway.configure().dataSource(source).locations("classpath:db/migration").load().migrate();
    HikariConfig pool = new HikariConfig();
    pool.setDataSource(source);
    pool.setPoolName("radlab-db");
    pool.setMaximumPoolSize(8);
    pool.setMinimumIdle(2);
    return new Database(file, new HikariDataSource(pool));
  }

  public Jdbi jdbi() { return jdbi; }

  public <T> T dao(Class<T> type) { return jdbi.onDemand(type); }

  public Path file() { return file; }

  /** SQLite's {@code PRAGMA integrity_check}: {@code ok} for a sound file. */
  public String integrityCheck() {
    return jdbi.withHandle(h -> String.join("; ",
        h.createQuery("PRAGMA integrity_check").mapTo(String.class).list()));
  }

  @Override
  public void close() {
    pool.close();
  }
}
