package org.radlab.cli.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Waits, until one deadline, for a starting cluster to be ready: first the master reports ALIVE on its web UI, then
 * it reports every worker ALIVE. Fails early, with the end of its log, when a daemon exits meanwhile.
 */
final class StartupWait {
  private static final Duration POLL = Duration.ofMillis(250);

  private final URI webUi;
  private final Duration timeout;
  private final long deadline;

  /** Starts the clock: both waits together may take {@code timeout}. */
  StartupWait(URI webUi, Duration timeout) {
    this.webUi = webUi;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  void awaitMaster(ProcessHandle master, Path log) {
    IOException last = null;
    while (true) {
      requireAlive(master, "master", log);
      try {
        MasterStatus status = MasterWebUi.fetch(webUi, Duration.ofSeconds(2));
        if ("ALIVE".equals(status.status())) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException("The Spark master's web UI " + webUi + "/json/ did not "
            + "report ALIVE within " + timeout.toSeconds() + " s"
            + (last == null ? "" : " (last error: " + last.getMessage() + ")")
            + ". Read " + log + " for the reason.");
      }
      pause();
    }
  }

  /** @param logs the master's log, then each worker's */
  void awaitWorkers(ProcessHandle master, List<ProcessHandle> workers, List<Path> logs) {
    int alive = 0;
    while (true) {
      requireAlive(master, "master", logs.get(0));
      for (int i = 0; i < workers.size(); i++) {
        requireAlive(workers.get(i), "worker " + (i + 1), logs.get(i + 1));
      }
      try {
        alive = (int) MasterWebUi.fetch(webUi, Duration.ofSeconds(2)).workers().stream()
            .filter(MasterStatus.Worker::alive).count();
        if (alive >= workers.size()) {
          return;
        }
      } catch (IOException e) {
        // the master is busy or restarting its UI; poll again
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException("The Spark master reported " + alive + " of "
            + workers.size() + " workers ALIVE after " + timeout.toSeconds()
            + " s. Read the worker logs for the reason: " + logs.subList(1, logs.size())
            + " (master: " + logs.get(0) + ").");
      }
      pause();
    }
  }

  private static void requireAlive(ProcessHandle process, String what, Path log) {
    if (!process.isAlive()) {
      throw new ClusterException("The Spark " + what + " (pid " + process.pid()
          + ") exited during start-up. Read " + log + " for the reason:\n" + DaemonLauncher.tail(log, 15));
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("Interrupted while waiting for the cluster to start", e);
    }
  }
}
