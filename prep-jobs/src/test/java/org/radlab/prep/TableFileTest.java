package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.DatasetLayout;

/** The driver's reader of a table's runs gives what Spark's own Parquet reader gives, for files either wrote. */
class TableFileTest {
  @TempDir Path tmp;

  @Test
  void readsWhatSparkReadsFromTaskAndSparkWrittenRuns() throws Exception {
    SparkSession spark = TestTools.spark();
    String table = tmp.resolve("sources.parquet").toString();
    Configuration conf = new Configuration();
    // run 1: two part files written as prep's tasks write them (required columns), one left uncommitted
    for (int part = 0; part < 2; part++) {
      try (TableFile f = new TableFile(StagingRow.SOURCES_SCHEMA,
          new org.apache.hadoop.fs.Path(DatasetLayout.runDir(table, 1), "part-0000" + part + ".parquet"), "a" + part,
          conf)) {
        for (int i = 0; i < 3; i++) {
          f.add("file:/in/p" + part + "/f" + i + " ü,\"q\".dcm", 1000L * part + i, 1_700_000_000_000L + i,
              i == 2 ? "rejected" : "converted");
        }
        f.commit();
      }
    }
    try (TableFile open = new TableFile(StagingRow.SOURCES_SCHEMA,
        new org.apache.hadoop.fs.Path(DatasetLayout.runDir(table, 1), "part-00002.parquet"), "killed", conf)) {
      open.add("file:/in/never-committed.dcm", 1L, 1L, "converted");
    }
    // run 2: written by Spark itself (every column optional), one row with a null status
    List<Row> rows = List.of(RowFactory.create("file:/in/run2/a.dcm", 7L, 8L, "converted"),
        RowFactory.create("file:/in/run2/b.dcm", 9L, 10L, null));
    var nullable = new org.apache.spark.sql.types.StructType().add("source_path", "string")
        .add("source_length", "long").add("source_mtime", "long").add("status", "string");
    spark.createDataFrame(rows, nullable).coalesce(1).write()
        .parquet(DatasetLayout.runDir(table, 2));
    // run 3 did not complete: it is not asked for, so not read
    spark.createDataFrame(List.of(RowFactory.create("file:/in/run3.dcm", 1L, 1L, "converted")),
        StagingRow.SOURCES_SCHEMA).write().parquet(DatasetLayout.runDir(table, 3));

    List<String> ours = new ArrayList<>();
    long n = TableFile.read(conf, table, List.of(1, 2), List.of("status", "source_path", "source_length", "absent"),
        v -> ours.add(v[1] + "|" + v[2] + "|" + v[0] + "|" + v[3]));
    assertEquals(8, n);
    List<String> sparks = new ArrayList<>();
    for (Row r : spark.read().parquet(DatasetLayout.runDir(table, 1), DatasetLayout.runDir(table, 2))
        .select("source_path", "source_length", "status").collectAsList()) {
      sparks.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getString(2) + "|null");
    }
    assertEquals(sparks.stream().sorted().toList(), ours.stream().sorted().toList());
    assertTrue(ours.contains("file:/in/p1/f0 ü,\"q\".dcm|1000|converted|null"), ours.toString());
    assertTrue(ours.contains("file:/in/run2/b.dcm|9|null|null"), ours.toString());
    assertFalse(Files.exists(tmp.resolve("sources.parquet/run=1/part-00002.parquet")));

    // only the rows of the paths asked after; one asked after is in no run
    List<String> some = new ArrayList<>();
    TableFile.read(conf, table, List.of(1, 2), List.of("source_path", "source_mtime"), "source_path",
        java.util.Set.of("file:/in/p1/f2 ü,\"q\".dcm", "file:/in/run2/a.dcm", "file:/in/zzz.dcm"),
        v -> some.add(v[0] + "|" + v[1]));
    assertEquals(List.of("file:/in/p1/f2 ü,\"q\".dcm|1700000000002", "file:/in/run2/a.dcm|8"), some);
    assertEquals(0, TableFile.read(conf, table, List.of(1, 2), List.of("source_path"), "source_path",
        java.util.Set.of(), v -> fail("nothing asked after")));

    var broken = tmp.resolve("broken.parquet/run=1");
    Files.createDirectories(broken);
    Files.writeString(broken.resolve("part-00000.parquet"), "not parquet");
    var e = assertThrows(java.io.IOException.class, () -> TableFile.read(conf, tmp.resolve("broken.parquet")
        .toString(), List.of(1), List.of("source_path"), v -> {}));
    assertTrue(e.getMessage().contains("part-00000.parquet"), e.getMessage());
  }
}
