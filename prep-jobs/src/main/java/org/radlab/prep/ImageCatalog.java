package org.radlab.prep;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.Csv;

/**
 * {@code images.csv}: the dataset's de-identified image list as plain CSV, for tools that do not read Parquet (the
 * control API's browse and annotate pages, spreadsheets, shell scripts). One row per image, sorted by study, then
 * image id; the columns are {@link #COLUMNS}. Rewritten whole after each prep run, through a temporary file, so a
 * reader never sees half of it.
 */
final class ImageCatalog {
  static final String FILE = "images.csv";
  static final List<String> COLUMNS = List.of("image_id", "patient_id", "study_uid", "series_uid", "frame",
      "modality", "body_part", "view_position", "laterality", "study_date", "manufacturer", "rows", "columns",
      "png_path", "png_width", "png_height");

  private ImageCatalog() {}

  /** Writes the catalog of every completed run; with no images yet, a header-only file. */
  static long write(SparkSession spark, DatasetLayout layout, boolean hasImages) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<Row> rows = hasImages
        ? spark.read().parquet(layout.images())
            .selectExpr(COLUMNS.toArray(String[]::new))
            .orderBy("study_uid", "image_id").collectAsList()
        : List.of();
    Path target = new Path(layout.root() + "/" + FILE);
    Path partial = new Path(layout.root() + "/." + FILE + ".tmp");
    FileSystem fs = target.getFileSystem(hadoop);
    StringBuilder text = new StringBuilder(64 + rows.size() * 200);
    text.append(String.join(",", COLUMNS)).append('\n');
    for (Row r : rows) {
      for (int i = 0; i < COLUMNS.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        Object v = r.get(i);
        text.append(v == null ? "" : Csv.quote(v.toString()));
      }
      text.append('\n');
    }
    try (OutputStream out = fs.create(partial, true)) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    fs.delete(target, false);
    if (!fs.rename(partial, target)) {
      throw new IOException("cannot move " + partial + " to " + target);
    }
    return rows.size();
  }
}
