package org.radlab.prep;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.radlab.core.dataset.DatasetLayout;

/**
 * One conversion task's share of a prep run: its rows of the five tables ({@code images}, {@code tensors},
 * {@code rejects}, and the private {@code id-map} and {@code sources}), each written as {@code part-NNNNN.parquet}
 * under the table's {@code run=N} folder, where NNNNN is the task's partition. Nothing but the task's files comes
 * back to the driver, with the task's {@link RunTotals}.
 *
 * <p>Rows keep the input order (files sorted by path, frames in order), so a table's content depends only on the
 * input. Partition 0 writes every table even when it has no rows for it, so each table exists with its schema.
 */
final class RunWriter implements Closeable {
  private final List<TableFile> files = new ArrayList<>();
  private final TableFile images;
  private final TableFile tensors;
  private final TableFile rejects;
  private final TableFile idMap;
  private final TableFile sources;
  private final int tensorSide;
  private final boolean writeEmpty;
  private final RunTotals totals = new RunTotals();
  private final List<String> catalog = new ArrayList<>();

  RunWriter(DatasetLayout layout, int run, int partition, String attempt, int tensorSide, Configuration hadoop)
      throws IOException {
    String name = String.format(Locale.ROOT, "part-%05d.parquet", partition);
    images = open(StagingRow.IMAGES_SCHEMA, layout.images(), run, name, attempt, hadoop);
    tensors = open(StagingRow.TENSORS_SCHEMA, layout.tensors(), run, name, attempt, hadoop);
    rejects = open(StagingRow.REJECTS_SCHEMA, layout.rejects(), run, name, attempt, hadoop);
    idMap = open(StagingRow.ID_MAP_SCHEMA, layout.idMap(), run, name, attempt, hadoop);
    sources = open(StagingRow.SOURCES_SCHEMA, layout.sources(), run, name, attempt, hadoop);
    this.tensorSide = tensorSide;
    this.writeEmpty = partition == 0;
  }

  /** Adds one file's rows: a single reject row, or one converted row per frame. */
  void add(SourceFile source, List<Row> rows) throws IOException {
    String status = rows.size() == 1 ? rows.get(0).getString(3) : StagingRow.CONVERTED;
    sources.add(source.path(), source.length(), source.modificationTime(), status);
    int ts = StagingRow.SCHEMA.fieldIndex("transfer_syntax");
    if (StagingRow.CONVERTED.equals(status)) {
      totals.convertedFile(rows.get(0).getString(ts), rows.size());
    }
    for (Row r : rows) {
      if (StagingRow.REJECTED.equals(r.getString(3))) {
        rejects.add(StagingRow.values(r, StagingRow.REJECT_COLUMNS));
        totals.rejectedFile(r.getString(StagingRow.SCHEMA.fieldIndex("reason")), r.getString(ts));
        continue;
      }
      totals.image(r.getDouble(StagingRow.SCHEMA.fieldIndex("tensor_mean")),
          r.getDouble(StagingRow.SCHEMA.fieldIndex("tensor_std")));
      String imageId = r.getString(StagingRow.SCHEMA.fieldIndex("image_id"));
      images.add(StagingRow.values(r, StagingRow.IMAGE_COLUMNS));
      tensors.add(imageId, tensorSide, "float32", r.get(StagingRow.SCHEMA.fieldIndex("tensor")));
      idMap.add(StagingRow.values(r, StagingRow.ID_MAP_COLUMNS));
      catalog.add(ImageCatalog.line(r));
    }
  }

  /** This task's lines of {@code images.csv}, one per converted image (see {@link ImageCatalog}). */
  List<String> catalog() {
    return catalog;
  }

  /** Commits every table file that has rows (all of them in partition 0); returns this task's totals. */
  RunTotals commit() throws IOException {
    for (TableFile f : files) {
      if (f.rows() > 0 || writeEmpty) {
        f.commit();
      }
    }
    return totals;
  }

  /** Drops the uncommitted files (a failed task). */
  @Override
  public void close() throws IOException {
    IOException first = null;
    for (TableFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private TableFile open(StructType schema, String table, int run, String name, String attempt,
      Configuration hadoop) throws IOException {
    TableFile f = new TableFile(schema, new Path(DatasetLayout.runDir(table, run), name), attempt, hadoop);
    files.add(f);
    return f;
  }
}
