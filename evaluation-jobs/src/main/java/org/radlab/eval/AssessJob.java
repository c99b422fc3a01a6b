package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.radlab.core.jobs.AssessConfig;
import org.radlab.core.metrics.Auc;
import org.radlab.core.metrics.BinaryMetrics;
import org.radlab.core.metrics.Kappa;
import org.radlab.core.metrics.MetricsReport;
import org.radlab.core.task.TaskType;

/**
 * Assesses a deployed model from what it predicted in practice and what the radiologists read. Input: a CSV with
 * one row per study: an id, the study date, the radiologists' read (a class), then one probability column per
 * class (the header names the classes). Output, in the output folder: {@code assessment.json} with the metrics at
 * the chosen threshold and positive classes, a threshold sweep, the timeline (each study's positive score, with
 * false positives and false negatives flagged) and a per-period drift table (linear kappa, binary AUC, positive
 * rates); and the charts (confusion matrix, ROC, probability over time) as PNG and SVG. A detector's assessment
 * ({@code "task": "detection"}) is {@link DetectionAssessment}'s, a segmenter's {@link SegmentationAssessment}'s.
 *
 * <p>Runs as {@code radlab assess --config FILE} or {@code spark-submit --class org.radlab.eval.AssessJob app.jar
 * config.json}; the computation needs no cluster.
 */
public final class AssessJob {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AssessJob() {}

  /** One study on the timeline (date as YYYY-MM-DD); {@code outcome} is TP, FP, TN or FN at the threshold. */
  public record TimelinePoint(String study, String date, double score, boolean referencePositive,
      String outcome) {}

  /** One threshold of the sweep. */
  public record SweepPoint(double threshold, double sensitivity, double specificity, double ppv, double npv,
      double f1, double kappa) {}

  /** One period: studies, linear kappa (all classes), binary AUC, and the share called positive / read positive. */
  public record PeriodRow(String period, int studies, double kappaLinear, double auc, double predictedPositiveRate,
      double referencePositiveRate) {}

