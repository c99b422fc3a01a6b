package org.radlab.cli.cluster;

import org.radlab.core.launch.DirectoryJar;
import org.radlab.core.launch.ManifestClassPath;
import org.radlab.core.io.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A stand-in for a Spark distribution, built from the running JVM's class path.
 *
 * <p>A worker launches each executor with {@code -cp $SPARK_HOME/jars/*} (Spark's launcher library
 * looks for {@code jars/} first, then for a source build's {@code assembly/target/scala-2.13/jars},
 * and fails with "Cannot find any build directories" unless {@code SPARK_SCALA_VERSION} is set).
 * So {@code jars/} gets a symbolic link to every jar on the class path, every directory entry
 * (for example {@code target/classes}) packed into a jar of its own, and a copy without the
 * manifest {@code Class-Path} of every jar that has one (see {@link ManifestClassPath}).
 *
 * @param dir the directory to use as {@code SPARK_HOME}
 */
public record SparkHome(Path dir) {

  public SparkHome {
    dir = dir.toAbsolutePath().normalize();
  }

  /** Recreates {@code dir/jars} for {@code classpath}; entries that do not exist are skipped. */
  public static SparkHome populate(Path dir, List<Path> classpath) throws IOException {
    SparkHome home = new SparkHome(dir);
    Path jars = home.jarsDir();
    FileTrees.delete(jars);
    Files.createDirectories(jars);
    Set<String> taken = new HashSet<>();
    int index = 0;
    for (Path entry : classpath) {
      index++;
      if (Files.isDirectory(entry)) {
        DirectoryJar.pack(entry, jars.resolve(unique(taken, index, DirectoryJar.nameFor(entry))));
      } else if (Files.isRegularFile(entry)) {
        Path link = jars.resolve(unique(taken, index, entry.getFileName().toString()));
        if (ManifestClassPath.declares(entry)) {
          ManifestClassPath.copyWithout(entry, link);
        } else {
          Files.createSymbolicLink(link, entry.toAbsolutePath());
        }
      }
    }
    return home;
  }

  /** {@code SPARK_HOME/jars}. */
  public Path jarsDir() {
    return dir.resolve("jars");
  }

  /** {@code SPARK_HOME/jars/*}, a class path that the JVM expands to every jar there. */
  public String jarsWildcard() {
    return jarsDir() + "/*";
  }

  private static String unique(Set<String> taken, int index, String name) {
    return taken.add(name) ? name : unique(taken, index, index + "-" + name);
  }
}
