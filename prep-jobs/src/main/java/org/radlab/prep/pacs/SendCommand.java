package org.radlab.prep.pacs;

import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.pacs.PacsClient;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.Csv;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dicom.ClassificationReportWriter;
import org.radlab.core.task.AssistModule;
import org.radlab.core.task.TaskType;
import org.radlab.prep.LabelImport;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code radlab send}: a model's results back to the PACS (STOW-RS, or C-STORE to a DICOM node), filed into the
 * original studies: classification and detection results as DICOM Structured Reports, segmentations as DICOM SEG.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Send a model's predictions back to the PACS, filed into the original studies with the patient "
        + "and study attributes the PACS holds for them, stored with DICOMweb STOW-RS (or, for a source that is a "
        + "DICOM node, classification reports with C-FIND and C-STORE):",
        "  classification: one DICOM Comprehensive SR per study (the predicted category, each category's "
            + "probability, the model);",
        "  detection: one Comprehensive SR per study, a finding per box (category, score, the box as a polyline in "
            + "the original image's pixels, a reference to that image);",
        "  segmentation: one DICOM SEG per series, the masks at the original images' size, referencing them.",
        "With --assist, the use case's assist module codes the findings by their common data elements and adds the "
            + "categories' report sentences (classification and detection).",
        "The predictions (--predictions):",
        "  classification: a CSV with a header 'study,CLASS1,CLASS2,...' (a 'reference' column is ignored, so the "
            + "input of 'radlab metrics' works as is): with --dataset, 'study' holds the dataset's pseudonymous "
            + "study UIDs and is re-identified through the dataset's private id map (an admin's file); without, it "
            + "holds the original StudyInstanceUIDs;",
        "  detection: the boxes CSV 'radlab evaluate' writes (MODEL/predictions.csv: image,x_min,y_min,x_max,y_max,"
            + "label,score in the prepared PNGs' pixels; an image with no box has a row of empty fields); boxes "
            + "scoring below --min-score are left out;",
        "  segmentation: the mask CSV 'radlab evaluate' writes (MODEL/predictions.csv: image,width,height,runs in "
            + "the prepared PNGs' pixels), with --classes naming class indices 1, 2, ...",
        "  Detection and segmentation name images by the dataset's image ids, so they need --dataset: each image "
            + "is re-identified through the id map and moved from its PNG's pixels into the original's (scaled, "
            + "mirrored back when prep mirrored it).",
        "Exit status: 0 when every object is stored, 1 when some are not (the summary says why), 2 when "
            + "nothing could start."},
    footer = {"", "Examples:",
        "  radlab send --predictions p.csv --dataset datasets/screening --model density-v3",
        "  radlab send --task detection --predictions masses-v2/predictions.csv \\",
        "      --dataset datasets/screening --model masses-v2 --assist assist.xml",
        "  radlab send --task segmentation --predictions liver-v1/predictions.csv \\",
        "      --classes liver,lesion --dataset datasets/abdomen --model liver-v1"})
