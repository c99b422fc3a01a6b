package org.radlab.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.radlab.core.metrics.BlandAltman;
import org.radlab.core.metrics.DetectionAp;
import org.radlab.core.metrics.DetectionReport;
import org.radlab.core.metrics.Froc;
import org.radlab.core.metrics.MetricsReport;
import org.radlab.core.metrics.Roc;
import org.radlab.core.metrics.SegmentationReport;
import org.radlab.core.metrics.VolumePairs;

/**
 * Charts a person can open without the web pages, each written as {@code NAME.png} and {@code NAME.svg} (XChart):
 * the confusion matrix as a heat map, the ROC curve with its operating point, probability over time with false
 * positives and false negatives marked, Bland-Altman, and predicted-versus-reference volumes.
 */
public final class Charts {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 520;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** Writes the confusion matrix and ROC of a report into {@code dir}; returns the files written. */
  public static List<Path> forReport(MetricsReport report, String title, Path dir) throws IOException {
    List<Path> out = new ArrayList<>(confusionMatrix(report, title, dir));
    if (!report.binary().roc().isEmpty()) {
      out.addAll(roc(report, title, dir));
    }
    return out;
  }

  public static List<Path> confusionMatrix(MetricsReport report, String title, Path dir) throws IOException {
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
        .title(title + ": confusion matrix (" + report.cases() + " studies)").xAxisTitle("predicted")
        .yAxisTitle("reference").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setLegendVisible(false);
    List<Number[]> cells = new ArrayList<>();
    long[][] m = report.confusionMatrix();
    for (int r = 0; r < m.length; r++) {
      for (int p = 0; p < m.length; p++) {
        cells.add(new Number[] {p, r, m[r][p]});
      }
    }
    chart.addSeries("counts", report.classes(), report.classes(), cells);
    return save(chart, dir, "confusion-matrix");
  }

