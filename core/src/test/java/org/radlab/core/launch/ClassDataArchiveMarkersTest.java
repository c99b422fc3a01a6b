package org.radlab.core.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the archive's marker files do when a warm-up cannot work: here a class path that names the warm-up class but
 * has no Spark, so its driver cannot even start. (spark-support's ClassDataArchiveTest makes and maps a real one.)
 */
class ClassDataArchiveMarkersTest {
  @TempDir Path tmp;

  @Test
  void aWarmupKilledEarlierIsTakenOverAndAFailedOneIsNotRetried() throws Exception {
    Path jar = tmp.resolve("only-the-name.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry(ClassDataArchive.WARMUP_CLASS.replace('.', '/') + ".class"));
      j.write(new byte[] {1, 2, 3});
      j.closeEntry();
    }
    ClassDataArchive archive = ClassDataArchive.of(tmp.resolve("cache"), Map.of()).orElseThrow();
    List<Path> classpath = List.of(jar);
    String key = archive.key(classpath).orElseThrow();
    Path making = archive.dir().resolve(key + ".making");
    Path failed = archive.dir().resolve(key + ".failed");

    // a warm-up killed with its shell left its marker behind: a process id that no longer runs
    Files.createDirectories(archive.dir());
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(making, Long.toString(gone.pid()));

    assertEquals(List.of(), archive.options(classpath));
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // patience, not a limit
    while (!Files.exists(failed)) {
      if (System.nanoTime() > deadline) {
        fail("the dead warm-up's marker was not taken over: " + Files.readString(making));
      }
      Thread.sleep(100);
    }
    while (Files.exists(making) && System.nanoTime() < deadline) {
      Thread.sleep(100); // the shell removes it right after it marks the failure
    }
    assertFalse(Files.exists(making));
    assertFalse(Files.exists(archive.file(classpath).orElseThrow()), "no archive from a failed warm-up");
    assertFalse(Files.exists(archive.dir().resolve(key + ".jsa.partial")));
    String log = Files.readString(archive.dir().resolve(key + ".log"));
    assertTrue(log.contains("SparkSubmit"), "the log says why: " + log);

    assertEquals(List.of(), archive.options(classpath));
    assertFalse(Files.exists(making), "a class path whose warm-up failed is not tried again");
  }
}
