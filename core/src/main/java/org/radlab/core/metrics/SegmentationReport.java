package org.radlab.core.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.radlab.core.dataset.LabelMask;

/**
 * The metric set of a segmenter's masks against reference masks: the shape of a segmentation model's
 * {@code metrics.json} and of {@code radlab metrics --task segmentation}.
 *
 * <p>Each image is a slice of a series (a 2D image is a series of one slice); a series' slices, in order of their
 * position, make a volume with the series' voxel spacing. Per class (index 1..k of the masks, named by
 * {@code classes}):
 * <ul>
 *   <li><b>Dice</b> {@code 2|P∩R| / (|P| + |R|)} and <b>IoU</b> {@code |P∩R| / |P∪R|}, per image and per series
 *   (over the series' voxels). A class absent from both masks has neither (it is left out of the means, as MONAI's
 *   {@code ignore_empty} does);</li>
 *   <li><b>HD95</b>, the 95th-percentile Hausdorff distance in mm per series ({@link SurfaceDistance}); undefined
 *   when either mask of the class is empty;</li>
 *   <li><b>volume</b> per series in mL: voxels times the voxel volume (row spacing × column spacing × slice
 *   spacing, mm³) / 1000; for a single 2D image, its area times its slice spacing.</li>
 * </ul>
 * A class's {@code dice}, {@code iou} and {@code hd95} are the means over the series where they are defined, with
 * percentile bootstrap intervals resampling the series; the overall {@code dice}, {@code iou} and {@code hd95}
 * average the classes' means. {@code volumes} pairs each series' predicted and reference volumes per class, with
 * their Bland-Altman agreement (predicted minus reference) when at least two series hold the class in either mask.
 */
