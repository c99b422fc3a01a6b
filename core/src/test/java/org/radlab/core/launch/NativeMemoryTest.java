package org.radlab.core.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The allocator settings reach the processes RadLab starts, and a user's own value wins. */
class NativeMemoryTest {
  private static final SubmitRequest LOCAL = SubmitRequest.of("local[2]", "org.example.Job", Path.of("app.jar"));

  @Test
  void aDriverProcessGetsTheSettingsAndTheLoopbackAddress() throws Exception {
    ProcessBuilder child = shell("printf '%s|%s|%s' \"$GLIBC_TUNABLES\" \"$SPARK_LOCAL_IP\" \"$ONEDNN_MAX_CPU_ISA\"");
    child.environment().remove("GLIBC_TUNABLES");
    child.environment().remove("SPARK_LOCAL_IP");
    child.environment().remove("ONEDNN_MAX_CPU_ISA");
    SparkSubmitProcess.environment(LOCAL, child.environment());
    assertEquals("glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296|127.0.0.1|AVX2",
        output(child));
  }

  @Test
  void aValueTheUserSetIsKept() throws Exception {
    ProcessBuilder child = shell("printf '%s' \"$GLIBC_TUNABLES\"");
    child.environment().put("GLIBC_TUNABLES", "glibc.malloc.arena_max=2");
    SparkSubmitProcess.environment(LOCAL, child.environment());
    assertEquals("glibc.malloc.arena_max=2", output(child));
  }

  @Test
  void executorsGetTheDriversValueOrOursUnlessTheSubmitterChoseOne() {
    String key = "spark.executorEnv.GLIBC_TUNABLES";
    String before = System.getProperty(key);
    try {
      System.clearProperty(key);
      NativeMemory.executorDefault();
      String own = System.getenv("GLIBC_TUNABLES");
      assertEquals(own == null || own.isBlank() ? NativeMemory.TUNABLES : own, System.getProperty(key));
      System.setProperty(key, "glibc.malloc.arena_max=4");
      NativeMemory.executorDefault();
      assertEquals("glibc.malloc.arena_max=4", System.getProperty(key));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  private static ProcessBuilder shell(String script) {
    return new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
  }

  private static String output(ProcessBuilder builder) throws IOException, InterruptedException {
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