  public static List<Path> roc(MetricsReport report, String title, Path dir) throws IOException {
    MetricsReport.Binary b = report.binary();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(java.util.Locale.ROOT, "%s: ROC, %s vs rest (AUC %.3f)", title,
            String.join("+", b.positiveClasses()), b.auc()))
        .xAxisTitle("1 - specificity").yAxisTitle("sensitivity").build();
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    double[] x = b.roc().stream().mapToDouble(Roc.Point::falsePositiveRate).toArray();
    double[] y = b.roc().stream().mapToDouble(Roc.Point::truePositiveRate).toArray();
    chart.addSeries("ROC", x, y).setMarker(SeriesMarkers.NONE);
    chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE);
    XYSeries op = chart.addSeries(String.format(java.util.Locale.ROOT, "threshold %.2f", b.threshold()),
        new double[] {1 - b.specificity()}, new double[] {b.sensitivity()});
    op.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    return save(chart, dir, "roc");
  }

  /** The precision-recall curve of each class at IoU 0.5, and the FROC curve, of a detection report. */
  public static List<Path> forDetection(DetectionReport report, String title, Path dir) throws IOException {
    XYChart pr = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(java.util.Locale.ROOT, "%s: precision-recall at IoU 0.5 (AP50 %.3f)", title,
            report.ap50()))
        .xAxisTitle("recall").yAxisTitle("precision (interpolated)").build();
    pr.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    double[] recall = new double[DetectionAp.RECALL_LEVELS];
    for (int k = 0; k < recall.length; k++) {
      recall[k] = DetectionAp.recallLevel(k);
    }
    report.precisionAtRecall50().forEach((label, precision) -> pr.addSeries(String.format(java.util.Locale.ROOT,
        "%s (AP50 %.3f)", label, report.perClass().get(label).ap50()), recall, precision)
        .setMarker(SeriesMarkers.NONE));
    List<Path> out = new ArrayList<>(save(pr, dir, "precision-recall"));

    DetectionReport.FrocSummary f = report.froc();
    XYChart froc = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(java.util.Locale.ROOT, "%s: FROC (mean sensitivity %.3f)", title, f.mean()))
        .xAxisTitle("false positives per image").yAxisTitle("lesion sensitivity").build();
    froc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisMin(0.0).setXAxisMax(8.0);
    // a step curve: the sensitivity holds until the next false positive
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (Froc.Point p : f.curve()) {
      if (!x.isEmpty()) {
        x.add(Math.min(8, p.falsePositivesPerImage()));
        y.add(y.get(y.size() - 1));
      }
      x.add(Math.min(8, p.falsePositivesPerImage()));
      y.add(p.sensitivity());
    }
    froc.addSeries("detections", x, y).setMarker(SeriesMarkers.NONE);
    List<Double> rx = new ArrayList<>();
    List<Double> ry = new ArrayList<>();
    f.sensitivity().forEach((rate, s) -> {
      rx.add(Double.parseDouble(rate));
      ry.add(s);
    });
    froc.addSeries("at 1/8 to 8 per image", rx, ry).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    out.addAll(save(froc, dir, "froc"));
    return out;
  }

  /**
   * A segmentation report's charts, per class: the predicted against the reference volume of each series
   * ({@code <class>-volumes}) and, when at least two series hold the class, their Bland-Altman plot
   * ({@code <class>-bland-altman}); class names are made safe for file names.
   */
  public static List<Path> forSegmentation(SegmentationReport report, String title, Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (var e : report.volumes().entrySet()) {
      String name = e.getKey().replaceAll("[^A-Za-z0-9_-]", "_");
      String classTitle = title + ", " + e.getKey() + " (mL)";
      out.addAll(volumes(e.getValue().pairs(), classTitle, dir, name + "-volumes"));
      if (e.getValue().agreement() != null) {
        out.addAll(blandAltman(e.getValue().agreement(), classTitle, dir, name + "-bland-altman"));
      }
    }
    return out;
  }

  public static List<Path> blandAltman(BlandAltman ba, String title, Path dir) throws IOException {
    return blandAltman(ba, title, dir, "bland-altman");
  }

  private static List<Path> blandAltman(BlandAltman ba, String title, Path dir, String file) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title + ": Bland-Altman")
        .xAxisTitle("mean of the two measurements").yAxisTitle("difference").build();
    double[] x = ba.points().stream().mapToDouble(BlandAltman.Point::mean).toArray();
    double[] y = ba.points().stream().mapToDouble(BlandAltman.Point::difference).toArray();
    chart.addSeries("cases", x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    double lo = java.util.Arrays.stream(x).min().orElse(0);
    double hi = java.util.Arrays.stream(x).max().orElse(1);
    line(chart, String.format(java.util.Locale.ROOT, "bias %.3g", ba.bias()), lo, hi, ba.bias());
    line(chart, String.format(java.util.Locale.ROOT, "bias - 1.96 SD %.3g", ba.lower()), lo, hi, ba.lower());
    line(chart, String.format(java.util.Locale.ROOT, "bias + 1.96 SD %.3g", ba.upper()), lo, hi, ba.upper());
    return save(chart, dir, file);
  }

  public static List<Path> volumes(List<VolumePairs.Pair> pairs, String title, Path dir) throws IOException {
    return volumes(pairs, title, dir, "volumes");
  }

  private static List<Path> volumes(List<VolumePairs.Pair> pairs, String title, Path dir, String file)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title + ": volumes")
        .xAxisTitle("reference volume").yAxisTitle("predicted volume").build();
    double[] x = pairs.stream().mapToDouble(VolumePairs.Pair::reference).toArray();
    double[] y = pairs.stream().mapToDouble(VolumePairs.Pair::predicted).toArray();
    chart.addSeries("cases", x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    double max = Math.max(java.util.Arrays.stream(x).max().orElse(1), java.util.Arrays.stream(y).max().orElse(1));
    chart.addSeries("identity", new double[] {0, max}, new double[] {0, max}).setMarker(SeriesMarkers.NONE);
    return save(chart, dir, file);
  }

  /** Each study's positive score over time, false positives and false negatives in their own series. */
  public static List<Path> probabilityOverTime(List<AssessJob.TimelinePoint> timeline, double threshold,
      String positive, Path dir) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH * 3 / 2).height(HEIGHT).title("P(" + positive + ") over time")
        .xAxisTitle("study date").yAxisTitle("predicted probability").build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setDatePattern("yyyy-MM");
    for (String outcome : new String[] {"TP", "TN", "FP", "FN"}) {
      List<java.util.Date> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (AssessJob.TimelinePoint p : timeline) {
        if (p.outcome().equals(outcome)) {
          x.add(toDate(p.date()));
          y.add(p.score());
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(switch (outcome) {
          case "FP" -> "false positive";
          case "FN" -> "false negative";
          case "TP" -> "true positive";
          default -> "true negative";
        }, x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }
    if (!timeline.isEmpty()) {
      java.util.Date first = toDate(timeline.get(0).date());
      java.util.Date last = toDate(timeline.get(timeline.size() - 1).date());
      chart.addSeries("threshold", List.of(first, last), List.of(threshold, threshold)).setMarker(SeriesMarkers.NONE);
    }
    return save(chart, dir, "probability-over-time");
  }

  private static java.util.Date toDate(String isoDate) {
    return java.util.Date.from(java.time.LocalDate.parse(isoDate).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
  }

  private static void line(XYChart chart, String name, double from, double to, double y) {
    chart.addSeries(name, new double[] {from, to}, new double[] {y, y}).setMarker(SeriesMarkers.NONE);
  }

  private static List<Path> save(Chart<?, ?> chart, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path png = dir.resolve(name + ".png");
    Path svg = dir.resolve(name + ".svg");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    return List.of(png, svg);
  }
}
