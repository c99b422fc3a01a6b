package org.radlab.cli.cluster;

import java.nio.file.Path;
import org.radlab.core.Workspace;
import picocli.CommandLine.Option;

/** The {@code --home} option shared by the cluster and submit commands. */
public final class HomeOption {

  /** The environment variable naming the RadLab workspace. */
  public static final String ENV = Workspace.ENV;

  @Option(names = "--home", paramLabel = "DIR",
      description = "RadLab workspace; default: $RADLAB_HOME, else radlab-home in the "
          + "current directory.")
  private Path home;

  /**
   * {@code --home}, else {@code $RADLAB_HOME}, else {@code ./radlab-home}; absolute. A given {@code --home} becomes
   * the workspace of everything else this JVM runs (jobs' default folders included).
   */
  public Path resolve() {
    if (home != null) {
      Path p = home.toAbsolutePath().normalize();
      System.setProperty(Workspace.PROPERTY, p.toString());
      return p;
    }
    return Workspace.home().toAbsolutePath().normalize();
  }
}
