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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.radlab.core.dataset.Csv;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.jobs.AssessConfig;
import org.radlab.core.metrics.SegmentationReport;
import org.radlab.core.metrics.VolumePairs;

/**
 * Assesses a deployed segmenter from the masks it drew in practice and the masks the radiologists drew on the same
 * cases. Input: {@code case,date,source,width,height,slices,row_spacing,column_spacing,slice_spacing,runs} with
 * {@code source} {@code model} or {@code read}, one row of each per case: the case's mask over {@code slices}
 * slices of {@code width} x {@code height} pixels, slice after slice, run-length encoded as a mask snapshot stores
 * it, with its spacing in millimetres. Classes are named by the config's {@code classes} (index i is the i-th).
 *
 * <p>Each case is a series of {@link SegmentationReport}: its Dice, IoU and HD95 per class over its voxels and its
 * volumes in mL. Output {@code assessment.json}: the overall report (each class's means with bootstrap intervals over
 * the cases, the volumes with their Bland-Altman agreement), a per-case timeline (mean Dice and IoU over the classes
 * present, and each class's two volumes) and a per-period drift table (the mean Dice and IoU of the cases of each
 * period, overall and per class); and per class the volume scatter and the Bland-Altman plot.
 */
public final class SegmentationAssessment {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String LAYOUT = "case,date,source,width,height,slices,row_spacing,column_spacing,slice_spacing,runs";

  private SegmentationAssessment() {}

  /** One case on the timeline (date as YYYY-MM-DD), with each class's predicted and read volume in mL. */
  public record CasePoint(String caseId, String date, double dice, double iou,
      Map<String, VolumePairs.Pair> volumes) {}

  /** One period: its cases' mean Dice and IoU (over the cases where defined), and each class's mean Dice. */
  public record PeriodRow(String period, int cases, double dice, double iou, Map<String, Double> dicePerClass) {}

  public record Assessment(String task, int cases, SegmentationReport overall, List<CasePoint> timeline,
      String period, List<PeriodRow> drift) {}

  /** One case as the input gives it: a volume of {@code slices} slices and its spacing. */
  record Volume(int width, int height, int slices, double rowSpacing, double columnSpacing, double sliceSpacing,
      byte[] labels) {}

  public static Assessment run(AssessConfig cfg) throws IOException {
    List<String> classes = cfg.classes();
    Input in = read(Path.of(cfg.predictions()), classes.size());
    List<SegmentationReport.Slice> all = new ArrayList<>();
    Map<String, List<SegmentationReport.Slice>> byCase = new LinkedHashMap<>();
    for (String c : in.dates.keySet()) {
      List<SegmentationReport.Slice> slices = slices(c, in.model.get(c), in.read.get(c));
      byCase.put(c, slices);
      all.addAll(slices);
    }
    SegmentationReport overall = SegmentationReport.compute(all, classes,
        new SegmentationReport.Options(cfg.bootstrap(), 0.95, cfg.seed()));
    Map<String, SegmentationReport.SeriesResult> results = new LinkedHashMap<>();
    overall.perSeries().forEach(s -> results.put(s.series(), s));

    List<CasePoint> timeline = new ArrayList<>();
    for (String c : in.dates.keySet()) {
      SegmentationReport.SeriesResult r = results.get(c);
      Map<String, VolumePairs.Pair> volumes = new LinkedHashMap<>();
      r.classes().forEach((name, sc) -> volumes.put(name, new VolumePairs.Pair(c, sc.predictedMl(),
          sc.referenceMl())));
      timeline.add(new CasePoint(c, in.dates.get(c).toString(), mean(r, SegmentationReport.SeriesClass::dice),
          mean(r, SegmentationReport.SeriesClass::iou), volumes));
    }
    timeline.sort(Comparator.comparing(CasePoint::date).thenComparing(CasePoint::caseId));

    Map<String, List<String>> byPeriod = new TreeMap<>();
    for (String c : in.dates.keySet()) {
      byPeriod.computeIfAbsent(AssessJob.period(in.dates.get(c), cfg.period()), k -> new ArrayList<>()).add(c);
    }
    List<PeriodRow> drift = new ArrayList<>();
    for (var e : byPeriod.entrySet()) {
      List<SegmentationReport.SeriesResult> part = e.getValue().stream().map(results::get).toList();
      Map<String, Double> perClass = new LinkedHashMap<>();
      for (String name : classes) {
        perClass.put(name, meanOfDefined(part.stream().mapToDouble(r -> r.classes().get(name).dice()).toArray()));
      }
      drift.add(new PeriodRow(e.getKey(), part.size(),
          meanOfDefined(part.stream().mapToDouble(r -> mean(r, SegmentationReport.SeriesClass::dice)).toArray()),
          meanOfDefined(part.stream().mapToDouble(r -> mean(r, SegmentationReport.SeriesClass::iou)).toArray()),
          perClass));
    }
    Assessment a = new Assessment("segmentation", in.dates.size(), overall, timeline, cfg.period(), drift);
    Path out = Files.createDirectories(Path.of(cfg.output()));
    JSON.writeValue(out.resolve("assessment.json").toFile(), a);
    Charts.forSegmentation(overall, "assessment", out);
    return a;
  }

