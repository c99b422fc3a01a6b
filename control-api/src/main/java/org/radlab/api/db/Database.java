package org.radlab.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
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
  /** Connections, and the server's request threads: SQLite readers in WAL mode do not block each other. */
  public static final int POOL_SIZE = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
  /** Open handles shared by the DAOs; the rest of the connection pool serves {@link #jdbi()} callers. */
  private static final int HANDLES = POOL_SIZE;
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Path file;

  private final BlockingQueue<Handle> handles = new LinkedBlockingQueue<>();
  private final List<Handle> allHandles = new ArrayList<>();
  private final Map<Handle, Map<Class<?>, Object>> attached = new ConcurrentHashMap<>();

  private Database(Path file, HikariDataSource pool) {
    this.file = file;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool).installPlugin(new SqlObjectPlugin());
    for (int i = 0; i < HANDLES; i++) {
      Handle h = jdbi.open();
      allHandles.add(h);
      attached.put(h, new ConcurrentHashMap<>());
      handles.add(h);
    }
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
    pool.setMaximumPoolSize(POOL_SIZE + 4);
    pool.setMinimumIdle(2);
    return new Database(file, new HikariDataSource(pool));
  }

  public Jdbi jdbi() { return jdbi; }

  /**
   * A DAO whose every call borrows one of a fixed set of open handles and gives it back. Unlike
   * {@code Jdbi.onDemand}, which opens a handle (and a fresh copy of JDBI's configuration, with cold mapper caches)
   * per call, this keeps each handle's caches warm: the profile of a read-heavy endpoint showed most of its time in
   * that set-up. A DAO method is one unit: a {@code @Transaction} default method runs on one handle throughout.
   */
  public <T> T dao(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "toString" -> "pooled " + type.getSimpleName();
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        };
      }
      Handle h = borrow();
      try {
        Object target = attached.get(h).computeIfAbsent(type, h::attach);
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      } finally {
        if (h.isInTransaction()) {
          h.rollback();
        }
        handles.add(h);
      }
    }));
  }

  private Handle borrow() throws InterruptedException {
    Handle h = handles.poll(30, TimeUnit.SECONDS);
    if (h == null) {
      throw new IllegalStateException("no database handle came free in 30 s");
    }
    return h;
  }

  public Path file() { return file; }

  /** SQLite's {@code PRAGMA integrity_check}: {@code ok} for a sound file. */
  public String integrityCheck() {
    return jdbi.withHandle(h -> String.join("; ",
        h.createQuery("PRAGMA integrity_check").mapTo(String.class).list()));
  }

  @Override
  public void close() {
    allHandles.forEach(Handle::close);
    pool.close();
  }
}
