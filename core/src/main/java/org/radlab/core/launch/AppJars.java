package org.radlab.core.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the application jar that holds a job's main class. */
public final class AppJars {

  private AppJars() {}

  /**
   * The class path entry holding {@code mainClass}. A jar is returned as it is; a class directory
   * (a module's {@code target/classes} when running from an IDE or from tests) is packed into
   * {@code packDir}, because spark-submit ships the application jar to the executors.
   *
   * @throws IllegalArgumentException if no entry holds the class
   */
  public static Path containing(String mainClass, List<Path> classpath, Path packDir)
      throws IOException {
    Path entry = SparkClasspath.entryContaining(mainClass, classpath)
        .orElseThrow(() -> new IllegalArgumentException("Class " + mainClass + " is not on the "
            + "RadLab class path (" + classpath.size() + " entries). Check the class name, or "
            + "name the jar that holds it with --app-jar."));
    if (Files.isRegularFile(entry)) {
      return entry;
    }
    return DirectoryJar.pack(entry, packDir.resolve(DirectoryJar.uniqueStem(entry) + ".jar"));
  }
}
