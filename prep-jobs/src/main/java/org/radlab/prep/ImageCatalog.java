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
 * Writes the dataset's {@code images.csv} ({@link ImageList}, which owns its columns and reads it). Rewritten whole
 * after each prep run, through a temporary file, so a reader never sees half of it.
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
   * Writes the catalog of every completed run; with no images yet, a header-only file. The lines come from the
   * runs' catalog parts ({@link RunLog#catalogLines}); a dataset prepared before those parts existed is read from
   * its {@code images} table instead, with Spark.
   */
  static long write(SparkSession spark, DatasetLayout layout, RunLog runs) throws IOException {
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
    // by study, then image id; both are plain ASCII ids
    int study = ImageList.COLUMNS.indexOf("study_uid");
    List<String[]> keyed = new ArrayList<>(lines.size());
    for (String line : lines) {
      List<String> f = Csv.fields(line);
      // a run written before a column was added lacks it at the end: it stays empty (ImageList reads null)
      String padded = line + ",".repeat(Math.max(0, ImageList.COLUMNS.size() - f.size()));
      keyed.add(new String[] {f.get(study), f.get(0), padded});
    }
    keyed.sort(Comparator.comparing((String[] k) -> k[0]).thenComparing(k -> k[1]));

    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = new Path(layout.root() + "/" + ImageList.FILE);
    Path partial = new Path(layout.root() + "/." + ImageList.FILE + ".tmp");
    FileSystem fs = target.getFileSystem(hadoop);
    StringBuilder text = new StringBuilder(64 + keyed.size() * 200);
    text.append(String.join(",", ImageList.COLUMNS)).append('\n');
    for (String[] k : keyed) {
      text.append(k[2]).append('\n');
    }
    try (OutputStream out = fs.create(partial, true)) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    fs.delete(target, false);
    if (!fs.rename(partial, target)) {
      throw new IOException("cannot move " + partial + " to " + target);
    }
    return keyed.size();
  }
}