public record SegmentationReport(
    String task,
    int images,
    int series,
    List<String> classes,
    double dice,
    double iou,
    double hd95,
    Map<String, ClassSummary> perClass,
    List<SeriesResult> perSeries,
    List<ImageResult> perImage,
    Map<String, Volumes> volumes) {

  /** One image of the evaluation: its series, its place in it, its spacing (mm) and its two masks. */
  public record Slice(String image, String series, double position, double rowSpacing, double columnSpacing,
      double sliceSpacing, LabelMask predicted, LabelMask reference) {
    public Slice {
      if (predicted.width() != reference.width() || predicted.height() != reference.height()) {
        throw new IllegalArgumentException("image " + image + ": the predicted mask is " + predicted.width() + " x "
            + predicted.height() + ", the reference " + reference.width() + " x " + reference.height());
      }
      if (!(rowSpacing > 0) || !(columnSpacing > 0) || !(sliceSpacing > 0)) {
        throw new IllegalArgumentException("image " + image + ": spacings must be positive millimetres");
      }
    }
  }

  /** Dice and IoU of one class on one image or series; NaN where the class is in neither mask. */
  public record Overlaps(double dice, double iou) {}

  public record ImageResult(String image, String series, Map<String, Overlaps> classes) {}

  /** One class on one series: overlaps, HD95 (mm) and both volumes (mL). */
  public record SeriesClass(double dice, double iou, double hd95, double predictedMl, double referenceMl) {}

  public record SeriesResult(String series, int slices, Map<String, SeriesClass> classes) {}

  /** A class over the series: means where defined, with their intervals, and how many series define each. */
  public record ClassSummary(double dice, Bootstrap.Interval diceCi, double iou, Bootstrap.Interval iouCi,
      double hd95, Bootstrap.Interval hd95Ci, int seriesWithClass, int seriesWithHd95) {}

  /** Predicted against reference volumes of one class, per series, and their agreement (null under two series). */
  public record Volumes(List<VolumePairs.Pair> pairs, BlandAltman agreement) {}

  public record Options(int resamples, double level, long seed) {
    public static Options defaults() {
      return new Options(1000, 0.95, 1);
    }
  }

  public static SegmentationReport compute(List<Slice> slices, List<String> classes, Options options) {
    if (slices.isEmpty()) {
      throw new IllegalArgumentException("no image to evaluate");
    }
    if (classes.isEmpty() || classes.size() > 255) {
      throw new IllegalArgumentException("1 to 255 classes, not " + classes.size());
    }
    for (Slice s : slices) {
      int max = Math.max(s.predicted().maxLabel(), s.reference().maxLabel());
      if (max > classes.size()) {
        throw new IllegalArgumentException("image " + s.image() + " holds class index " + max + ", but there are "
            + classes.size() + " classes " + classes);
      }
    }
    List<ImageResult> perImage = new ArrayList<>();
    for (Slice s : slices) {
      Map<String, Overlaps> byClass = new LinkedHashMap<>();
      for (int c = 1; c <= classes.size(); c++) {
        long[] n = counts(s.predicted().of(c), s.reference().of(c));
        byClass.put(classes.get(c - 1), overlaps(n));
      }
      perImage.add(new ImageResult(s.image(), s.series(), byClass));
    }

    Map<String, List<Slice>> bySeries = new LinkedHashMap<>();
    slices.forEach(s -> bySeries.computeIfAbsent(s.series(), k -> new ArrayList<>()).add(s));
    List<SeriesResult> perSeries = new ArrayList<>();
    for (var e : bySeries.entrySet()) {
      perSeries.add(series(e.getKey(), e.getValue(), classes));
    }

    Map<String, ClassSummary> perClass = new LinkedHashMap<>();
    Map<String, Volumes> volumes = new LinkedHashMap<>();
    for (String name : classes) {
      double[] dice = new double[perSeries.size()];
      double[] iou = new double[perSeries.size()];
      double[] hd = new double[perSeries.size()];
      List<VolumePairs.Pair> pairs = new ArrayList<>();
      for (int i = 0; i < perSeries.size(); i++) {
        SeriesClass sc = perSeries.get(i).classes().get(name);
        dice[i] = sc.dice();
        iou[i] = sc.iou();
        hd[i] = sc.hd95();
        pairs.add(new VolumePairs.Pair(perSeries.get(i).series(), sc.predictedMl(), sc.referenceMl()));
      }
      Bootstrap.Interval[] ci = new Bootstrap.Interval[3];
      if (options.resamples() > 0) {
        List<ToDoubleFunction<int[]>> statistics = List.of(w -> weightedMean(dice, w), w -> weightedMean(iou, w),
            w -> weightedMean(hd, w));
        ci = Bootstrap.weighted(perSeries.size(), statistics, options.resamples(), options.level(), options.seed())
            .toArray(ci);
      }
      int[] ones = new int[perSeries.size()];
      java.util.Arrays.fill(ones, 1);
      perClass.put(name, new ClassSummary(weightedMean(dice, ones), ci[0], weightedMean(iou, ones), ci[1],
          weightedMean(hd, ones), ci[2], defined(dice), defined(hd)));
      List<VolumePairs.Pair> present = pairs.stream().filter(p -> p.predicted() > 0 || p.reference() > 0).toList();
      volumes.put(name, new Volumes(pairs, present.size() >= 2 ? VolumePairs.agreement(present) : null));
    }
    return new SegmentationReport("segmentation", slices.size(), perSeries.size(), List.copyOf(classes),
        meanOfDefined(perClass.values().stream().mapToDouble(ClassSummary::dice).toArray()),
        meanOfDefined(perClass.values().stream().mapToDouble(ClassSummary::iou).toArray()),
        meanOfDefined(perClass.values().stream().mapToDouble(ClassSummary::hd95).toArray()),
        perClass, perSeries, perImage, volumes);
  }

  /** A series' slices stacked by position into one volume per class. */
  private static SeriesResult series(String id, List<Slice> slices, List<String> classes) {
    List<Slice> ordered = new ArrayList<>(slices);
    ordered.sort(Comparator.comparingDouble(Slice::position).thenComparing(Slice::image));
    Slice first = ordered.get(0);
    int w = first.reference().width();
    int h = first.reference().height();
    for (Slice s : ordered) {
      if (s.reference().width() != w || s.reference().height() != h || s.rowSpacing() != first.rowSpacing()
          || s.columnSpacing() != first.columnSpacing() || s.sliceSpacing() != first.sliceSpacing()) {
        throw new IllegalArgumentException("series " + id + ": image " + s.image() + " differs from image "
            + first.image() + " in size or spacing; a series' slices share both");
      }
    }
    int d = ordered.size();
    double voxelMl = first.rowSpacing() * first.columnSpacing() * first.sliceSpacing() / 1000;
    double[] spacing = {first.columnSpacing(), first.rowSpacing(), first.sliceSpacing()};
    Map<String, SeriesClass> byClass = new LinkedHashMap<>();
    for (int c = 1; c <= classes.size(); c++) {
      boolean[] p = new boolean[w * h * d];
      boolean[] r = new boolean[w * h * d];
      for (int z = 0; z < d; z++) {
        System.arraycopy(ordered.get(z).predicted().of(c), 0, p, z * w * h, w * h);
        System.arraycopy(ordered.get(z).reference().of(c), 0, r, z * w * h, w * h);
      }
      long[] n = counts(p, r);
      Overlaps o = overlaps(n);
      byClass.put(classes.get(c - 1), new SeriesClass(o.dice(), o.iou(),
          SurfaceDistance.hd95(p, r, w, h, d, spacing), n[1] * voxelMl, n[2] * voxelMl));
    }
    return new SeriesResult(id, d, byClass);
  }

  private static Overlaps overlaps(long[] n) {
    long union = n[1] + n[2] - n[0];
    if (union == 0) {
      return new Overlaps(Double.NaN, Double.NaN);
    }
    return new Overlaps(2.0 * n[0] / (n[1] + n[2]), (double) n[0] / union);
  }

  /** {intersection, |predicted|, |reference|}. */
  private static long[] counts(boolean[] p, boolean[] r) {
    long both = 0;
    long np = 0;
    long nr = 0;
    for (int i = 0; i < p.length; i++) {
      np += p[i] ? 1 : 0;
      nr += r[i] ? 1 : 0;
      both += p[i] && r[i] ? 1 : 0;
    }
    return new long[] {both, np, nr};
  }

  /** The mean of the defined values, each counted {@code weights[i]} times; NaN when none is defined. */
  static double weightedMean(double[] values, int[] weights) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < values.length; i++) {
      if (!Double.isNaN(values[i]) && weights[i] > 0) {
        sum += values[i] * weights[i];
        n += weights[i];
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static double meanOfDefined(double[] values) {
    int[] ones = new int[values.length];
    java.util.Arrays.fill(ones, 1);
    return weightedMean(values, ones);
  }

  private static int defined(double[] values) {
    int n = 0;
    for (double v : values) {
      n += Double.isNaN(v) ? 0 : 1;
    }
    return n;
  }
}
