package org.radlab.cli.cluster;

import org.radlab.core.launch.ManifestClassPath;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkJvmFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags, class path and SPARK_HOME that every launched Spark JVM gets. */
class SparkEnvironmentTest {

  @TempDir
  Path dir;

  @Test
  void jvmFlagsAreSparksOwnList() {
    assertEquals(List.of(JavaModuleOptions.defaultModuleOptionArray()), SparkJvmFlags.LIST);
  }

  @Test
  void classpathIsTheRealTestClasspathNotSurefiresBooterJar() throws Exception {
    List<Path> classpath = SparkClasspath.ofRunningJvm();

    Path testClasses = Path.of(SparkEnvironmentTest.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    assertTrue(classpath.contains(testClasses), "test classes " + testClasses);
    assertEquals(SparkClasspath.anchorJar().orElseThrow(),
        SparkClasspath.entryContaining(SparkClasspath.ANCHOR_CLASS, classpath).orElseThrow());
    assertTrue(classpath.stream().noneMatch(p -> p.getFileName().toString()
        .startsWith("surefirebooter")), classpath.toString());
    assertEquals(testClasses, SparkClasspath.entryContaining(
        SumOfSquaresApp.class.getName(), classpath).orElseThrow());
  }

  @Test
  void jarsThatDragInOtherJarsComeLast() {
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    int firstDragging = -1;
    for (int i = 0; i < classpath.size(); i++) {
      boolean drags = ManifestClassPath.declares(classpath.get(i));
      if (drags && firstDragging < 0) {
        firstDragging = i;
      }
      if (firstDragging >= 0) {
        assertTrue(drags, classpath.get(i) + " follows " + classpath.get(firstDragging));
      }
    }
  }

  @Test
  void sparkHomeLinksJarsPacksDirectoriesAndStripsManifestClassPaths() throws IOException {
    Path classes = Files.createDirectories(dir.resolve("mod/target/classes/org/example"));
    Files.writeString(classes.resolve("Job.class"), "not really bytecode");
    Path dragging = ManifestJars.withClassPath(dir.resolve("dragging.jar"),
        "/usr/share/java/x.jar");
    List<Path> classpath = Stream.concat(SparkClasspath.ofRunningJvm().stream().limit(5),
        Stream.of(dir.resolve("mod/target/classes"), dragging, dir.resolve("missing.jar")))
        .toList();

    SparkHome home = SparkHome.populate(dir.resolve("spark-home"), classpath);

    for (Path jar : classpath.subList(0, 5)) {
      if (Files.isRegularFile(jar) && !ManifestClassPath.declares(jar)) {
        Path link = home.jarsDir().resolve(jar.getFileName());
        assertTrue(Files.isSymbolicLink(link), link.toString());
        assertEquals(jar, Files.readSymbolicLink(link));
      }
    }
    try (JarFile packed = new JarFile(home.jarsDir().resolve("mod-classes.jar").toFile())) {
      assertNotNull(packed.getJarEntry("org/example/Job.class"));
    }
    Path copy = home.jarsDir().resolve("dragging.jar");
    assertFalse(Files.isSymbolicLink(copy));
    assertFalse(ManifestClassPath.declares(copy));
    try (JarFile stripped = new JarFile(copy.toFile())) {
      assertNotNull(stripped.getJarEntry("data.txt"));
    }
    assertFalse(Files.exists(home.jarsDir().resolve("missing.jar")));
    assertEquals(home.jarsDir() + "/*", home.jarsWildcard());
  }
}
