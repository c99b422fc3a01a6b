package org.radlab.core.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Jars whose manifest has a {@code Class-Path} attribute drag more jars onto any class path they
 * are on. Debian's PixelMed jar names {@code /usr/share/java/slf4j-api.jar} (SLF4J 1.7),
 * {@code slf4j-jdk14.jar}, {@code commons-codec.jar} and others that way: placed before Spark's
 * own SLF4J 2, they make the driver die with a StackOverflowError between SLF4J's JUL bridge and
 * its JDK14 binding. So such jars go last on a class path we build, and {@code SPARK_HOME/jars}
 * gets a copy without the attribute, since a {@code jars/*} wildcard has no reliable order.
 */
public final class ManifestClassPath {

  private ManifestClassPath() {}

  /** True if {@code jar} is a jar whose manifest names other jars in {@code Class-Path}. */
  public static boolean declares(Path jar) {
    if (!Files.isRegularFile(jar)) {
      return false;
    }
    try (JarFile file = new JarFile(jar.toFile(), false)) {
      Manifest manifest = file.getManifest();
      if (manifest == null) {
        return false;
      }
      String value = manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      return value != null && !value.isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  /** Copies {@code jar} to {@code target} with the same entries and no {@code Class-Path}. */
  public static Path copyWithout(Path jar, Path target) throws IOException {
    Path partial = Files.createTempFile(target.toAbsolutePath().getParent(), ".stripping-", ".jar");
    try (JarFile in = new JarFile(jar.toFile(), false);
        OutputStream file = Files.newOutputStream(partial)) {
      Manifest original = in.getManifest();
      Manifest manifest = original == null ? new Manifest() : new Manifest(original);
      manifest.getMainAttributes().remove(Attributes.Name.CLASS_PATH);
      manifest.getMainAttributes().putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
      try (JarOutputStream out = new JarOutputStream(file, manifest)) {
        var entries = in.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          if (entry.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
            continue;
          }
          out.putNextEntry(new JarEntry(entry.getName()));
          try (InputStream data = in.getInputStream(entry)) {
            data.transferTo(out);
          }
          out.closeEntry();
        }
      }
    } catch (IOException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    return Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
