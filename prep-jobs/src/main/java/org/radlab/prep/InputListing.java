package org.radlab.prep;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files prep converts: every regular file under the input folder, recursively, in path order, except hidden
 * ones. As in Hadoop's input formats, a file or folder whose name starts with {@code .} or {@code _} is hidden
 * (synth's {@code .radlab-synth} marker, {@code .git}, Spark's {@code _SUCCESS}, {@code _temporary}): it is skipped
 * and counted, and a hidden folder is not descended into. Only names below the input count, so an input that itself
 * sits under a hidden folder is listed in full; an input that names a single file is taken as it is.
 *
 * <p>A local folder is walked with {@code java.nio} (one {@code stat} per entry, a third of the time Hadoop's local
 * file system takes, which matters when a re-run lists 100,000 files to find a few new ones); the paths are spelled
 * exactly as Hadoop spells them ({@code file:/…}), since earlier runs recorded them so. Symbolic links are followed,
 * as Hadoop follows them; a link loop or an entry that vanishes while listed is left out, and a folder that cannot
 * be read fails the listing, as it does through Hadoop.
 *
 * @param files the files to convert
 * @param skippedHidden hidden files and folders skipped (a folder counts once, whatever it holds)
 */
record InputListing(List<SourceFile> files, long skippedHidden) {

  static InputListing of(Configuration hadoop, String input) throws IOException {
    Path root = new Path(input);
    FileSystem fs = root.getFileSystem(hadoop);
    if (!fs.exists(root)) {
      throw new IOException("input " + input + " does not exist");
    }
    FileStatus status = fs.getFileStatus(root);
    if (status.isFile()) {
      return new InputListing(List.of(source(status)), 0);
    }
    String scheme = status.getPath().toUri().getScheme();
    return "file".equals(scheme) ? local(status.getPath()) : hadoop(fs, status.getPath());
  }

  /** The listing through Hadoop's file system API, for any file system (the local one included, for tests). */
  static InputListing hadoop(FileSystem fs, Path root) throws IOException {
    List<SourceFile> files = new ArrayList<>();
    long hidden = 0;
    List<Path> folders = new ArrayList<>(List.of(root));
    while (!folders.isEmpty()) {
      RemoteIterator<FileStatus> it = fs.listStatusIterator(folders.remove(folders.size() - 1));
      while (it.hasNext()) {
        FileStatus child = it.next();
        if (isHidden(child.getPath().getName())) {
          hidden++;
        } else if (child.isDirectory()) {
          folders.add(child.getPath());
        } else if (child.isFile()) {
          files.add(source(child));
        }
      }
    }
    files.sort(Comparator.comparing(SourceFile::path));
    return new InputListing(List.copyOf(files), hidden);
  }

  /** A local folder ({@code root} as Hadoop qualified it, {@code file:/…}), walked with java.nio. */
  private static InputListing local(Path root) throws IOException {
    String prefix = root.toString();
    java.nio.file.Path start = java.nio.file.Path.of(root.toUri().getPath());
    List<SourceFile> files = new ArrayList<>();
    long[] hidden = {0};
    Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(java.nio.file.Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(start) && isHidden(dir.getFileName().toString())) {
              hidden[0]++;
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes attrs) {
            if (isHidden(file.getFileName().toString())) {
              hidden[0]++;
            } else if (attrs.isRegularFile()) {
              StringBuilder path = new StringBuilder(prefix);
              for (java.nio.file.Path name : start.relativize(file)) {
                path.append('/').append(name);
              }
              files.add(new SourceFile(path.toString(), attrs.size(), attrs.lastModifiedTime().toMillis()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) throws IOException {
            if (!file.equals(start) && (e instanceof java.nio.file.FileSystemLoopException
                || e instanceof java.nio.file.NoSuchFileException)) {
              return FileVisitResult.CONTINUE;     // a link loop, a dangling link, an entry deleted meanwhile
            }
            throw new IOException("cannot list " + file + " (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + ")", e);
          }
        });
    files.sort(Comparator.comparing(SourceFile::path));
    return new InputListing(List.copyOf(files), hidden[0]);
  }

  /** Hadoop's rule for hidden input: the name starts with a dot or an underscore. */
  static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  private static SourceFile source(FileStatus f) {
    return new SourceFile(f.getPath().toString(), f.getLen(), f.getModificationTime());
  }
}
