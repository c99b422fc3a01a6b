package org.radlab.core.launch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stopping processes and their children, and recognising a process by its arguments. */
public final class ProcessTrees {

  private ProcessTrees() {}

  /**
   * Stops {@code root} and every process below it: SIGTERM to the root (Spark daemons then stop
   * their own children), SIGKILL if it is still running after {@code grace}, then SIGKILL to any
   * descendant still running. The descendants are listed before the root goes, because orphans
   * move to another parent and can no longer be found from it.
   */
  public static void terminate(ProcessHandle root, Duration grace) {
    List<ProcessHandle> descendants = root.descendants().toList();
    root.destroy();
    if (!awaitExit(root, grace)) {
      root.destroyForcibly();
      awaitExit(root, grace);
    }
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    for (ProcessHandle child : descendants) {
      awaitExit(child, grace);
    }
  }

  /** SIGKILL ({@code kill -9}) to one process; true once it has gone. */
  public static boolean kill9(ProcessHandle process, Duration timeout) {
    process.destroyForcibly();
    return awaitExit(process, timeout);
  }

  /** Waits until the process has exited; true if it has. */
  public static boolean awaitExit(ProcessHandle process, Duration timeout) {
    if (!process.isAlive()) {
      return true;
    }
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The live process with this pid, if its command line contains {@code argument}. */
  public static Optional<ProcessHandle> liveWithArgument(long pid, String argument) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> hasArgument(p, argument));
  }

  /** True if one of the process's arguments is {@code argument} (or, lacking those, its command
   *  line contains it). */
  public static boolean hasArgument(ProcessHandle process, String argument) {
    ProcessHandle.Info info = process.info();
    Optional<String[]> args = info.arguments();
    if (args.isPresent()) {
      for (String arg : args.get()) {
        if (arg.equals(argument)) {
          return true;
        }
      }
      return false;
    }
    return info.commandLine().map(line -> line.contains(argument)).orElse(false);
  }

  /** The value after {@code --name} in the process's arguments. */
  public static Optional<String> argumentValue(ProcessHandle process, String name) {
    String[] args = process.info().arguments().orElse(new String[0]);
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Optional.of(args[i + 1]);
      }
    }
    return Optional.empty();
  }
}
