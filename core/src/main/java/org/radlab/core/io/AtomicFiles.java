package org.radlab.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files replaced whole: the new content is written next to the target, under a hidden name, and then moved over it
 * in one step, so a reader (another process polling a progress file, a page reading a model card) sees the old file
 * or the new one, never part of either, and a crash while writing leaves the old one.
 */
public final class AtomicFiles {
  /** What goes into the file. */
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Replaces {@code target} with what {@code body} writes; its folder is created if missing. */
  public static void write(Path target, Body body) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path partial = parent.resolve("." + target.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
      body.writeTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Replaces {@code target} with {@code text} in UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }
}
