package org.radlab.prep.pacs;

import org.radlab.core.pacs.DicomWebClient;
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
import org.radlab.prep.LabelImport;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab send}: classification results back to the PACS as DICOM Structured Reports (STOW-RS). */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Send a model's study-level predictions back to the PACS: one DICOM Comprehensive SR per study "
        + "(the predicted category, each category's probability, the model), filed into the original study with "
        + "the patient and study attributes the PACS holds for it, stored with DICOMweb STOW-RS.",
        "With --assist, the use case's assist module codes the finding by its common data element and adds the "
            + "predicted category's report sentence.",
        "The predictions are a CSV with a header 'study,CLASS1,CLASS2,...' (a 'reference' column is ignored, so "
            + "the input of 'radlab metrics' works as is): with --dataset, 'study' holds the dataset's pseudonymous "
            + "study UIDs and is re-identified through the dataset's private id map (an admin's file); without, it "
            + "holds the original StudyInstanceUIDs.",
        "Exit status: 0 when every study's report is stored, 1 when some are not (the summary says why), 2 when "
            + "nothing could start."},
    footer = {"", "Example:",
        "  radlab send --predictions predictions.csv --dataset radlab-home/datasets/screening --model density-v3"})
public final class SendCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Reports stored per STOW-RS request. */
  static final int BATCH = 50;

  @Option(names = "--predictions", required = true, paramLabel = "CSV", description = "study,CLASS1,CLASS2,...")
  Path predictions;

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model's name, as the SR names"
      + " the device that made it.")
  String model;

  @Option(names = "--dataset", paramLabel = "DIR", description = "The prepared dataset whose pseudonymous study UIDs"
      + " the CSV holds.")
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
      + "finding, and the predicted category's sentence becomes the report's impression.")
  Path assist;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write each report here as STUDY_UID.dcm.")
  Path out;

  @Option(names = "--dry-run", description = "Build the reports (and write them with --out); store nothing.")
  boolean dryRun;

  /** One study's result in the summary (the study as the CSV names it). */
  public record Outcome(String study, String sopInstanceUid, String predicted, String error) {}

  @Override
  public Integer call() throws Exception {
    PacsSource pacs = PacsSources.read(sources != null ? sources : PacsSources.defaultFile()).get(source);
    Table table = read(predictions);
    AssistModule module = assist == null ? null : assistModule(assist, table.classes());
    Map<String, String> original = dataset == null ? null : originals(dataset, privateDir);
    DicomWebClient client = new DicomWebClient(pacs);
    LocalDateTime now = LocalDateTime.now();
    List<Outcome> outcomes = new ArrayList<>();
    List<byte[]> batch = new ArrayList<>();
    List<Integer> batchRows = new ArrayList<>();
    for (Map.Entry<String, double[]> row : table.rows().entrySet()) {
      String study = row.getKey();
      String uid = original == null ? study : original.get(study);
      if (uid == null) {
        outcomes.add(new Outcome(study, null, null, "not a study of dataset " + dataset));
        continue;
      }
      Map<String, String> attributes = client.studyAttributes(uid, ClassificationReportWriter.STUDY_ATTRIBUTES);
      if (attributes == null) {
        outcomes.add(new Outcome(study, null, null, "the PACS does not hold this study"));
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
      if (out != null) {
        Files.createDirectories(out);
        Files.write(out.resolve(study + ".dcm"), report);
      }
      outcomes.add(new Outcome(study, ClassificationReportWriter.sopInstanceUid(p), p.predicted().code(), null));
      batch.add(report);
      batchRows.add(outcomes.size() - 1);
      if (batch.size() == BATCH) {
        flush(client, batch, batchRows, outcomes);
      }
    }
    flush(client, batch, batchRows, outcomes);
    long stored = outcomes.stream().filter(o -> o.error() == null).count();
    List<Outcome> failed = outcomes.stream().filter(o -> o.error() != null).toList();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("source", pacs.name());
    summary.put("model", model);
    summary.put("studies", outcomes.size());
    summary.put(dryRun ? "built" : "stored", stored);
    summary.put("failed", failed);
    summary.put("reports", outcomes.stream().filter(o -> o.error() == null).toList());
    System.out.println(JSON.writeValueAsString(summary));
    System.err.printf("send: %d of %d reports %s on %s%n", stored, outcomes.size(), dryRun ? "built (dry run)"
        : "stored", pacs);
    return failed.isEmpty() ? 0 : 1;
  }

  /** Stores the batch; a refused batch marks each of its studies failed with the reason. */
  private void flush(DicomWebClient client, List<byte[]> batch, List<Integer> rows, List<Outcome> outcomes) {
    if (batch.isEmpty()) {
      return;
    }
    if (!dryRun) {
      try {
        client.store(batch);
      } catch (IOException e) {
        for (int i : rows) {
          Outcome o = outcomes.get(i);
          outcomes.set(i, new Outcome(o.study(), o.sopInstanceUid(), o.predicted(), e.getMessage()));
        }
      }
    }
    batch.clear();
    rows.clear();
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
