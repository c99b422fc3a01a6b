package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Checks a published model package independently of the code that made it. */
final class ModelPackageCheck {
  private ModelPackageCheck() {}

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    return entries;
  }

  /** Every line of SHA256SUMS matches its file, and every other file is listed. */
  static void verifySums(Map<String, byte[]> entries, String prefix) throws Exception {
    String sums = new String(entries.get(prefix + "SHA256SUMS"), StandardCharsets.UTF_8);
    int listed = 0;
    for (String line : sums.split("\n")) {
      String[] parts = line.split("  ", 2);
      byte[] file = entries.get(prefix + parts[1]);
      assertTrue(file != null, "listed file is in the package: " + parts[1]);
      assertEquals(sha256(file), parts[0], parts[1]);
      listed++;
    }
    assertEquals(entries.size() - 1, listed, "every file but SHA256SUMS is listed");
  }
}
