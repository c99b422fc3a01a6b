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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.radlab.core.Workspace;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.deid.SiteSecret;
import org.radlab.core.dicom.ImageBounds;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.prep.pacs.PacsInput;

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
    PrepPhases phases = new PrepPhases();
    // a PACS query (dicomweb://SOURCE?...) is pulled into the dataset's private folder first, then converted
    String input = !PacsInput.is(config.input()) ? config.input()
        : phases.time("pull", () -> PacsInput.resolve(spark, config.input(), layout, System.err));
    RunLog runs = new RunLog(hadoop, layout);
    int run = phases.time("runs", runs::startNewRun);

    // The instances earlier runs hold are read while the input is listed and its headers are read.
    ExecutorService readers = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "prep-earlier-runs");
      t.setDaemon(true);
      return t;
    });
    Converted added;
    InputListing listing;
    List<SourceFile> todo;
    PrepProgress progress;
    try {
      Future<Map<String, String>> ownersLater = readers.submit(() -> owners(hadoop, runs, layout));
      listing = phases.time("list", () -> InputListing.of(hadoop, input));
      InputListing listed = listing;
      Set<String> seen = phases.time("known", () -> seenSources(hadoop, runs, layout, listed.files()));
      todo = listing.files().stream().filter(f -> !seen.contains(key(f))).toList();
      progress = new PrepProgress(spark.sparkContext(), todo.size(), config.progressFile());
      progress.log("found %d files under %s (%d hidden skipped); %d already in the dataset, %d to convert (run %d)",
          listing.files().size(), config.input(), listing.skippedHidden(), listing.files().size() - todo.size(),
          todo.size(), run);
      added = todo.isEmpty() ? new Converted(new RunTotals(), List.of())
          : convert(spark, config, secret, todo, layout, progress, run, ownersLater, phases);
    } finally {
      readers.shutdownNow();
    }
    List<SourceFile> all = listing.files();
    phases.time("catalog", () -> {
      runs.writeCatalogPart(run, added.catalog());
      runs.markComplete(run, added.totals());
      progress.finish();
      ImageCatalog.write(spark, layout, runs, run, added.catalog());
      return null;
    });
    RunTotals totals = phases.time("summary", runs::totals);
    long summaryStart = System.nanoTime();
    // the summary's own write is the only time it cannot report; it is a single small file
    DatasetSummary summary = PrepSummary.of(totals, all.size(), listing.skippedHidden(), todo.size(),
        (System.nanoTime() - started) / 1e9, phases.seconds());
    PrepSummary.write(summary, hadoop, layout.summary());
    progress.log("phases: %s; summary written in %.2f s", phases, (System.nanoTime() - summaryStart) / 1e9);
    return summary;
  }

  /** What one task (and, added up, the run) converted: the totals and the lines of {@code images.csv}. */
  private record Converted(RunTotals totals, List<String> catalog) implements java.io.Serializable {}

  private static Converted convert(SparkSession spark, PrepJobConfig config, byte[] secret, List<SourceFile> todo,
      DatasetLayout layout, PrepProgress progress, int run, Future<Map<String, String>> owners, PrepPhases phases)
      throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int partitions = config.partitions() > 0 ? config.partitions() : partitions(todo, jsc.defaultParallelism());
    // the site's bounds, read here on the driver from the workspace the job runs for
    FileConverter converter = new FileConverter(config, secret, ImageBounds.load(Workspace.home()));
    JavaRDD<SourceFile> input = jsc.parallelize(todo, partitions);

    // First the headers alone (a few KiB per file): duplicates are known before anything is written.
    List<String[]> ids = phases.time("headers", () -> input.map(converter::identify).collect());
    Map<String, String[]> duplicates = phases.time("duplicates", () -> duplicates(ids, await(owners)));
    if (!duplicates.isEmpty()) {
      progress.log("%d file(s) hold an instance already converted; they go to the rejects", duplicates.size());
    }

    // a broadcast, not a captured map: captured, the whole map would travel with every task
    Broadcast<Map<String, String[]>> duplicateOf = jsc.broadcast(duplicates);
    int tensorSide = config.tensorSide();
    LongAccumulator files = progress.files();
    LongAccumulator images = progress.images();
    LongAccumulator rejected = progress.rejected();
    progress.startTicker();
    // One Spark job: each task converts its files and writes its own part of every table (see RunWriter).
    List<Converted> parts = phases.time("convert", () -> input.mapPartitions(it -> {
      TaskContext task = TaskContext.get();
      try (RunWriter out = new RunWriter(layout, run, task.partitionId(), Long.toString(task.taskAttemptId()),
          tensorSide, org.radlab.spark.HadoopPaths.taskConfiguration())) {
        while (it.hasNext()) {
          SourceFile source = it.next();
          String[] duplicate = duplicateOf.value().get(source.path());
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
    }).collect());
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

  /** Bytes a task reads, at least, when its files are small: enough work to outweigh what a task costs anyway. */
  static final long TASK_BYTES = 32L << 20;

  /**
   * The tasks of a run: four per core at least (so a slow task does not hold the job up), and otherwise one per
   * 64 files, or per {@link #TASK_BYTES} when the files are smaller than half a MiB on average. A task costs a few
   * tens of milliseconds whatever it holds (five table files written and committed, its set-up), as much as
   * converting 64 small images: 100,000 files of 64 x 64 pixels ran 1.5 times as long in 1,563 tasks as in 200.
   */
  static int partitions(List<SourceFile> todo, int cores) {
    long bytes = 0;
    for (SourceFile f : todo) {
      bytes += f.length();
    }
    long perTask = Math.max(64, TASK_BYTES / Math.max(1, bytes / Math.max(1, todo.size())));
    long tasks = Math.max(cores * 4L, (todo.size() + perTask - 1) / perTask);
    return (int) Math.max(1, Math.min(todo.size(), tasks));
  }

  /**
   * An instance (SOP Instance UID) converted twice, in this run or an earlier one, keeps its first copy: every later
   * file holding it becomes a reject of reason {@code duplicate_instance}, and is never converted, so it cannot
   * overwrite the first copy's PNG. Decided on the driver from the ids alone; deterministic, since the smallest
   * path wins within a run.
   *
   * @param ids {@link FileConverter#identify} of each file to convert
   * @param owner {@link #owners}; taken over and grown
   * @return per duplicate file's path: the reject's detail and the file's transfer syntax
   */
  private static Map<String, String[]> duplicates(List<String[]> ids, Map<String, String> owner) {
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

  /** Per SOP Instance UID that earlier runs converted: the file it came from, the first if several. */
  private static Map<String, String> owners(Configuration hadoop, RunLog runs, DatasetLayout layout)
      throws IOException {
    Map<String, String> owner = new HashMap<>();
    TableFile.read(hadoop, layout.idMap(), runs.completedRuns(), List.of("orig_sop_uid", "source_path"),
        v -> owner.putIfAbsent((String) v[0], (String) v[1]));
    return owner;
  }

  /** A background read's result, with its failure as the run's own. */
  private static <T> T await(Future<T> later) throws IOException {
    try {
      return later.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the earlier runs", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot read the earlier runs: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Which of {@code listed} earlier runs converted or rejected, as {@link #key}s. Only the parts of
   * {@code private/sources.parquet} whose paths can hold a listed one are read: a folder of new files given as the
   * input costs little, however large the dataset.
   */
  private static Set<String> seenSources(Configuration hadoop, RunLog runs, DatasetLayout layout,
      List<SourceFile> listed) throws IOException {
    if (runs.completedRuns().isEmpty()) {
      return new HashSet<>();
    }
    Set<String> paths = new HashSet<>(listed.size() * 2);
    listed.forEach(f -> paths.add(f.path()));
    Set<String> seen = new HashSet<>();
    TableFile.read(hadoop, layout.sources(), runs.completedRuns(),
        List.of("source_path", "source_length", "source_mtime"), "source_path", paths,
        v -> seen.add(v[0] + "|" + v[1] + "|" + v[2]));
    return seen;
  }

  private static String key(SourceFile f) {
    return f.path() + "|" + f.length() + "|" + f.modificationTime();
  }
}
