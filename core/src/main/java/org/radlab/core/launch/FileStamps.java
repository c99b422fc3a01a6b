package org.radlab.core.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * A fingerprint of files by name, size and modification time (not their bytes): what the JDK checks of a class path's
 * jars before it maps a class-data archive, and what tells a packed class folder's jar apart from a stale one.
 */
final class FileStamps {
  private FileStamps() {}

  /**
   * The first {@code hexDigits} hex digits of SHA-256 over {@code header}, then a line per file: its {@code name},
   * size and modification time in milliseconds.
   */
  static String fingerprint(String header, List<Path> files, Function<Path, String> name, int hexDigits)
      throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    sha.update(header.getBytes(StandardCharsets.UTF_8));
    for (Path file : files) {
      String line = name.apply(file) + "\t" + Files.size(file) + "\t" + Files.getLastModifiedTime(file).toMillis() + "\n";
      sha.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest()).substring(0, hexDigits);
  }
}
