package org.radlab.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A request to stop a run: the file {@code jobs/<id>/cancel}, or SIGTERM (caught by a shutdown hook). Opening one
 * removes a cancel file aimed at an earlier run of the job and installs the hook; closing it removes the hook.
 */
final class Cancellation implements AutoCloseable {
  private final Path file;
  private final Thread hook;
  private volatile boolean requested;

  Cancellation(Path jobDir) throws IOException {
    this.file = jobDir.resolve("cancel");
    Files.deleteIfExists(file); // a request aimed at an earlier run of this job
    this.hook = new Thread(() -> requested = true, "radlab-train-cancel");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Whether a stop was asked for: by SIGTERM, or by the file (looked for now). */
  boolean check() {
    if (requested || Files.exists(file)) {
      requested = true;
    }
    return requested;
  }

  /** Whether a stop was asked for by now, as far as known (the file is not looked for). */
  boolean requested() {
    return requested;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting; the hook has run
    }
  }
}
