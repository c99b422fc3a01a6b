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
   * A jar name for {@code dir} without the {@code .jar}, unique to its absolute path: a hash of the path, then {@link
   * #nameFor}, so two modules' {@code target/classes} never share a jar.
   */
  public static String uniqueStem(Path dir) {
    String name = nameFor(dir);
    return Integer.toHexString(dir.toAbsolutePath().toString().hashCode()) + "-"
        + name.substring(0, name.length() - ".jar".length());
  }

  /**
   * The jar of {@code dir} in {@code packDir}, packed only when no jar of the same files is there yet. Its name holds a
   * fingerprint of the directory (every file's path, size and modification time), so unchanged classes keep one jar
   * with one modification time, which a JVM's class-data archive of the class path requires ({@link
   * ClassDataArchive}); a changed directory gets a new jar, and the older ones of that directory are removed.
   */
  public static Path packed(Path dir, Path packDir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    String stem = uniqueStem(absolute);
    Path jar = packDir.resolve(stem + "-" + fingerprint(absolute) + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    Path partial = write(absolute, packDir);
    try {
      Files.createLink(jar, partial); // never replaces: a jar another process packed meanwhile stays as it is
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return jar;
    } finally {
      Files.deleteIfExists(partial);
    }
    try (Stream<Path> others = Files.list(packDir)) {
      String prefix = stem + "-";
      for (Path other : others.filter(p -> !p.equals(jar)).toList()) {
        String name = other.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(".jar")
            && name.substring(prefix.length(), name.length() - 4).matches("[0-9a-f]{16}")) {
          Files.deleteIfExists(other); // a JVM that has it open reads on; only new launches see the new jar
        }
      }
    }
    return jar;
  }

  /** 16 hex digits of SHA-256 over every file's relative path, size and modification time under {@code dir}. */
  static String fingerprint(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    return FileStamps.fingerprint("", files, file -> dir.relativize(file).toString(), 16);
  }

  /**
   * Writes every file under {@code dir} into {@code jar}, replacing it atomically, so a process
   * reading the old jar never sees a half-written one.
   */
  public static Path pack(Path dir, Path jar) throws IOException {
    Path partial = write(dir, jar.toAbsolutePath().getParent());
    return Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes every file under {@code dir} into a new hidden jar in {@code folder}; returns it. */
  private static Path write(Path dir, Path folder) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("Cannot pack " + dir + " into a jar: it is not a directory");
    }
    Files.createDirectories(folder);
    Path partial = Files.createTempFile(folder, ".packing-", ".jar");
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
    return partial;
  }
}
