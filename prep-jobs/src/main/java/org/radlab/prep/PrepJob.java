package org.radlab.prep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.radlab.core.Workspace;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.deid.SiteSecret;
import org.radlab.core.dicom.ImageBounds;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.spark.HadoopPaths;

/**
 * DICOM to a de-identified dataset: {@code images.parquet}, {@code tensors}, {@code png/}, optional {@code npy/},
 * {@code summary.json}, plus the private id map and rejects.
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
      DatasetSummary summary = run(spark, config);
      System.out.println(summary.toJson());
    } finally {
      spark.stop();
    }
  }

  /** Runs one prep pass and returns the dataset's summary, which is also written to {@code summary.json}. */
  public static DatasetSummary run(SparkSession spark, PrepJobConfig config) throws IOException {
    long started = System.nanoTime();
    DatasetLayout layout = DatasetLayout.of(config);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    byte[] secret = SiteSecret.loadOrCreate(Path.of(config.secretFile()));
    RunLog runs = new RunLog(hadoop, layout);
    int run = runs.startNewRun();

    InputListing listing = InputListing.of(hadoop, config.input());
    List<SourceFile> all = listing.files();
    Set<String> seen = seenSources(spark, runs, layout);
    List<SourceFile> todo = all.stream().filter(f -> !seen.contains(key(f))).toList();
    PrepProgress progress = new PrepProgress(spark.sparkContext(), todo.size(), config.progressFile());
    progress.log("found %d files under %s (%d hidden skipped); %d already in the dataset, %d to convert (run %d)",
        all.size(), config.input(), listing.skippedHidden(), all.size() - todo.size(), todo.size(), run);

    Converted added = todo.isEmpty() ? new Converted(new RunTotals(), List.of())
        : convert(spark, config, secret, todo, layout, progress, run, runs);
    runs.writeCatalogPart(run, added.catalog());
    runs.markComplete(run, added.totals());
    progress.finish();
    ImageCatalog.write(spark, layout, runs);
    DatasetSummary summary = PrepSummary.of(runs.totals(), all.size(), listing.skippedHidden(), todo.size(),
        (System.nanoTime() - started) / 1e9);
    PrepSummary.write(summary, hadoop, layout.summary());
    return summary;
  }

  /** What one task (and, added up, the run) converted: the totals and the lines of {@code images.csv}. */
  private record Converted(RunTotals totals, List<String> catalog) implements java.io.Serializable {}

  private static Converted convert(SparkSession spark, PrepJobConfig config, byte[] secret, List<SourceFile> todo,
      DatasetLayout layout, PrepProgress progress, int run, RunLog runs) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = config.partitions() > 0 ? config.partitions()
        : Math.max(1, Math.min(todo.size(), Math.max(jsc.defaultParallelism() * 4, todo.size() / 64)));
    // the site's bounds, read here on the driver from the workspace the job runs for
    FileConverter converter = new FileConverter(config, secret, ImageBounds.load(Workspace.home()));
    JavaRDD<SourceFile> input = jsc.parallelize(todo, partitions);

    // First the headers alone (a few KiB per file): duplicates are known before anything is written.
    List<String[]> ids = input.map(converter::identify).collect();
    Map<String, String[]> duplicates = duplicates(spark, ids, runs, layout);
    if (!duplicates.isEmpty()) {
      progress.log("%d file(s) hold an instance already converted; they go to the rejects", duplicates.size());
    }

    int tensorSide = config.tensorSide();
    LongAccumulator files = progress.files();
    LongAccumulator images = progress.images();
    LongAccumulator rejected = progress.rejected();
    progress.startTicker();
    // One Spark job: each task converts its files and writes its own part of every table (see RunWriter).
    List<Converted> parts = input.mapPartitions(it -> {
      TaskContext task = TaskContext.get();
      try (RunWriter out = new RunWriter(layout, run, task.partitionId(), Long.toString(task.taskAttemptId()),
          tensorSide, new Configuration())) {
        while (it.hasNext()) {
          SourceFile source = it.next();
          String[] duplicate = duplicates.get(source.path());
          List<Row> rows = duplicate != null
              ? List.of(StagingRow.rejected(source, "duplicate_instance", duplicate[0], duplicate[1]))
              : converter.convert(source);
          out.add(source, rows);
          files.add(1);
          if (rows.size() == 1 && StagingRow.REJECTED.equals(rows.get(0).getString(3))) {
            rejected.add(1);
          } else {
            images.add(rows.size());
          }
        }
        RunTotals committed = out.commit();
        return List.of(new Converted(committed, out.catalog())).iterator();
      }
    }).collect();
    progress.stopTicker();
    progress.log("converted %d files in %.1f s", todo.size(), progress.seconds());
    RunTotals totals = new RunTotals();
    List<String> catalog = new ArrayList<>();
    for (Converted part : parts) {
      totals.add(part.totals());
      catalog.addAll(part.catalog());
    }
    return new Converted(totals, catalog);
  }

  /**
   * An instance (SOP Instance UID) converted twice, in this run or an earlier one, keeps its first copy: every later
   * file holding it becomes a reject of reason {@code duplicate_instance}, and is never converted, so it cannot
   * overwrite the first copy's PNG. Decided on the driver from the ids alone; deterministic, since the smallest
   * path wins within a run.
   *
   * @param ids {@link FileConverter#identify} of each file to convert
   * @return per duplicate file's path: the reject's detail and the file's transfer syntax
   */
  private static Map<String, String[]> duplicates(SparkSession spark, List<String[]> ids, RunLog runs,
      DatasetLayout layout) {
    Map<String, String> owner = new HashMap<>();
    if (runs.hasCompletedRuns() && HadoopPaths.exists(spark, layout.idMap())) {
      for (Row r : spark.read().parquet(layout.idMap()).select("orig_sop_uid", "source_path").collectAsList()) {
        owner.putIfAbsent(r.getString(0), r.getString(1));
      }
    }
    List<String[]> byPath = new ArrayList<>(ids);
    byPath.sort(Comparator.comparing((String[] id) -> id[0]));
    Map<String, String[]> duplicates = new HashMap<>();
    for (String[] id : byPath) {
      if (id[1] == null) {
        continue;
      }
      String first = owner.putIfAbsent(id[1], id[0]);
      if (first != null) {
        String detail = first.equals(id[0])
            ? "converted in an earlier run and changed since; the dataset keeps the earlier conversion"
            : "SOP Instance UID already converted from " + first;
        duplicates.put(id[0], new String[] {detail, id[2]});
      }
    }
    return duplicates;
  }

  /** Whether a Hadoop path exists (false when it cannot be checked). */
  private static Set<String> seenSources(SparkSession spark, RunLog runs, DatasetLayout layout) {
    Set<String> seen = new HashSet<>();
    if (!runs.hasCompletedRuns() || !HadoopPaths.exists(spark, layout.sources())) {
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