public final class SendCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Reports stored per STOW-RS request. */
  static final int BATCH = 50;
  /** Bytes of objects per STOW-RS request, at most (a SEG of a long series is large); one object may exceed it. */
  static final long BATCH_BYTES = 64L << 20;

  @Option(names = "--task", defaultValue = "classification", paramLabel = "TASK", converter = TaskConverter.class,
      description = "classification, detection or segmentation (default: ${DEFAULT-VALUE}).")
  TaskType task;

  @Option(names = "--predictions", required = true, paramLabel = "CSV", description = "The predictions (see above).")
  Path predictions;

  @Option(names = "--min-score", defaultValue = "0.5", paramLabel = "S", description = "Detection: send the boxes "
      + "scoring at least this (default: ${DEFAULT-VALUE}).")
  double minScore;

  @Option(names = "--classes", split = ",", paramLabel = "NAME", description = "Segmentation: the names of class "
      + "indices 1, 2, ... of the masks, in order (the segments' labels).")
  List<String> classes;

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model's name, as the SR names"
      + " the device that made it (and a SEG its algorithm).")
  String model;

  @Option(names = "--dataset", paramLabel = "DIR", description = "The prepared dataset whose pseudonymous study UIDs"
      + " or image ids the CSV holds (required for detection and segmentation).")
  String dataset;

  @Option(names = "--private-dir", paramLabel = "DIR", description = "Where the dataset's id map is (default: "
      + "DATASET/private).")
  String privateDir;

  @Option(names = "--source", paramLabel = "NAME", description = "Which PACS of the sources file (default: its only"
      + " one).")
  String source;

  @Option(names = "--sources", paramLabel = "FILE", description = "The sources file (default: $RADLAB_HOME/pacs.json).")
  Path sources;

  @Option(names = "--assist", paramLabel = "FILE", description = "The use case's assist module (XML, as the control "
      + "API keeps it: GET /api/use-cases/{id}/assist-module): each category's common data element codes the "
      + "finding, and the sentences of the categories predicted or found become the report's impression.")
  Path assist;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write each object here: STUDY.dcm (a report; "
      + "the study as the CSV or the dataset names it) or STUDY-SERIES.dcm (a SEG, the dataset's pseudonyms).")
  Path out;

  @Option(names = "--dry-run", description = "Build the objects (and write them with --out); store nothing.")
  boolean dryRun;

  /**
   * One object's result in the summary, or a failure: the study (and for a SEG the series) as the CSV or the dataset
   * names it, or the image a failure is about; absent fields are left out.
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record Outcome(String study, String series, String image, String sopInstanceUid, String predicted,
      Integer boxes, Integer images, String error) {
    static Outcome failed(String study, String series, String image, String error) {
      return new Outcome(study, series, image, null, null, null, null, error);
    }

    Outcome failing(String reason) {
      return new Outcome(study, series, image, sopInstanceUid, predicted, boxes, images, reason);
    }
  }

  @Override
  public Integer call() throws Exception {
    PacsSource pacs = PacsSources.read(sources != null ? sources : PacsSources.defaultFile()).get(source);
    if (task != TaskType.CLASSIFICATION && dataset == null) {
      throw new IllegalArgumentException("--task " + task.id() + " needs --dataset: the predictions name the "
          + "dataset's images, which its id map re-identifies");
    }
    if (task == TaskType.SEGMENTATION && (classes == null || classes.isEmpty())) {
      throw new IllegalArgumentException("--task segmentation needs --classes: the names of the masks' class "
          + "indices 1, 2, ... (the model's classes, in order)");
    }
    if (task != TaskType.CLASSIFICATION && pacs.isDimse()) {
      throw new IllegalArgumentException("--task " + task.id() + " needs a DICOMweb source: the original images' SOP "
          + "classes and sizes come from QIDO-RS; " + pacs + " takes classification reports only (C-STORE)");
    }
    // a DICOM node: the study's attributes by C-FIND, the reports stored by C-STORE (C-MOVE is not needed)
    PacsClient client = PacsClient.of(pacs, null);
    Stow stow = new Stow(client, dryRun, out);
    List<Outcome> outcomes = switch (task) {
      case CLASSIFICATION -> classification(client, stow);
      case DETECTION -> new DetectionSend((DicomWebClient) client, stow, model, minScore, assist, dataset,
          privateDir).send(predictions);
      case SEGMENTATION -> new SegmentationSend((DicomWebClient) client, stow, model, classes, dataset, privateDir)
          .send(predictions);
    };
    long stored = outcomes.stream().filter(o -> o.error() == null).count();
    List<Outcome> failed = outcomes.stream().filter(o -> o.error() != null).toList();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("source", pacs.name());
    summary.put("model", model);
    summary.put("task", task.id());
    // a failure about one image (not in the dataset, say) is in "failed", not among the studies or series
    summary.put(task == TaskType.SEGMENTATION ? "series" : "studies", outcomes.stream()
        .filter(o -> o.study() != null).count());
    summary.put(dryRun ? "built" : "stored", stored);
    summary.put("failed", failed);
    summary.put(task == TaskType.SEGMENTATION ? "segmentations" : "reports",
        outcomes.stream().filter(o -> o.error() == null).toList());
    System.out.println(JSON.writeValueAsString(summary));
    System.err.printf("send: %d of %d %s %s on %s%n", stored, outcomes.size(),
        task == TaskType.SEGMENTATION ? "segmentations" : "reports", dryRun ? "built (dry run)" : "stored", pacs);
    return failed.isEmpty() ? 0 : 1;
  }

  /** Study-level probabilities: one SR per study. */
  private List<Outcome> classification(PacsClient client, Stow stow) throws IOException {
    Table table = read(predictions);
    AssistModule module = assist == null ? null : assistModule(assist, table.classes());
    Map<String, String> original = dataset == null ? null : originals(dataset, privateDir);
    LocalDateTime now = LocalDateTime.now();
    List<Outcome> outcomes = new ArrayList<>();
    for (Map.Entry<String, double[]> row : table.rows().entrySet()) {
      String study = row.getKey();
      String uid = original == null ? study : original.get(study);
      if (uid == null) {
        outcomes.add(Outcome.failed(study, null, null, "not a study of dataset " + dataset));
        continue;
      }
      Map<String, String> attributes = client.studyAttributes(uid, ClassificationReportWriter.STUDY_ATTRIBUTES);
      if (attributes == null) {
        outcomes.add(Outcome.failed(study, null, null, "the PACS does not hold this study"));
        continue;
      }
      List<ClassificationReportWriter.Category> categories = new ArrayList<>();
      for (int c = 0; c < table.classes().size(); c++) {
        String code = table.classes().get(c);
        AssistModule.Finding finding = module == null ? null : module.findings().get(code);
        categories.add(new ClassificationReportWriter.Category(code, code, row.getValue()[c],
            finding == null ? null : finding.cde(), finding == null ? null : finding.reportText()));
      }
      ClassificationReportWriter.Prediction p = new ClassificationReportWriter.Prediction(attributes, model,
          categories);
      byte[] report = ClassificationReportWriter.bytes(p, now);
      outcomes.add(new Outcome(study, null, null, ClassificationReportWriter.sopInstanceUid(p), p.predicted().code(),
          null, null, null));
      stow.add(report, study + ".dcm", outcomes, outcomes.size() - 1);
    }
    stow.flush(outcomes);
    return outcomes;
  }

  /**
   * Objects stored in batches ({@value #BATCH} objects or {@value #BATCH_BYTES} bytes per STOW-RS request), each
   * also written to the --out folder when there is one; a refused batch marks each of its objects failed with the
   * reason.
   */
  static final class Stow {
    private final PacsClient client;
    private final boolean dryRun;
    private final Path out;
    private final List<byte[]> batch = new ArrayList<>();
    private final List<Integer> rows = new ArrayList<>();
    private long bytes;

    Stow(PacsClient client, boolean dryRun, Path out) {
      this.client = client;
      this.dryRun = dryRun;
      this.out = out;
    }

    /** Queues {@code object}, whose outcome is {@code outcomes.get(row)}; writes it as {@code name} under --out. */
    void add(byte[] object, String name, List<Outcome> outcomes, int row) throws IOException {
      if (out != null) {
        Files.createDirectories(out);
        Files.write(out.resolve(name), object);
      }
      batch.add(object);
      rows.add(row);
      bytes += object.length;
      if (batch.size() == BATCH || bytes >= BATCH_BYTES) {
        flush(outcomes);
      }
    }

    void flush(List<Outcome> outcomes) {
      if (batch.isEmpty()) {
        return;
      }
      if (!dryRun) {
        try {
          client.store(batch);
        } catch (IOException e) {
          for (int i : rows) {
            outcomes.set(i, outcomes.get(i).failing(e.getMessage()));
          }
        }
      }
      batch.clear();
      rows.clear();
      bytes = 0;
    }
  }

  static final class TaskConverter implements picocli.CommandLine.ITypeConverter<TaskType> {
    @Override
    public TaskType convert(String value) {
      try {
        return TaskType.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The assist module, which must have a finding for every class of the CSV. */
  static AssistModule assistModule(Path file, List<String> classes) throws IOException {
    AssistModule module;
    try {
      module = AssistModule.parse(Files.readString(file));
    } catch (AssistModule.InvalidDocument e) {
      throw new IllegalArgumentException(file + " is not a valid assist module: " + e.getMessage());
    }
    List<String> missing = classes.stream().filter(c -> !module.findings().containsKey(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(file + " has no finding for the classes " + missing + " of the predictions");
    }
    return module;
  }

  /** The CSV: class names from the header, one probability row per study. */
  record Table(List<String> classes, Map<String, double[]> rows) {}

  static Table read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(csv + " is empty: expected a header 'study,CLASS1,CLASS2,...'");
    }
    List<String> header = Csv.fields(lines.get(0));
    if (!header.get(0).toLowerCase(Locale.ROOT).equals("study")) {
      throw new IllegalArgumentException(csv + ": the first column must be 'study', got '" + header.get(0) + "'");
    }
    List<Integer> classColumns = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (int i = 1; i < header.size(); i++) {
      if (!header.get(i).equalsIgnoreCase("reference")) {
        classColumns.add(i);
        classes.add(header.get(i));
      }
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(csv + ": the header names no class column");
    }
    Map<String, double[]> rows = new LinkedHashMap<>();
    Csv.rows(lines, csv.toString(), header.size(), "the header's " + header.size() + " columns", (where, f) -> {
      if (!DicomWebClient.isUid(f.get(0))) {
        throw new IllegalArgumentException(where + ": study '" + f.get(0) + "' is not a DICOM UID");
      }
      double[] p = new double[classes.size()];
      for (int c = 0; c < p.length; c++) {
        String text = f.get(classColumns.get(c));
        try {
          p[c] = Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": '" + text + "' is not a probability");
        }
        if (!(p[c] >= 0 && p[c] <= 1)) {
          throw new IllegalArgumentException(where + ": probability " + text + " is outside [0, 1]");
        }
      }
      if (rows.put(f.get(0), p) != null) {
        throw new IllegalArgumentException(where + ": study " + f.get(0) + " is listed twice");
      }
    });
    return new Table(classes, rows);
  }

  /** The dataset's pseudonymous study UID to the original one, from its private id map. */
  static Map<String, String> originals(String dataset, String privateDir) throws IOException {
    SparkSession spark = SparkSessions.start("radlab-send", "local[1]");
    try {
      Map<String, String> map = new HashMap<>();
      LabelImport.studyPseudonyms(spark, new DatasetLayout(dataset, privateDir == null
          ? DatasetLayout.defaultPrivateRoot(dataset) : privateDir)).forEach((original, pseudonym) ->
          map.put(pseudonym, original));
      return map;
    } finally {
      spark.stop();
    }
  }
}
