package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.Csv;
import org.radlab.core.jobs.AssessConfig;
import org.radlab.core.metrics.DetectionReport;
import org.radlab.core.metrics.Overlap;

/**
 * Assesses a deployed detector from the boxes it drew in practice and the boxes the radiologists drew on the same
 * cases. Input: {@code case,date,source,x_min,y_min,x_max,y_max,label,score}, {@code source} {@code model} or
 * {@code read}; a case one source found nothing on has one row of that source with empty box fields. Every case
 * needs both sources.
 *
 * <p>Two kinds of measure. Ranking ones use every box with its score: mAP (IoU 0.5 to 0.95), AP50, AP75, per
 * class, with bootstrap intervals over the cases ({@link DetectionReport}). Operating ones use the boxes the
 * deployment shows, those scoring at least the threshold: each read box is paired with at most one shown box of
 * its class, greedily by overlap (largest IoU first); <b>mean IoU</b> averages over the read boxes the IoU of each
 * one's pair (0 for a read box left without one); <b>sensitivity</b> is the share of read boxes whose pair
 * overlaps by IoU ≥ 0.5; a shown box that is no read box's pair at IoU ≥ 0.5 is a <b>false positive</b>. Output:
 * {@code assessment.json} (the overall measures, a per-case timeline and a per-period drift table) and the
 * precision-recall and FROC charts.
 */
public final class DetectionAssessment {
  /** The IoU from which a shown box finds a read box. */
  public static final double HIT_IOU = 0.5;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String LAYOUT = "case,date,source,x_min,y_min,x_max,y_max,label,score";

  private DetectionAssessment() {}

  /** The boxes shown at the threshold against the reads, on some cases. */
  public record Operating(int cases, int readBoxes, int shownBoxes, double meanIou, double sensitivity,
      int falsePositives, double falsePositivesPerCase) {}

  /** The whole period: the ranking measures, and the operating ones at {@code threshold}. */
  public record Overall(int cases, double threshold, Operating operating, DetectionReport metrics) {}

  /** One case on the timeline (date as YYYY-MM-DD). */
  public record CasePoint(String caseId, String date, int readBoxes, int shownBoxes, int found, int falsePositives,
      double meanIou) {}

  /** One period: the ranking measures without intervals, and the operating ones. */
  public record PeriodRow(String period, int cases, double map, double ap50, Operating operating) {}

  public record Assessment(String task, Overall overall, List<CasePoint> timeline, String period,
      List<PeriodRow> drift) {}

  public static Assessment run(AssessConfig cfg) throws IOException {
    Input in = read(Path.of(cfg.predictions()));
    double threshold = cfg.threshold();
    DetectionReport metrics = DetectionReport.of(in.reads, in.model,
        new DetectionReport.Options(cfg.bootstrap(), 0.95, cfg.seed()));
    Map<String, List<BoxTable.Box>> reads = byCase(in.reads);
    Map<String, List<BoxTable.Box>> shown = byCase(new BoxTable(in.model.images(), in.model.boxes().stream()
        .filter(b -> b.score() >= threshold).toList()));
    List<String> cases = in.reads.images();
    Map<String, Pairing> pairings = new HashMap<>();
    cases.forEach(c -> pairings.put(c, Pairing.of(reads.getOrDefault(c, List.of()), shown.getOrDefault(c, List.of()))));

    List<CasePoint> timeline = new ArrayList<>();
    for (String c : cases) {
      Pairing p = pairings.get(c);
      timeline.add(new CasePoint(c, in.dates.get(c).toString(), p.reads, p.shown, p.found, p.shown - p.found,
          p.reads == 0 ? Double.NaN : p.iouSum / p.reads));
    }
    timeline.sort(Comparator.comparing(CasePoint::date).thenComparing(CasePoint::caseId));

    Map<String, List<String>> byPeriod = new TreeMap<>();
    for (String c : cases) {
      byPeriod.computeIfAbsent(AssessJob.period(in.dates.get(c), cfg.period()), k -> new ArrayList<>()).add(c);
    }
    List<PeriodRow> drift = new ArrayList<>();
    for (var e : byPeriod.entrySet()) {
      Set<String> in_ = Set.copyOf(e.getValue());
      DetectionReport part = DetectionReport.of(subset(in.reads, in_), subset(in.model, in_),
          new DetectionReport.Options(0, 0.95, cfg.seed()));
      drift.add(new PeriodRow(e.getKey(), e.getValue().size(), part.map(), part.ap50(),
          operating(e.getValue(), pairings)));
    }
    Assessment a = new Assessment("detection", new Overall(cases.size(), threshold, operating(cases, pairings),
        metrics), timeline, cfg.period(), drift);
    Path out = Files.createDirectories(Path.of(cfg.output()));
    JSON.writeValue(out.resolve("assessment.json").toFile(), a);
    Charts.forDetection(metrics, "assessment", out);
    return a;
  }

  /** One line for the command: the overall measures. */
  public static String describe(Assessment a) {
    Operating o = a.overall().operating();
    DetectionReport m = a.overall().metrics();
    return String.format(Locale.ROOT, "%d cases, %d read boxes; mAP %.3f, AP50 %.3f; at score %.2f: mean IoU %.3f, "
        + "sensitivity %.3f, false positives per case %.2f", a.overall().cases(), o.readBoxes(), m.map(), m.ap50(),
        a.overall().threshold(), o.meanIou(), o.sensitivity(), o.falsePositivesPerCase());
  }

