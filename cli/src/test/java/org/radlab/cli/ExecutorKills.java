package org.radlab.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.radlab.cli.cluster.ExecutorProcess;
import org.radlab.cli.cluster.StandaloneCluster;

/** Kills one of a 2-executor cluster's executors while a driver runs, once the job has visibly started. */
final class ExecutorKills {
  private ExecutorKills() {}

  /** @return the executor killed, or null if the driver ended (or the time ran out) first */
  static ExecutorProcess killOneWhen(StandaloneCluster cluster, Process driver, BooleanSupplier started,
      Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (driver.isAlive() && Instant.now().isBefore(deadline)) {
      if (cluster.executors().size() == 2 && started.getAsBoolean()) {
        ExecutorProcess killed = cluster.killOneExecutor().orElse(null);
        if (killed != null) {
          return killed;
        }
      }
      Thread.sleep(100);
    }
    return null;
  }
}
