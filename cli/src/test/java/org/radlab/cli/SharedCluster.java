package org.radlab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.radlab.cli.cluster.StandaloneCluster;
import org.radlab.core.io.FileTrees;

/**
 * One 2-worker standalone cluster (one core each) for every test of the run that asks for a
 * {@link StandaloneCluster} parameter: it starts with the first such test and stops when the whole test run ends.
 * Each test gets it with no executor left over from an earlier test's application, so killing "one executor" kills
 * one of its own.
 */
final class SharedCluster implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedCluster.class);
  private static final Duration IDLE_WAIT = Duration.ofMinutes(2);

  /** Stops the cluster and deletes its state folder when JUnit closes the root store. */
  private record Running(StandaloneCluster cluster, Path stateDir) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      cluster.close();
      FileTrees.delete(stateDir);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StandaloneCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Running running = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> start(),
        Running.class);
    awaitNoExecutors(running.cluster());
    return running.cluster();
  }

  private static Running start() {
    try {
      Path stateDir = Files.createTempDirectory("radlab-test-cluster");
      return new Running(ClusterRuns.twoWorkers(stateDir), stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitNoExecutors(StandaloneCluster cluster) {
    long deadline = System.nanoTime() + IDLE_WAIT.toNanos();
    while (!cluster.executors().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the shared cluster still runs executors of an earlier test after "
            + IDLE_WAIT + ": " + cluster.executors());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
