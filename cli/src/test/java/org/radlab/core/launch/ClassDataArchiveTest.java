package org.radlab.core.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.spark.ClassDataWarmup;

/**
 * The job JVMs' class-data archive: made once per class path by the warm-up job, then mapped by later Spark drivers,
 * which the JVM's own class-loading log shows (classes whose source is the top-layer archive); a changed class path
 * or an unarchivable one gets none, and {@code off} turns it off. The first test uses the archives' folder the build
 * gives this module's tests ({@code RADLAB_CLASS_DATA}), so the warm-up it waits for is the one the module's servers
 * use as well (here, in the cli module, the test class path holds all of RadLab).
 */
class ClassDataArchiveTest {
  @TempDir Path tmp;

  @Test
  void aDriverMapsTheArchiveTheWarmupMadeForItsClassPath() throws Exception {
    ClassDataArchive archive = ClassDataArchive.of(tmp.resolve("cache")).orElseThrow();
    List<Path> classpath = archive.packed(SparkClasspath.ofRunningJvm());
    assertTrue(classpath.stream().allMatch(Files::isRegularFile), "class directories are packed: " + classpath);
    assertEquals(classpath, archive.packed(SparkClasspath.ofRunningJvm()), "an unchanged class directory is not repacked");
    Path file = archive.file(classpath).orElseThrow();

    if (!Files.exists(file)) {
      assertEquals(List.of(), archive.options(classpath), "no archive yet: a driver runs without one");
    }
    awaitArchive(archive, file);
    List<String> options = archive.options(classpath);
    assertTrue(options.contains("-XX:SharedArchiveFile=" + file), options.toString());

    long fromArchive = topLayerClasses(classpath, options);
    assertTrue(fromArchive > 5000, "classes from the archive: " + fromArchive);
  }

  @Test
  void aChangedOrUnpackedClassPathHasNoArchive() throws Exception {
    ClassDataArchive archive = ClassDataArchive.of(tmp.resolve("cache"), Map.of()).orElseThrow();
    Path jar = Files.writeString(tmp.resolve("a.jar"), "not really a jar");
    Path dir = Files.createDirectories(tmp.resolve("classes"));
    Optional<String> key = archive.key(List.of(jar));
    assertTrue(key.isPresent());
    assertEquals(key, archive.key(List.of(jar)));
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
    assertNotEquals(key, archive.key(List.of(jar)), "a jar with another time is another class path for the JDK");
    assertEquals(Optional.empty(), archive.key(List.of(jar, dir)), "the JDK archives no class directory");
    assertEquals(Optional.empty(), archive.key(List.of(jar, tmp.resolve("missing.jar"))));
    assertEquals(List.of(), archive.options(List.of(jar, dir)));
    assertFalse(Files.exists(archive.dir()), "nothing was started for a class path that cannot have an archive");

    assertEquals(Optional.empty(), ClassDataArchive.of(tmp, Map.of(ClassDataArchive.VARIABLE, "off")));
    assertEquals(tmp.resolve("shared").toAbsolutePath(),
        ClassDataArchive.of(tmp, Map.of(ClassDataArchive.VARIABLE, tmp.resolve("shared").toString())).orElseThrow().dir());
  }

  @Test
  void aClassDirectoryIsPackedAgainOnlyWhenItChanged() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mod/target/classes/org/x"));
    Files.writeString(dir.resolve("A.class"), "a");
    Path classes = tmp.resolve("mod/target/classes");
    Path first = DirectoryJar.packed(classes, tmp.resolve("jars"));
    FileTime time = Files.getLastModifiedTime(first);
    Thread.sleep(20);
    assertEquals(first, DirectoryJar.packed(classes, tmp.resolve("jars")));
    assertEquals(time, Files.getLastModifiedTime(first), "the same jar, untouched");
    Files.writeString(dir.resolve("B.class"), "b");
    Path second = DirectoryJar.packed(classes, tmp.resolve("jars"));
    assertNotEquals(first, second);
    assertFalse(Files.exists(first), "the stale jar of the same directory is gone");
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(second.toFile())) {
      assertTrue(jar.getJarEntry("org/x/B.class") != null);
    }
  }

  private static void awaitArchive(ClassDataArchive archive, Path file) throws Exception {
    String key = file.getFileName().toString().replace(".jsa", "");
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos(); // patience on a busy machine, not a limit
    while (!Files.isRegularFile(file) || Files.exists(archive.dir().resolve(key + ".making"))) {
      Path failed = archive.dir().resolve(key + ".failed");
      if (Files.exists(failed) || System.nanoTime() > deadline) {
        fail("no archive; the warm-up's log:\n" + Files.readString(archive.dir().resolve(key + ".log")));
      }
      Thread.sleep(500);
    }
    assertFalse(Files.exists(archive.dir().resolve(key + ".making")));
    assertFalse(Files.exists(archive.dir().resolve(key + ".jsa.partial")));
  }

  /** Runs the warm-up job once more as a driver with {@code options}; counts classes loaded from the archive. */
  private long topLayerClasses(List<Path> classpath, List<String> options) throws IOException, InterruptedException {
    Path scratch = Files.createTempDirectory(tmp, "run-");
    SubmitRequest request = SubmitRequest.of("local[1]", ClassDataWarmup.class.getName(),
        SparkClasspath.entryContaining(ClassDataWarmup.class.getName(), classpath).orElseThrow())
        .withAppArgs(List.of(scratch.toString()));
    List<String> jvm = new ArrayList<>(options);
    jvm.add("-Xlog:class+load=info:file=" + scratch.resolve("classes.log"));
    ProcessBuilder builder = new ProcessBuilder(SparkSubmitProcess.command(request, classpath, jvm))
        .redirectErrorStream(true).redirectOutput(scratch.resolve("out.log").toFile());
    SparkSubmitProcess.environment(request, builder.environment());
    Process p = builder.start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), Files.readString(scratch.resolve("out.log")));
    try (var lines = Files.lines(scratch.resolve("classes.log"), StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains("source: shared objects file (top)")).count();
    }
  }
}