  /** One line for the command: the overall measures. */
  public static String describe(Assessment a) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%d cases; mean Dice %.3f, IoU %.3f", a.cases(),
        a.overall().dice(), a.overall().iou()));
    a.overall().volumes().forEach((name, v) -> {
      if (v.agreement() != null) {
        b.append(String.format(Locale.ROOT, "; %s volume bias %.2f mL [%.2f, %.2f]", name, v.agreement().bias(),
            v.agreement().lower(), v.agreement().upper()));
      }
    });
    return b.toString();
  }

  /** A case's mean over the classes where a measure is defined (NaN when none is). */
  private static double mean(SegmentationReport.SeriesResult r,
      java.util.function.ToDoubleFunction<SegmentationReport.SeriesClass> measure) {
    return meanOfDefined(r.classes().values().stream().mapToDouble(measure).toArray());
  }

  private static double meanOfDefined(double[] values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** A case's two volumes as the report's slices: one series named by the case, positions 0, 1, ... */
  private static List<SegmentationReport.Slice> slices(String caseId, Volume model, Volume read) {
    int pixels = read.width() * read.height();
    List<SegmentationReport.Slice> out = new ArrayList<>();
    for (int z = 0; z < read.slices(); z++) {
      out.add(new SegmentationReport.Slice(caseId + "#" + z, caseId, z, read.rowSpacing(), read.columnSpacing(),
          read.sliceSpacing(), new LabelMask(model.width(), model.height(), java.util.Arrays.copyOfRange(
              model.labels(), z * pixels, (z + 1) * pixels)), new LabelMask(read.width(), read.height(),
              java.util.Arrays.copyOfRange(read.labels(), z * pixels, (z + 1) * pixels))));
    }
    return out;
  }

  private record Input(Map<String, Volume> model, Map<String, Volume> read, Map<String, LocalDate> dates) {}

  /**
   * The cases of the file, each with one model and one read volume of the same size and spacing, classes 0 to
   * {@code classes}; an error names the line.
   */
  static Input read(Path csv, int classes) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).replace("\uFEFF", "").trim().equals(LAYOUT)) {
      throw new IllegalArgumentException(csv + ": the header must be " + LAYOUT);
    }
    Map<String, Volume> model = new LinkedHashMap<>();
    Map<String, Volume> read = new LinkedHashMap<>();
    Map<String, LocalDate> dates = new LinkedHashMap<>();
    Csv.rows(lines, csv.toString(), 10, LAYOUT, (where, f) -> {
      String caseId = f.get(0);
      LocalDate date = AssessJob.date(f.get(1), where);
      LocalDate before = dates.putIfAbsent(caseId, date);
      if (before != null && !before.equals(date)) {
        throw new IllegalArgumentException(where + ": case " + caseId + " is dated " + date + " here and " + before
            + " above");
      }
      Volume v = volume(f, where);
      LabelMask flat = new LabelMask(v.width(), v.height() * v.slices(), v.labels());
      if (flat.maxLabel() > classes) {
        throw new IllegalArgumentException(where + ": the mask holds class index " + flat.maxLabel() + "; there are "
            + classes + " classes");
      }
      Map<String, Volume> side = switch (f.get(2)) {
        case "model" -> model;
        case "read" -> read;
        default -> throw new IllegalArgumentException(where + ": source must be 'model' or 'read', got '" + f.get(2)
            + "'");
      };
      if (side.put(caseId, v) != null) {
        throw new IllegalArgumentException(where + ": case " + caseId + " has two " + f.get(2) + " rows");
      }
    });
    for (String c : dates.keySet()) {
      Volume m = model.get(c);
      Volume r = read.get(c);
      if (m == null || r == null) {
        throw new IllegalArgumentException(csv + ": case " + c + " has no " + (m == null ? "model" : "read")
            + " row; every case needs both");
      }
      if (m.width() != r.width() || m.height() != r.height() || m.slices() != r.slices()
          || m.rowSpacing() != r.rowSpacing() || m.columnSpacing() != r.columnSpacing()
          || m.sliceSpacing() != r.sliceSpacing()) {
        throw new IllegalArgumentException(csv + ": case " + c + "'s model and read masks differ in size or "
            + "spacing; both must cover the same voxels");
      }
    }
    if (dates.size() < 2) {
      throw new IllegalArgumentException(csv + ": an assessment needs at least 2 cases, got " + dates.size());
    }
    return new Input(model, read, dates);
  }

  private static Volume volume(List<String> f, String where) {
    int w;
    int h;
    int d;
    double[] spacing = new double[3];
    try {
      w = Integer.parseInt(f.get(3));
      h = Integer.parseInt(f.get(4));
      d = Integer.parseInt(f.get(5));
      for (int k = 0; k < 3; k++) {
        spacing[k] = Double.parseDouble(f.get(6 + k));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": width, height and slices must be whole numbers and the spacings"
          + " numbers");
    }
    if (w < 1 || h < 1 || d < 1 || (long) w * h * d > 1L << 28) {
      throw new IllegalArgumentException(where + ": a mask of " + w + " x " + h + " x " + d + " voxels");
    }
    for (double s : spacing) {
      if (!(s > 0) || !Double.isFinite(s)) {
        throw new IllegalArgumentException(where + ": spacings must be positive millimetres");
      }
    }
    byte[] labels = MaskTable.mask(w, h * d, f.get(9), where).labels();
    return new Volume(w, h, d, spacing[0], spacing[1], spacing[2], labels);
  }
}
