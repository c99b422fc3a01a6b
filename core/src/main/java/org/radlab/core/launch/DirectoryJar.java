package org.radlab.core.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Packs a class directory (such as a module's {@code target/classes}) into a jar, because Spark
 * executors load their class path from {@code $SPARK_HOME/jars/*} and application jars, never
 * from bare directories.
 */
public final class DirectoryJar {

  private DirectoryJar() {}

  /** A readable jar name for a class directory: {@code cli/target/test-classes} gives
   *  {@code cli-test-classes.jar}. */
  public static String nameFor(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Path module = parent == null ? null : parent.getParent();
    String prefix = module == null || module.getFileName() == null
        ? "" : module.getFileName() + "-";
    return prefix + absolute.getFileName() + ".jar";
  }

  /**
   * Writes every file under {@code dir} into {@code jar}, replacing it atomically, so a process
   * reading the old jar never sees a half-written one.
   */
  public static Path pack(Path dir, Path jar) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("Cannot pack " + dir + " into a jar: it is not a directory");
    }
    Files.createDirectories(jar.toAbsolutePath().getParent());
    Path partial = Files.createTempFile(jar.toAbsolutePath().getParent(), ".packing-", ".jar");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "RadLab DirectoryJar from " + dir);
    try (OutputStream out = Files.newOutputStream(partial);
        JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
      for (Path file : files) {
        String name = dir.relativize(file).toString().replace('\\', '/');
        if (name.equals("META-INF/MANIFEST.MF")) {
          continue;
        }
        boolean isDir = Files.isDirectory(file);
        jarOut.putNextEntry(new JarEntry(isDir ? name + "/" : name));
        if (!isDir) {
          Files.copy(file, jarOut);
        }
        jarOut.closeEntry();
      }
    } catch (IOException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    return Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
