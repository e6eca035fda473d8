package ai.onsembl.backend.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite connection (WAL, synchronous=NORMAL) shared by the stores. SQLite has a single writer
 * anyway; a lock makes every {@link #tx} and {@link #read} exclusive, so a transaction never
 * interleaves with another thread's statements on the same connection.
 */
public final class Database implements AutoCloseable {
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final String path;
  private volatile boolean closed;
  private static final int BUSY_TIMEOUT_MILLIS = 5000;

  /**
   * Null while the last write transaction committed; otherwise why it failed (SQLITE_BUSY, disk
   * full...).
   */
  private volatile String writeFailure;

  /** A unit of work against the connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private Database(String path, Connection connection) {
    this.path = path;
    this.connection = connection;
  }

  /**
   * Opens (creating parent directories) and migrates the database at {@code path} or {@code
   * :memory:}.
   */
  public static Database open(String path) {
    try {
      boolean memory = ":memory:".equals(path);
      if (!memory) {
        Path parent = Path.of(path).toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
      }
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
      try (Statement s = c.createStatement()) {
        if (!memory) {
          s.execute("PRAGMA journal_mode=WAL");
        }
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MILLIS);
      }
      Database db = new Database(path, c);
      db.tx(Migrations::apply);
      return db;
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open database " + path + ": " + e.getMessage(), e);
    }
  }

  public String path() {
    return path;
  }

  /** Runs {@code work} in one transaction: all of it commits, or none. */
  public <T> T tx(Work<T> work) {
    lock.lock();
    try {
      checkOpen();
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        writeFailure = null;
        return result;
      } catch (SQLException e) {
        writeFailure = e.getMessage();
        rollbackQuietly();
        throw e;
      } catch (RuntimeException e) {
        rollbackQuietly();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("database " + path + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // the transaction is gone either way; the original failure is what matters
    }
  }

  /**
   * As {@link #tx} but without waiting for another process's write lock (busy timeout 0 for this
   * transaction): for retries that must not hold the worker while the store is locked.
   */
  public <T> T tryTx(Work<T> work) {
    lock.lock();
    try {
      setBusyTimeout(0);
      try {
        return tx(work);
      } finally {
        setBusyTimeout(BUSY_TIMEOUT_MILLIS);
      }
    } finally {
      lock.unlock();
    }
  }

  private void setBusyTimeout(int millis) {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout=" + millis);
    } catch (SQLException e) {
      throw new IllegalStateException("database " + path + ": " + e.getMessage(), e);
    }
  }

  /** True while the last write transaction committed (or none failed yet). */
  public boolean writable() {
    return writeFailure == null;
  }

  /** Why the last write transaction failed, or null when it committed. */
  public String writeFailure() {
    return writeFailure;
  }

  /** Runs read-only {@code work}. */
  public <T> T read(Work<T> work) {
    lock.lock();
    try {
      checkOpen();
      return work.run(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("database " + path + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * For /healthz: null when the store answers a trivial query within {@code wait}, else what is
   * wrong (closed, busy past the wait, or the query's error).
   */
  public String probe(java.time.Duration wait) {
    try {
      if (!lock.tryLock(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        return "busy: no access within " + wait.toMillis() + " ms";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    try {
      if (closed) {
        return "closed";
      }
      try (var st = connection.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        rs.next();
        return null;
      }
    } catch (SQLException e) {
      return e.getMessage();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("database " + path + " is closed");
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        connection.close();
      }
    } catch (SQLException e) {
      // closing is best effort: WAL content is already durable
    } finally {
      lock.unlock();
    }
  }
}
