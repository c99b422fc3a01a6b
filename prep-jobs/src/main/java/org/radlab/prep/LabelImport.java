package org.radlab.prep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.spark.HadoopPaths;
import static org.apache.spark.sql.functions.col;

/**
 * Turns a label file keyed by original StudyInstanceUID into an immutable label snapshot keyed by the dataset's
 * pseudonymous study UIDs, through the private id map. Rows it cannot use are counted and reported, never dropped
 * silently: unknown studies, labels outside the class list, empty labels and studies labelled twice differently.
 */
public final class LabelImport {
  private LabelImport() {}

  /**
   * @param classes allowed labels; empty accepts every label found
   * @param out     the snapshot file; null picks {@code labelsDir/<dataset>-<column>-<hash>.csv}
   */
  public record Request(String dataset, String privateDir, Path csv, String studyColumn, String labelColumn,
                        List<String> classes, Path labelsDir, Path out) {
    public Request {
      if (studyColumn == null || studyColumn.isBlank() || labelColumn == null || labelColumn.isBlank()) {
        throw new IllegalArgumentException("the study and label column names must not be empty");
      }
      classes = classes == null ? List.of() : List.copyOf(classes);
      privateDir = privateDir == null ? DatasetLayout.defaultPrivateRoot(dataset) : privateDir;
    }
  }

  /** What an import did. {@code unknownStudies} holds original UIDs: show it to the admin, never store it. */
  public record Report(Path snapshot, boolean alreadyExisted, int rowsRead, int imported,
                       List<String> unknownStudies, Map<String, Integer> unknownClasses, int emptyLabels,
                       List<String> conflictingStudies, Map<String, Integer> perClass) {
    /** Whether any row could not be used. */
    public boolean unusable() {
      return !unknownStudies.isEmpty() || !unknownClasses.isEmpty() || emptyLabels > 0 || !conflictingStudies.isEmpty();
    }
  }

  public static Report run(SparkSession spark, Request req) throws IOException {
    if (!Files.isRegularFile(req.csv())) {
      throw new IOException("label file " + req.csv() + " does not exist");
    }
    Map<String, String> studies = studyPseudonyms(spark, new DatasetLayout(req.dataset(), req.privateDir()));
    Dataset<Row> csv = spark.read().option("header", "true").option("inferSchema", "false")
        .option("mode", "FAILFAST").csv(req.csv().toString());
    List<String> columns = Arrays.asList(csv.columns());
    for (String needed : List.of(req.studyColumn(), req.labelColumn())) {
      if (!columns.contains(needed)) {
        throw new IllegalArgumentException("column '" + needed + "' is not in " + req.csv() + "; its columns are "
            + columns + " (choose with --study-column / --label-column)");
      }
    }
    List<Row> rows = csv.select(col("`" + req.studyColumn() + "`"), col("`" + req.labelColumn() + "`"))
        .collectAsList();

    Set<String> allowed = new LinkedHashSet<>(req.classes());
    Map<String, String> labels = new TreeMap<>();
    Set<String> conflicts = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    Map<String, Integer> unknownClasses = new TreeMap<>();
    int empty = 0;
    for (Row r : rows) {
      String study = r.isNullAt(0) ? null : r.getString(0).trim();
      String label = r.isNullAt(1) ? null : r.getString(1).trim();
      if (label == null || label.isEmpty()) {
        empty++;
        continue;
      }
      if (!allowed.isEmpty() && !allowed.contains(label)) {
        unknownClasses.merge(label, 1, Integer::sum);
        continue;
      }
      String pseudo = study == null ? null : studies.get(study);
      if (pseudo == null) {
        unknown.add(study);
        continue;
      }
      String before = labels.putIfAbsent(pseudo, label);
      if (before != null && !before.equals(label)) {
        conflicts.add(study);
      }
    }
    // A study labelled two different ways is ambiguous: leave it out and say so.
    for (String study : conflicts) {
      labels.remove(studies.get(study));
    }
    Map<String, Integer> perClass = new TreeMap<>();
    labels.values().forEach(label -> perClass.merge(label, 1, Integer::sum));
    byte[] content = LabelSnapshot.csv(labels).getBytes(StandardCharsets.UTF_8);
    Path out = req.out() != null ? req.out()
        : req.labelsDir().resolve(snapshotName(req.dataset(), req.labelColumn(), content));
    boolean existed = writeOnce(out, content);
    return new Report(out, existed, rows.size(), labels.size(), unknown, unknownClasses, empty,
        new ArrayList<>(conflicts), perClass);
  }

  /** Each original StudyInstanceUID of the dataset and its pseudonym, from the private id map (an admin's file). */
  public static Map<String, String> studyPseudonyms(SparkSession spark, DatasetLayout layout) throws IOException {
    Map<String, String> studies = new TreeMap<>();
    for (Row r : spark.read().parquet(idMap(spark, layout)).select(col("orig_study_uid"), col("study_uid"))
        .distinct().collectAsList()) {
      studies.put(r.getString(0), r.getString(1));
    }
    return studies;
  }

  /** The dataset's id map, which an import needs; an error saying how to make it when it is missing. */
  public static String idMap(SparkSession spark, DatasetLayout layout) throws IOException {
    if (!HadoopPaths.exists(spark, layout.idMap())) {
      throw new IOException("no id map at " + layout.idMap() + ": run radlab prep on the dataset first"
          + " (or pass --private-dir where it was written)");
    }
    return layout.idMap();
  }

  /** {@code <dataset>-<what>-<hash of the content>.csv}. */
  static String snapshotName(String datasetDir, String what, byte[] content) {
    String dataset = Path.of(datasetDir.replaceAll("/+$", "")).getFileName().toString();
    String safeColumn = what.replaceAll("[^A-Za-z0-9_-]", "_");
    return dataset + "-" + safeColumn + "-" + sha256(content).substring(0, 12) + ".csv";
  }

  /** Snapshots are immutable: an existing file with other content is an error, with the same content a no-op. */
  static boolean writeOnce(Path out, byte[] content) throws IOException {
    if (Files.exists(out)) {
      if (Arrays.equals(Files.readAllBytes(out), content)) {
        return true;
      }
      throw new IOException("label snapshot " + out + " already exists with other content; snapshots are"
          + " immutable, so choose another --out");
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), ".labels", ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, out);
    out.toFile().setWritable(false, false);
    return false;
  }


  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A human report for the admin running the import. */
  public static String describe(Report r) {
    var lines = new ArrayList<String>();
    lines.add((r.alreadyExisted() ? "unchanged snapshot (same content) " : "wrote label snapshot ") + r.snapshot());
    lines.add("  rows read: " + r.rowsRead() + ", studies labelled: " + r.imported() + " " + r.perClass());
    if (!r.unknownStudies().isEmpty()) {
      lines.add("  " + r.unknownStudies().size() + " rows name a study that is not in the dataset, e.g. "
          + r.unknownStudies().subList(0, Math.min(5, r.unknownStudies().size())));
    }
    if (!r.unknownClasses().isEmpty()) {
      lines.add("  rows with a label outside the class list: " + r.unknownClasses());
    }
    if (r.emptyLabels() > 0) {
      lines.add("  rows with an empty label: " + r.emptyLabels());
    }
    if (!r.conflictingStudies().isEmpty()) {
      lines.add("  " + r.conflictingStudies().size() + " studies have conflicting labels and were left out, e.g. "
          + r.conflictingStudies().subList(0, Math.min(5, r.conflictingStudies().size())));
    }
    return String.join("\n", lines);
  }
}
