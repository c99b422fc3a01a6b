package org.radlab.core.launch;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The class path that Spark child processes (master, workers, executors, SparkSubmit) get: the one
 * of the running JVM.
 *
 * <p>Three ways of running matter:
 * <ul>
 *   <li>{@code bin/radlab}: {@code cli/target/lib/*} holds every dependency jar. The jar holding
 *       Spark's {@code SparkContext} sits there; all its sibling jars are taken, plus whatever else the JVM
 *       was given (the CLI's own jar or classes).
 *   <li>Maven Surefire: {@code java.class.path} is one manifest-only "surefirebooter" jar; the
 *       real test class path is in the system property {@code surefire.test.class.path}.
 *   <li>Anything else: {@code java.class.path}, with {@code dir/*} wildcards expanded.
 * </ul>
 */
public final class SparkClasspath {

  /** The class whose jar anchors the dependency directory. */
  public static final String ANCHOR_CLASS = "org.apache.spark.SparkContext";

  private static final String SUREFIRE_PROPERTY = "surefire.test.class.path";

  private SparkClasspath() {}

  /**
   * The class path entries of the running JVM, absolute and without duplicates, in order, except
   * that jars with a manifest {@code Class-Path} go last (see {@link ManifestClassPath}).
   */
  public static List<Path> ofRunningJvm() {
    List<Path> entries = declaredEntries();
    List<Path> ordered = new ArrayList<>();
    List<Path> dragging = new ArrayList<>();
    for (Path entry : entries) {
      (ManifestClassPath.declares(entry) ? dragging : ordered).add(entry);
    }
    ordered.addAll(dragging);
    return List.copyOf(ordered);
  }

  private static List<Path> declaredEntries() {
    String declared = System.getProperty(SUREFIRE_PROPERTY);
    if (declared == null || declared.isBlank()) {
      declared = System.getProperty("java.class.path", "");
    }
    List<Path> entries = parse(declared);
    Optional<Path> libDir = anchorJar().map(Path::getParent).filter(SparkClasspath::isLibDirectory);
    if (libDir.isEmpty()) {
      return entries;
    }
    Set<Path> result = new LinkedHashSet<>();
    for (Path entry : entries) {
      if (!libDir.get().equals(entry.getParent())) {
        result.add(entry);
      }
    }
    result.addAll(jarsIn(libDir.get()));
    return List.copyOf(result);
  }

  /** Splits a path string such as {@code a.jar:classes:lib/*}; {@code dir/*} becomes its jars. */
  public static List<Path> parse(String pathString) {
    Set<Path> result = new LinkedHashSet<>();
    for (String item : pathString.split(File.pathSeparator)) {
      if (item.isBlank()) {
        continue;
      }
      if (item.endsWith("/*") || item.equals("*")) {
        Path dir = Path.of(item.substring(0, item.length() - 1)).toAbsolutePath().normalize();
        result.addAll(jarsIn(dir));
      } else {
        result.add(Path.of(item).toAbsolutePath().normalize());
      }
    }
    return List.copyOf(result);
  }

  /**
   * The same entries in the same order, with each class directory replaced by its jar in {@code packDir} ({@link
   * DirectoryJar#packed}, packed again only when it changed) and missing entries left out: a class path of files
   * only, which a child JVM can map a class-data archive for ({@link ClassDataArchive}).
   */
  public static List<Path> asJars(List<Path> entries, Path packDir) throws IOException {
    List<Path> jars = new ArrayList<>();
    for (Path entry : entries) {
      if (Files.isDirectory(entry)) {
        jars.add(DirectoryJar.packed(entry, packDir));
      } else if (Files.isRegularFile(entry)) {
        jars.add(entry);
      }
    }
    return List.copyOf(jars);
  }

  /** Joins entries with the platform's path separator, for {@code java -cp}. */
  public static String join(List<Path> entries) {
    return String.join(File.pathSeparator, entries.stream().map(Path::toString).toList());
  }

  /** The first entry (jar or directory) that holds the class file of {@code className}. */
  public static Optional<Path> entryContaining(String className, List<Path> entries) {
    String resource = className.replace('.', '/') + ".class";
    for (Path entry : entries) {
      if (Files.isDirectory(entry) && Files.isRegularFile(entry.resolve(resource))) {
        return Optional.of(entry);
      }
      if (Files.isRegularFile(entry) && jarHolds(entry, resource)) {
        return Optional.of(entry);
      }
    }
    return Optional.empty();
  }

  /**
   * The jar that Spark's {@code SparkContext} class file is found in, if it is in a jar file. Looked
   * up as a resource, so this class needs no Spark on its own class path.
   */
  public static Optional<Path> anchorJar() {
    URL resource = SparkClasspath.class.getClassLoader()
        .getResource(ANCHOR_CLASS.replace('.', '/') + ".class");
    if (resource == null || !"jar".equals(resource.getProtocol())) {
      return Optional.empty();
    }
    String spec = resource.getPath();
    int bang = spec.indexOf("!/");
    try {
      Path location = Path.of(new URI(bang < 0 ? spec : spec.substring(0, bang)))
          .toAbsolutePath().normalize();
      return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A flat directory of dependency jars, as {@code cli/target/lib}: it also holds RadLab's. */
  private static boolean isLibDirectory(Path dir) {
    return jarsIn(dir).stream()
        .anyMatch(jar -> jar.getFileName().toString().startsWith("radlab-core"));
  }

  private static List<Path> jarsIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> jars = new ArrayList<>(files
          .filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
          .map(f -> f.toAbsolutePath().normalize())
          .toList());
      jars.sort(null);
      return jars;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the jars in " + dir, e);
    }
  }

  private static boolean jarHolds(Path jar, String resource) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getJarEntry(resource) != null;
    } catch (IOException e) {
      return false;
    }
  }
}
