package org.radlab.core;

import java.nio.file.Path;

/**
 * The RadLab workspace and the place of everything in it. Which folder: the system property {@code radlab.home}
 * (set by a command's {@code --home}), else {@code $RADLAB_HOME}, else {@code radlab-home} in the current
 * directory. Every process that writes into the workspace or reads from it takes its paths from here.
 *
 * @param root the workspace folder
 */
public record Workspace(Path root) {
  /** The environment variable naming the workspace. */
  public static final String ENV = "RADLAB_HOME";
  /** The system property that overrides the environment within one JVM. */
  public static final String PROPERTY = "radlab.home";

  /** The workspace folder as configured (relative when the default applies). */
  public static Path home() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv(ENV);
    return env != null && !env.isBlank() ? Path.of(env) : Path.of("radlab-home");
  }

  /** The workspace as configured. */
  public static Workspace current() {
    return new Workspace(home());
  }

  /** The key of every pseudonym. */
  public Path siteSecret() { return root.resolve("site-secret"); }

  /** The datasets the control API registers, one folder each. */
  public Path dataset(String name) { return root.resolve("datasets").resolve(name); }

  /** Label snapshots. */
  public Path labels() { return root.resolve("labels"); }

  /** A training job's model folder. */
  public Path model(String jobName) { return root.resolve("models").resolve(jobName); }

  /** An evaluation job's output folder. */
  public Path evaluation(String jobName) { return root.resolve("evaluations").resolve(jobName); }

  /** An assessment's output folder. */
  public Path assessment(String name) { return root.resolve("assessments").resolve(name); }

  /** A job's own folder: config, log, progress, exit status, checkpoints. */
  public Path job(String jobName) { return root.resolve("jobs").resolve(jobName); }

  /** Pretrained weights the site provides. */
  public Path weights() { return root.resolve("weights"); }

  /** Published model packages. */
  public Path published() { return root.resolve("published"); }

  /** Files made again when missing, such as the jobs' application jars. */
  public Path cache() { return root.resolve("cache"); }
}
