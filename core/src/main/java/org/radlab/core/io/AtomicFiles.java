package org.radlab.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files replaced whole: the new content is written next to the target, under a hidden name, and then moved over it
 * in one step, so a reader (another process polling a progress file, a page reading a model card) sees the old file
 * or the new one, never part of either, and a crash while writing leaves the old one. {@link #writeDurably} also
 * forces the file and then its folder's entry to the disk, so that holds when the machine loses power too
 * (checkpoints, the weights a training run keeps).
 */
public final class AtomicFiles {
  /** What goes into the file. */
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Replaces {@code target} with what {@code body} writes; its folder is created if missing. */
  public static void write(Path target, Body body) throws IOException {
    replace(target, body, false);
  }

  /** As {@link #write}, and on the disk when it returns: the new file before the move, the folder after it. */
  public static void writeDurably(Path target, Body body) throws IOException {
    replace(target, body, true);
  }

  /** Copies {@code from} to {@code to}, durably and atomically. */
  public static void copyDurably(Path from, Path to) throws IOException {
    writeDurably(to, out -> Files.copy(from, out));
  }

  /** Replaces {@code target} with {@code text} in UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static void replace(Path target, Body body, boolean durable) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path partial = parent.resolve("." + target.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      body.writeTo(out);
      out.flush();
      if (durable) {
        channel.force(true);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    if (durable) {
      syncFolder(parent);
    }
  }

  /** Forces a folder's entries (a rename in it) to the disk; a file system that cannot is left as it is. */
  private static void syncFolder(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // some file systems refuse to open or force a directory; the rename itself is still atomic there
    }
  }
}
