package org.radlab.core;

import java.nio.file.Path;

/**
 * The RadLab workspace: the system property {@code radlab.home} (set by a command's {@code --home}), else
 * {@code $RADLAB_HOME}, else {@code radlab-home} in the current directory.
 */
public final class Workspace {
  /** The environment variable naming the workspace. */
  public static final String ENV = "RADLAB_HOME";
  /** The system property that overrides the environment within one JVM. */
  public static final String PROPERTY = "radlab.home";

  private Workspace() {}

  /** The workspace folder as configured (relative when the default applies). */
  public static Path home() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv(ENV);
    return env != null && !env.isBlank() ? Path.of(env) : Path.of("radlab-home");
  }
}
