package org.radlab.prep;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.radlab.core.deid.SiteSecret;

/**
 * DICOM to a de-identified dataset: {@code images.parquet}, {@code tensors}, {@code png/}, optional {@code npy/},
 * {@code rejects.parquet} and {@code summary.json}, plus the private id map.
 *
 * <p>Runs under {@code spark-submit --class org.radlab.prep.PrepJob app.jar config.json} or {@code radlab prep}. A
 * re-run on the same dataset converts only files it has not seen (same path, size and time); an instance already in
 * the dataset is rejected as a duplicate rather than converted twice.
 */
public final class PrepJob {
  private PrepJob() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: PrepJob CONFIG.json   (see docs/prep.md for the fields)");
      System.exit(2);
    }
    PrepJobConfig config = PrepJobConfig.read(Path.of(args[0]));
    SparkSession spark = SparkSession.builder().appName("radlab-prep").getOrCreate();
    try {
      PrepSummary summary = run(spark, config);
      System.out.println(summary.toJson());
    } finally {
      spark.stop();
    }
  }

  /** Runs one prep pass and returns the dataset's summary, which is also written to {@code summary.json}. */
  public static PrepSummary run(SparkSession spark, PrepJobConfig config) throws IOException {
    long started = System.nanoTime();
    DatasetLayout layout = DatasetLayout.of(config);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    byte[] secret = SiteSecret.loadOrCreate(Path.of(config.secretFile()));
    RunLog runs = new RunLog(hadoop, layout);
    int run = runs.startNewRun();

    List<SourceFile> all = listInput(hadoop, config.input());
    Set<String> seen = seenSources(spark, runs, layout);
    List<SourceFile> todo = all.stream().filter(f -> !seen.contains(key(f))).toList();
    PrepProgress progress = new PrepProgress(spark.sparkContext(), todo.size(), config.progressFile());
    progress.log("found %d files under %s; %d already in the dataset, %d to convert (run %d)",
        all.size(), config.input(), all.size() - todo.size(), todo.size(), run);

    if (!todo.isEmpty()) {
      convert(spark, config, secret, todo, layout, progress, run, runs);
    } else {
      runs.markComplete(run);
    }
    progress.finish();
    PrepSummary summary = PrepSummary.compute(spark, layout, all.size(), todo.size(),
        (System.nanoTime() - started) / 1e9);
    summary.write(hadoop, layout.summary());
    return summary;
  }

  private static void convert(SparkSession spark, PrepJobConfig config, byte[] secret, List<SourceFile> todo,
      DatasetLayout layout, PrepProgress progress, int run, RunLog runs) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = config.partitions() > 0 ? config.partitions()
        : Math.max(1, Math.min(todo.size(), Math.max(jsc.defaultParallelism() * 4, todo.size() / 64)));
    FileConverter converter = new FileConverter(config, secret);
    LongAccumulator files = progress.files();
    LongAccumulator images = progress.images();
    LongAccumulator rejected = progress.rejected();
    JavaRDD<Row> rows = jsc.parallelize(todo, partitions).flatMap(source -> {
      List<Row> out = converter.convert(source);
      files.add(1);
      if (out.size() == 1 && StagingRow.REJECTED.equals(out.get(0).getString(3))) {
        rejected.add(1);
      } else {
        images.add(out.size());
      }
      return out.iterator();
    });
    progress.startTicker();
    // One pass over the input: everything lands in a staging table, which the splits below only read.
    spark.createDataFrame(rows, StagingRow.SCHEMA).write().mode(SaveMode.Overwrite).parquet(layout.staging());
    progress.stopTicker();
    progress.log("converted %d files in %.1f s; writing the tables", todo.size(), progress.seconds());

    Dataset<Row> staged = spark.read().parquet(layout.staging());
    Map<String, Row> duplicates = duplicateSources(spark, staged, runs, layout);
    Column duplicate = duplicates.isEmpty() ? lit(false) : col("source_path").isin(duplicates.keySet().toArray());
    Dataset<Row> converted = staged.filter(col("status").equalTo(StagingRow.CONVERTED).and(not(duplicate)));
    // Each partition is sorted, so a table's files depend only on the input, not on task timing.
    write(converted.select(cols(StagingRow.IMAGE_COLUMNS)).sortWithinPartitions("image_id"), layout.images(), run);
    write(converted.select(col("image_id"), lit(config.tensorSide()).as("side"), lit("float32").as("dtype"),
            col("tensor").as("data"))
        .sortWithinPartitions("image_id"), layout.tensors(), run);
    Dataset<Row> rejects = staged.filter(col("status").equalTo(StagingRow.REJECTED))
        .select(cols(StagingRow.REJECT_COLUMNS));
    if (!duplicates.isEmpty()) {
      rejects = rejects.unionByName(spark.createDataFrame(new ArrayList<>(duplicates.values()),
          rejects.schema()));
    }
    write(rejects.sortWithinPartitions("source_path"), layout.rejects(), run);
    write(converted.select(cols(StagingRow.ID_MAP_COLUMNS)).sortWithinPartitions("image_id"), layout.idMap(), run);
    // Written last: a run whose sources are on disk is complete (see RunLog).
    write(staged.select(col("source_path"), col("source_length"), col("source_mtime"),
            when(duplicate, lit(StagingRow.REJECTED)).otherwise(col("status")).as("status"))
        .distinct().sortWithinPartitions("source_path"), layout.sources(), run);
    runs.markComplete(run);
    progress.log("tables written at %.1f s", progress.seconds());
    FileSystem fs = new org.apache.hadoop.fs.Path(layout.staging()).getFileSystem(spark.sparkContext()
        .hadoopConfiguration());
    fs.delete(new org.apache.hadoop.fs.Path(layout.staging()), true);
  }

  /**
   * An instance (SOP Instance UID and frame) converted twice, in this run or an earlier one, keeps its first copy:
   * every later file holding it becomes a reject of reason {@code duplicate_instance}. Decided on the driver from
   * the ids alone (a few short strings per image); deterministic, since the smallest path wins.
   *
   * @return reject rows (in {@link StagingRow#REJECT_COLUMNS} order) keyed by the duplicate file's path
   */
  private static Map<String, Row> duplicateSources(SparkSession spark, Dataset<Row> staged, RunLog runs,
      DatasetLayout layout) {
    Map<String, String> owner = new HashMap<>();
    if (runs.hasCompletedRuns() && exists(spark, layout.idMap())) {
      for (Row r : spark.read().parquet(layout.idMap()).select("orig_sop_uid", "frame", "source_path")
          .collectAsList()) {
        owner.putIfAbsent(r.getString(0) + "/" + r.getInt(1), r.getString(2));
      }
    }
    List<Row> fresh = staged.filter(col("status").equalTo(StagingRow.CONVERTED))
        .select("orig_sop_uid", "frame", "source_path", "transfer_syntax").collectAsList();
    List<Row> byPath = new ArrayList<>(fresh);
    byPath.sort(Comparator.comparing((Row r) -> r.getString(2)).thenComparingInt(r -> r.getInt(1)));
    Map<String, Row> duplicates = new TreeMap<>();
    for (Row r : byPath) {
      String first = owner.putIfAbsent(r.getString(0) + "/" + r.getInt(1), r.getString(2));
      if (first != null) {
        String detail = first.equals(r.getString(2))
            ? "converted in an earlier run and changed since; the dataset keeps the earlier conversion"
            : "SOP Instance UID already converted from " + first;
        duplicates.putIfAbsent(r.getString(2), RowFactory.create(r.getString(2), "duplicate_instance", detail,
            r.getString(3)));
      }
    }
    return duplicates;
  }

  private static void write(Dataset<Row> table, String dir, int run) {
    table.write().mode(SaveMode.Overwrite).parquet(DatasetLayout.runDir(dir, run));
  }

  private static Column[] cols(String... names) {
    Column[] out = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = col(names[i]);
    }
    return out;
  }

  static boolean exists(SparkSession spark, String dir) {
    try {
      var p = new org.apache.hadoop.fs.Path(dir);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** Every regular file under {@code input}, recursively, in path order; hidden files ({@code .x}, {@code _x}) skipped. */
  static List<SourceFile> listInput(Configuration hadoop, String input) throws IOException {
    var root = new org.apache.hadoop.fs.Path(input);
    FileSystem fs = root.getFileSystem(hadoop);
    if (!fs.exists(root)) {
      throw new IOException("input " + input + " does not exist");
    }
    List<SourceFile> files = new ArrayList<>();
    FileStatus status = fs.getFileStatus(root);
    if (status.isFile()) {
      files.add(new SourceFile(status.getPath().toString(), status.getLen(), status.getModificationTime()));
      return files;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      if (!hidden(root, f.getPath())) {
        files.add(new SourceFile(f.getPath().toString(), f.getLen(), f.getModificationTime()));
      }
    }
    files.sort(Comparator.comparing(SourceFile::path));
    return files;
  }

  private static boolean hidden(org.apache.hadoop.fs.Path root, org.apache.hadoop.fs.Path file) {
    for (var p = file; p != null && !p.equals(root) && p.getParent() != null; p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> seenSources(SparkSession spark, RunLog runs, DatasetLayout layout) {
    Set<String> seen = new HashSet<>();
    if (!runs.hasCompletedRuns() || !exists(spark, layout.sources())) {
      return seen;
    }
    for (Row r : spark.read().parquet(layout.sources()).select("source_path", "source_length", "source_mtime")
        .collectAsList()) {
      seen.add(r.getString(0) + "|" + r.getLong(1) + "|" + r.getLong(2));
    }
    return seen;
  }

  private static String key(SourceFile f) {
    return f.path() + "|" + f.length() + "|" + f.modificationTime();
  }
}
