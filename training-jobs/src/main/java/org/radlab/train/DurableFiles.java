package org.radlab.train;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files that are either whole or absent, even when the process is killed or the machine loses power mid-write: the
 * content goes to a temporary sibling ({@code NAME.tmp}), is forced to the disk, and is then renamed over the target
 * in one atomic step, after which the folder's entry is forced too. A reader sees the old file or the new one.
 */
final class DurableFiles {
  /** Suffix of the temporary files; a leftover one is debris of an interrupted write. */
  static final String TMP = ".tmp";

  /** What writes a file's content. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private DurableFiles() {}

  /** Writes {@code file} through {@code body}, durably and atomically. */
  static void write(Path file, Body body) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + TMP);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
      body.writeTo(out);
      out.flush();
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    syncFolder(file.toAbsolutePath().getParent());
  }

  /** Copies {@code from} to {@code to}, durably and atomically. */
  static void copy(Path from, Path to) throws IOException {
    write(to, out -> Files.copy(from, out));
  }

  /** Forces a folder's entries (a rename in it) to the disk; a file system that cannot is left as it is. */
  static void syncFolder(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // some file systems refuse to open or force a directory; the rename itself is still atomic there
    }
  }
}
