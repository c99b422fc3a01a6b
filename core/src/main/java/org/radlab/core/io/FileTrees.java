package org.radlab.core.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deleting folder trees on the local file system, never following symbolic links out of them. */
public final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code root} and everything below it; nothing happens if it does not exist. */
  public static void delete(Path root) throws IOException {
    if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      walkDeleting(root, true);
    }
  }

  /** Deletes everything inside {@code dir} and keeps {@code dir} itself. */
  public static void deleteContents(Path dir) throws IOException {
    walkDeleting(dir, false);
  }

  private static void walkDeleting(Path root, boolean includingRoot) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        if (includingRoot || !d.equals(root)) {
          Files.delete(d);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