  private static Operating operating(List<String> cases, Map<String, Pairing> pairings) {
    int reads = 0;
    int shown = 0;
    int found = 0;
    double iou = 0;
    for (String c : cases) {
      Pairing p = pairings.get(c);
      reads += p.reads;
      shown += p.shown;
      found += p.found;
      iou += p.iouSum;
    }
    int falsePositives = shown - found;
    return new Operating(cases.size(), reads, shown, reads == 0 ? Double.NaN : iou / reads,
        reads == 0 ? Double.NaN : (double) found / reads, falsePositives, (double) falsePositives / cases.size());
  }

  /**
   * One case's read boxes paired with its shown boxes: of the same class, largest IoU first, each box in at most
   * one pair, overlapping pairs only.
   */
  private record Pairing(int reads, int shown, int found, double iouSum) {
    static Pairing of(List<BoxTable.Box> reads, List<BoxTable.Box> shown) {
      List<double[]> candidates = new ArrayList<>(); // {iou, read index, shown index}
      for (int r = 0; r < reads.size(); r++) {
        for (int s = 0; s < shown.size(); s++) {
          if (reads.get(r).label().equals(shown.get(s).label())) {
            double iou = Overlap.iou(reads.get(r).corners(), shown.get(s).corners());
            if (iou > 0) {
              candidates.add(new double[] {iou, r, s});
            }
          }
        }
      }
      candidates.sort((x, y) -> Double.compare(y[0], x[0]));
      boolean[] readPaired = new boolean[reads.size()];
      boolean[] shownPaired = new boolean[shown.size()];
      int found = 0;
      double sum = 0;
      for (double[] c : candidates) {
        int r = (int) c[1];
        int s = (int) c[2];
        if (!readPaired[r] && !shownPaired[s]) {
          readPaired[r] = true;
          shownPaired[s] = true;
          sum += c[0];
          found += c[0] >= HIT_IOU ? 1 : 0;
        }
      }
      return new Pairing(reads.size(), shown.size(), found, sum);
    }
  }

  private static Map<String, List<BoxTable.Box>> byCase(BoxTable t) {
    Map<String, List<BoxTable.Box>> out = new HashMap<>();
    t.boxes().forEach(b -> out.computeIfAbsent(b.image(), k -> new ArrayList<>()).add(b));
    return out;
  }

  private static BoxTable subset(BoxTable t, Set<String> cases) {
    return new BoxTable(t.images().stream().filter(cases::contains).toList(),
        t.boxes().stream().filter(b -> cases.contains(b.image())).toList());
  }

  private record Input(BoxTable reads, BoxTable model, Map<String, LocalDate> dates) {}

  /** Splits the file by source into the reads and the model's boxes; every case needs both and one date. */
  static Input read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new IllegalArgumentException(csv + " is empty; expected the header " + LAYOUT);
    }
    String headerLine = lines.get(0).replace("\uFEFF", "");
    List<String> header = Csv.fields(headerLine).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    int caseAt = header.indexOf("case");
    int dateAt = header.indexOf("date");
    int sourceAt = header.indexOf("source");
    if (caseAt < 0 || dateAt < 0 || sourceAt < 0) {
      throw new IllegalArgumentException(csv + ": the header must hold case, date and source: " + LAYOUT + "; got "
          + headerLine);
    }
    StringBuilder model = new StringBuilder(headerLine).append('\n');
    StringBuilder reads = new StringBuilder(headerLine).append('\n');
    Map<String, LocalDate> dates = new LinkedHashMap<>();
    Csv.rows(lines, csv.toString(), header.size(), headerLine, (where, f) -> {
      String caseId = f.get(caseAt);
      LocalDate date = AssessJob.date(f.get(dateAt), where);
      LocalDate before = dates.putIfAbsent(caseId, date);
      if (before != null && !before.equals(date)) {
        throw new IllegalArgumentException(where + ": case " + caseId + " is dated " + date + " here and " + before
            + " above");
      }
      String line = f.stream().map(Csv::quote).collect(java.util.stream.Collectors.joining(","));
      switch (f.get(sourceAt)) {
        case "model" -> model.append(line).append('\n');
        case "read" -> reads.append(line).append('\n');
        default -> throw new IllegalArgumentException(where + ": source must be 'model' or 'read', got '"
            + f.get(sourceAt) + "'");
      }
    });
    BoxTable modelBoxes = BoxTable.predictionsFrom(model.toString(), csv + " (model rows)", "case");
    BoxTable readBoxes = BoxTable.referenceFrom(reads.toString(), csv + " (read rows)", "case");
    Set<String> predicted = Set.copyOf(modelBoxes.images());
    Set<String> read = Set.copyOf(readBoxes.images());
    for (String c : dates.keySet()) {
      if (!predicted.contains(c) || !read.contains(c)) {
        throw new IllegalArgumentException(csv + ": case " + c + " has no " + (predicted.contains(c) ? "read" : "model")
            + " rows; every case needs both (a row with empty box fields when that source found nothing)");
      }
    }
    if (dates.size() < 2) {
      throw new IllegalArgumentException(csv + ": an assessment needs at least 2 cases, got " + dates.size());
    }
    return new Input(readBoxes, modelBoxes, dates);
  }
}
