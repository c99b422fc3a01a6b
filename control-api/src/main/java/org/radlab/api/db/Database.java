package org.radlab.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The control plane's SQLite file ({@code radlab.db}): WAL journal, so readers never wait for the writer; full
 * sync, so an answered write survives a crash. Schema versions are applied by Flyway from {@code db/migration}.
 *
 * <p>Reads run on a fixed set of long-lived handles. Writes all go through one writer thread, which commits them in
 * groups: it takes every write waiting (up to {@link #MAX_GROUP}), runs each inside its own savepoint of one
 * transaction, and commits once, so many concurrent writers share one fsync. A write that fails is rolled back to
 * its savepoint alone; its caller gets the exception, the others commit. A caller returns only after the commit
 * holding its write, so an answered write is durable.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  public static final String FILE = "radlab.db";
  /** Connections, and the server's request threads: SQLite readers in WAL mode do not block each other. */
  public static final int POOL_SIZE = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
  /** The most writes committed together. */
  static final int MAX_GROUP = 256;

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Path file;
  private final BlockingQueue<Handle> readers = new LinkedBlockingQueue<>();
  private final List<Handle> allHandles = new ArrayList<>();
  private final Map<Handle, Map<Class<?>, Object>> attached = new ConcurrentHashMap<>();
  private final BlockingQueue<Write<?>> writes = new LinkedBlockingQueue<>();
  private final Handle writerHandle;
  private final Thread writer;
  private volatile boolean closing;

  /** One queued write: the work, and the caller waiting for its commit. */
  private record Write<R>(HandleCallback<R, ? extends Exception> work, CompletableFuture<R> done) {}

  private Database(Path file, HikariDataSource pool) {
    this.file = file;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool).installPlugin(new SqlObjectPlugin());
    for (int i = 0; i < POOL_SIZE; i++) {
      readers.add(open());
    }
    this.writerHandle = open();
    this.writer = new Thread(this::writeLoop, "radlab-db-writer");
    writer.setDaemon(true);
    writer.start();
  }

  private Handle open() {
    Handle h = jdbi.open();
    allHandles.add(h);
    attached.put(h, new ConcurrentHashMap<>());
    return h;
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
    pool.setMaximumPoolSize(POOL_SIZE + 5);
    pool.setMinimumIdle(2);
    return new Database(file, new HikariDataSource(pool));
  }

  /** JDBI over the connection pool, for reads outside the DAOs (tests, health checks). */
  public Jdbi jdbi() { return jdbi; }

  /**
   * A DAO. A method that writes ({@code @SqlUpdate} or {@code @Transaction}) runs on the writer thread, in a group
   * commit; any other method runs on one of the long-lived read handles. Unlike {@code Jdbi.onDemand}, which opens
   * a handle and a fresh copy of JDBI's configuration (with cold mapper caches) per call, this keeps every
   * handle's caches warm: the profile of a read-heavy endpoint showed most of its time in that set-up.
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
      if (isWrite(method)) {
        return write(h -> call(h, type, method, args));
      }
      Handle h = borrow();
      try {
        return call(h, type, method, args);
      } finally {
        if (h.isInTransaction()) {
          h.rollback();
        }
        readers.add(h);
      }
    }));
  }

  private static boolean isWrite(Method method) {
    return method.isAnnotationPresent(SqlUpdate.class) || method.isAnnotationPresent(Transaction.class);
  }

  private Object call(Handle h, Class<?> type, Method method, Object[] args) throws Exception {
    Object target = attached.get(h).computeIfAbsent(type, h::attach);
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
    }
  }

  /**
   * Runs {@code work} on the writer thread inside the next group commit, and returns once that commit is done: for
   * writes that span DAOs, such as queueing a job. The work may read its own and earlier writes of the group.
   */
  @SuppressWarnings("unchecked")
  public <R, X extends Exception> R write(HandleCallback<R, X> work) throws X {
    if (Thread.currentThread() == writer) {
      return work.withHandle(writerHandle); // a write made from inside a write joins it
    }
    if (closing) {
      throw new IllegalStateException("the database is closing");
    }
    CompletableFuture<R> done = new CompletableFuture<>();
    writes.add(new Write<>(work, done));
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a write", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw (X) cause;
    }
  }

  private void writeLoop() {
    List<Write<?>> group = new ArrayList<>();
    while (!closing || !writes.isEmpty()) {
      try {
        Write<?> first = writes.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        writes.drainTo(group, MAX_GROUP - 1);
        commit(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("group commit failed", e);
        group.forEach(w -> w.done().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
  }

  /** One transaction for the group: a savepoint per write, so one failure undoes only that write. */
  private void commit(List<Write<?>> group) {
    Handle h = writerHandle;
    Object[] results = new Object[group.size()];
    Throwable[] failures = new Throwable[group.size()];
    h.begin();
    try {
      for (int i = 0; i < group.size(); i++) {
        String savepoint = "w" + i;
        h.savepoint(savepoint);
        try {
          results[i] = group.get(i).work().withHandle(h);
          h.releaseSavepoint(savepoint);
        } catch (Exception | Error e) {
          h.rollbackToSavepoint(savepoint); // SQLite keeps the (now empty) savepoint until the commit
          failures[i] = e;
        }
      }
      h.commit();
    } catch (RuntimeException e) {
      if (h.isInTransaction()) {
        h.rollback();
      }
      throw e;
    }
    for (int i = 0; i < group.size(); i++) {
      complete(group.get(i), results[i], failures[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <R> void complete(Write<R> w, Object result, Throwable failure) {
    if (failure != null) {
      w.done().completeExceptionally(failure);
    } else {
      w.done().complete((R) result);
    }
  }

  private Handle borrow() throws InterruptedException {
    Handle h = readers.poll(30, TimeUnit.SECONDS);
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

  /** Finishes the writes already queued, then closes every handle and the pool. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allHandles.forEach(Handle::close);
    pool.close();
  }
}