  public record Assessment(MetricsReport overall, List<SweepPoint> thresholdSweep, List<TimelinePoint> timeline,
      String period, List<PeriodRow> drift) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: AssessJob CONFIG.json   (see docs/evaluation.md)");
      System.exit(2);
    }
    AssessConfig cfg = AssessConfig.read(Path.of(args[0]));
    if (cfg.task() == TaskType.DETECTION) {
      System.out.println(DetectionAssessment.describe(DetectionAssessment.run(cfg)));
    } else if (cfg.task() == TaskType.SEGMENTATION) {
      System.out.println(SegmentationAssessment.describe(SegmentationAssessment.run(cfg)));
    } else {
      run(cfg);
    }
    System.out.println("assessment written to " + cfg.output());
  }

  /** A classifier's assessment ({@link DetectionAssessment#run} for a detector's). */
  public static Assessment run(AssessConfig cfg) throws IOException {
    if (cfg.task() != TaskType.CLASSIFICATION) {
      throw new IllegalArgumentException("this assessment is for classifiers; the config's task is " + cfg.task().id());
    }
    Input in = read(Path.of(cfg.predictions()));
    MetricsReport overall = MetricsReport.compute(in.classes, in.reference, in.probabilities,
        new MetricsReport.Options(cfg.positive(), cfg.threshold(), cfg.bootstrap(), 0.95, cfg.seed()));
    List<Integer> positive = new ArrayList<>();
    overall.binary().positiveClasses().forEach(c -> positive.add(in.classes.indexOf(c)));
    int n = in.reference.length;
    double[] score = new double[n];
    boolean[] isPositive = new boolean[n];
    for (int i = 0; i < n; i++) {
      for (int c : positive) {
        score[i] += in.probabilities[i][c];
      }
      isPositive[i] = positive.contains(in.reference[i]);
    }
    List<SweepPoint> sweep = new ArrayList<>();
    for (int t = 0; t <= 100; t += 5) {
      BinaryMetrics m = BinaryMetrics.at(score, isPositive, t / 100.0);
      sweep.add(new SweepPoint(t / 100.0, m.sensitivity(), m.specificity(), m.ppv(), m.npv(), m.f1(), m.kappa()));
    }
    List<TimelinePoint> timeline = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean called = score[i] >= cfg.threshold();
      String outcome = called ? (isPositive[i] ? "TP" : "FP") : (isPositive[i] ? "FN" : "TN");
      timeline.add(new TimelinePoint(in.ids.get(i), in.dates.get(i).toString(), score[i], isPositive[i], outcome));
    }
    timeline.sort(java.util.Comparator.comparing(TimelinePoint::date).thenComparing(TimelinePoint::study));

    Map<String, List<Integer>> byPeriod = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      byPeriod.computeIfAbsent(period(in.dates.get(i), cfg.period()), k -> new ArrayList<>()).add(i);
    }
    List<PeriodRow> drift = new ArrayList<>();
    int k = in.classes.size();
    byPeriod.forEach((p, idx) -> {
      int[] ref = new int[idx.size()];
      int[] pred = new int[idx.size()];
      double[] s = new double[idx.size()];
      boolean[] pos = new boolean[idx.size()];
      int called = 0;
      int read = 0;
      for (int j = 0; j < idx.size(); j++) {
        int i = idx.get(j);
        ref[j] = in.reference[i];
        pred[j] = argmax(in.probabilities[i]);
        s[j] = score[i];
        pos[j] = isPositive[i];
        called += score[i] >= cfg.threshold() ? 1 : 0;
        read += isPositive[i] ? 1 : 0;
      }
      drift.add(new PeriodRow(p, idx.size(), Kappa.of(ref, pred, k, Kappa.Weighting.LINEAR), Auc.binary(s, pos),
          (double) called / idx.size(), (double) read / idx.size()));
    });
    Assessment a = new Assessment(overall, sweep, timeline, cfg.period(), drift);
    Path out = Files.createDirectories(Path.of(cfg.output()));
    JSON.writeValue(out.resolve("assessment.json").toFile(), a);
    Charts.forReport(overall, "assessment", out);
    Charts.probabilityOverTime(timeline, cfg.threshold(), String.join("+", overall.binary().positiveClasses()), out);
    return a;
  }

  /** {@code 2024-03} by month, {@code 2024-Q1} by quarter, {@code 2024-W09} by ISO week, {@code 2024} by year. */
  static String period(LocalDate d, String period) {
    return switch (period) {
      case "month" -> String.format(Locale.ROOT, "%04d-%02d", d.getYear(), d.getMonthValue());
      case "quarter" -> String.format(Locale.ROOT, "%04d-Q%d", d.getYear(), d.get(IsoFields.QUARTER_OF_YEAR));
      case "week" -> String.format(Locale.ROOT, "%04d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR),
          d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case "year" -> Integer.toString(d.getYear());
      default -> throw new IllegalArgumentException("period must be week, month, quarter or year, not " + period);
    };
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  private record Input(List<String> classes, List<String> ids, List<LocalDate> dates, int[] reference,
      double[][] probabilities) {}

  /** Reads ID,DATE,READ,CLASS1,CLASS2,...; a malformed row is an error naming its line. */
  private static Input read(Path csv) throws IOException {
    PredictionsCsv table = PredictionsCsv.read(csv, 3, "ID,DATE,READ,CLASS1,CLASS2[,...]");
    List<String> ids = new ArrayList<>();
    List<LocalDate> dates = new ArrayList<>();
    for (int i = 0; i < table.leading().size(); i++) {
      ids.add(table.leading().get(i).get(0));
      dates.add(date(table.leading().get(i).get(1), csv + " row " + (i + 1) + " (after the header)"));
    }
    return new Input(table.classes(), ids, dates, table.reference(), table.probabilities());
  }

  /** A study date, YYYY-MM-DD or YYYYMMDD; {@code where} names the row in the error. */
  static LocalDate date(String text, String where) {
    try {
      return text.length() == 8 && text.chars().allMatch(Character::isDigit)
          ? LocalDate.parse(text, DateTimeFormatter.BASIC_ISO_DATE) : LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(where + ": date '" + text + "' is neither YYYY-MM-DD nor YYYYMMDD");
    }
  }
}
