package org.radlab.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.Csv;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;
import org.radlab.spark.HadoopPaths;

/**
 * Writes the dataset's {@code images.csv} ({@link ImageList}, which owns its columns and reads it), through a
 * temporary file, so a reader never sees half of it.
 *
 * <p>A run merges its own lines, sorted, into the sorted file the earlier runs left, reading only the first fields
 * of the old lines: the driver's work grows with the run, not with the dataset (but for copying the file's bytes).
 * That needs the old file to hold exactly the completed runs before this one, which {@code private/runs/catalog.runs}
 * records after each write; when it does not (a crash between a run's marker and its catalog, a dataset from an
 * older version, a catalog of older columns), the file is rebuilt from every run's catalog part.
 */
final class ImageCatalog {

  /** Where each of {@link ImageList#COLUMNS} sits in a conversion row ({@link StagingRow#SCHEMA}). */
  private static final int[] STAGING_INDEX =
      ImageList.COLUMNS.stream().mapToInt(StagingRow.SCHEMA::fieldIndex).toArray();

  private ImageCatalog() {}

  /** One image's catalog line, from its conversion row ({@link StagingRow#SCHEMA}). */
  static String line(Row staging) {
    return line(staging, STAGING_INDEX);
  }

  /** The catalog line of a row holding {@link ImageList#COLUMNS} at {@code index}. */
  private static String line(Row r, int[] index) {
    StringBuilder text = new StringBuilder(200);
    for (int i = 0; i < index.length; i++) {
      Object v = r.get(index[i]);
      text.append(i > 0 ? "," : "").append(v == null ? "" : Csv.quote(v.toString()));
    }
    return text.toString();
  }

  /**
   * Brings the catalog up to date after {@code run} completed with the lines {@code added}: merged into the file
   * when it holds exactly the runs before (and left as it is when the run added none), otherwise rebuilt (see the
   * class comment).
   */
  static void write(SparkSession spark, DatasetLayout layout, RunLog runs, int run, List<String> added)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = new Path(layout.root() + "/" + ImageList.FILE);
    Path cover = new Path(new Path(layout.privateRoot(), "runs"), "catalog.runs");
    FileSystem fs = target.getFileSystem(hadoop);
    List<Integer> done = runs.completedRuns();
    List<Integer> before = done.stream().filter(r -> r != run).toList();
    boolean current = fs.exists(cover) && fs.exists(target) && before.toString().equals(read(fs, cover));
    if (!current || (!added.isEmpty() && !merge(fs, layout, target, added))) {
      rebuild(spark, layout, runs, fs, target);
    }
    try (OutputStream out = fs.create(cover, true)) {
      out.write(done.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Merges {@code added} into the sorted catalog; false, with nothing changed, when the file's header is not today's
   * (a catalog of older columns is rebuilt, which pads its lines).
   */
  private static boolean merge(FileSystem fs, DatasetLayout layout, Path target, List<String> added)
      throws IOException {
    String header = String.join(",", ImageList.COLUMNS);
    List<String[]> keyed = sorted(added);
    Path partial = partial(layout);
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(target), StandardCharsets.UTF_8),
        1 << 16);
        var out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(fs.create(partial, true),
            StandardCharsets.UTF_8), 1 << 16)) {
      if (!header.equals(in.readLine())) {
        return false;
      }
      out.write(header);
      out.write('\n');
      int next = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        String[] old = key(line);
        while (next < keyed.size() && ORDER.compare(keyed.get(next), old) < 0) {
          out.write(keyed.get(next++)[2]);
          out.write('\n');
        }
        out.write(line);
        out.write('\n');
      }
      for (; next < keyed.size(); next++) {
        out.write(keyed.get(next)[2]);
        out.write('\n');
      }
    }
    publish(fs, partial, target);
    return true;
  }

  /** By study, then image id; both are plain ASCII ids. */
  private static final Comparator<String[]> ORDER =
      Comparator.comparing((String[] k) -> k[0]).thenComparing(k -> k[1]);

  /** A catalog line's {@code [study, image id, line]}; only the fields up to the study are split. */
  private static String[] key(String line) {
    int first = line.indexOf(',');
    int second = first < 0 ? -1 : line.indexOf(',', first + 1);
    int third = second < 0 ? -1 : line.indexOf(',', second + 1);
    String head = third < 0 ? line : line.substring(0, third);
    if (third < 0 || head.indexOf('"') >= 0) {
      List<String> f = Csv.fields(line);          // quoted ids: not written by prep, but read them right anyway
      return new String[] {f.get(STUDY), f.get(0), line};
    }
    return new String[] {line.substring(second + 1, third), line.substring(0, first), line};
  }

  private static final int STUDY = ImageList.COLUMNS.indexOf("study_uid");

  /** Keys and sorts lines, padding a line of an earlier run that lacks later columns (they read as null). */
  private static List<String[]> sorted(List<String> lines) {
    List<String[]> keyed = new ArrayList<>(lines.size());
    for (String line : lines) {
      List<String> f = Csv.fields(line);
      String padded = line + ",".repeat(Math.max(0, ImageList.COLUMNS.size() - f.size()));
      keyed.add(new String[] {f.get(STUDY), f.get(0), padded});
    }
    keyed.sort(ORDER);
    return keyed;
  }

  /** The record's content; null when it cannot be read (then the catalog is rebuilt, which is always right). */
  private static String read(FileSystem fs, Path file) {
    try (var in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  private static Path partial(DatasetLayout layout) {
    return new Path(layout.root() + "/." + ImageList.FILE + ".tmp");
  }

  private static void publish(FileSystem fs, Path partial, Path target) throws IOException {
    fs.delete(target, false);
    if (!fs.rename(partial, target)) {
      throw new IOException("cannot move " + partial + " to " + target);
    }
  }

  /**
   * Writes the catalog of every completed run from scratch; with no images yet, a header-only file. The lines come
   * from the runs' catalog parts ({@link RunLog#catalogLines}); a dataset prepared before those parts existed is
   * read from its {@code images} table instead, with Spark.
   */
  private static void rebuild(SparkSession spark, DatasetLayout layout, RunLog runs, FileSystem fs, Path target)
      throws IOException {
    List<String> lines = runs.catalogLines();
    if (lines == null) {
      lines = new ArrayList<>();
      if (HadoopPaths.exists(spark, layout.images())) {
        int[] inOrder = java.util.stream.IntStream.range(0, ImageList.COLUMNS.size()).toArray();
        Dataset<Row> images = spark.read().option("mergeSchema", "true").parquet(layout.images());
        List<String> present = java.util.Arrays.asList(images.columns());
        String[] select = ImageList.COLUMNS.stream()
            .map(c -> present.contains(c) ? c : "CAST(NULL AS STRING) AS " + c).toArray(String[]::new);
        for (Row r : images.selectExpr(select).collectAsList()) {
          lines.add(line(r, inOrder));
        }
      }
    }
    List<String[]> keyed = sorted(lines);
    Path partial = partial(layout);
    StringBuilder text = new StringBuilder(64 + keyed.size() * 200);
    text.append(String.join(",", ImageList.COLUMNS)).append('\n');
    for (String[] k : keyed) {
      text.append(k[2]).append('\n');
    }
    try (OutputStream out = fs.create(partial, true)) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    publish(fs, partial, target);
  }
}
