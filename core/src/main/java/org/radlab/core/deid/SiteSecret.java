package org.radlab.core.deid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The site secret that keys every pseudonym: 32 random bytes, stored as hex in a file readable by its owner only.
 * Keep it with the same care as the original data: whoever holds it can link pseudonyms to known identifiers.
 */
public final class SiteSecret {
  private SiteSecret() {}

  /** Reads the secret at {@code file}, creating a new random one there first if the file does not exist. */
  public static byte[] loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".site-secret", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n");
      try {
        Files.move(tmp, file);
      } catch (FileAlreadyExistsException raced) {
        Files.deleteIfExists(tmp);
      }
    }
    return load(file);
  }

  /** Reads an existing secret; fails with a message naming the file when it is missing or too short. */
  public static byte[] load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("site secret " + file + " does not exist");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).trim();
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException notHex) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
    }
    if (bytes.length < 16) {
      throw new IOException("site secret " + file + " is too short: it needs at least 16 bytes (32 hex digits)");
    }
    return bytes;
  }
}
