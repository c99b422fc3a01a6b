package org.radlab.prep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
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
    List<SourceFile> files = new ArrayList<>();
    if (status.isFile()) {
      files.add(source(status));
      return new InputListing(files, 0);
    }
    long hidden = 0;
    List<Path> folders = new ArrayList<>(List.of(status.getPath()));
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

  /** Hadoop's rule for hidden input: the name starts with a dot or an underscore. */
  static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  private static SourceFile source(FileStatus f) {
    return new SourceFile(f.getPath().toString(), f.getLen(), f.getModificationTime());
  }
}
