package org.radlab.core;

import java.nio.file.Path;

/** The RadLab workspace: {@code $RADLAB_HOME}, else {@code radlab-home} in the current directory. */
public final class Workspace {
  /** The environment variable naming the workspace. */
  public static final String ENV = "RADLAB_HOME";

  private Workspace() {}

  /** The workspace folder as configured (relative when the default applies). */
  public static Path home() {
    String env = System.getenv(ENV);
    return env != null && !env.isBlank() ? Path.of(env) : Path.of("radlab-home");
  }
}
