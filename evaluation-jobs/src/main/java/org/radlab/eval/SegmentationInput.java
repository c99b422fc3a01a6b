package org.radlab.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.radlab.core.dataset.Csv;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.metrics.SegmentationReport;

/**
 * Predicted and reference masks from two folders of PNG masks named by image ({@code IMAGE.png}, grey value = class
 * index), and optionally where each image lies: a geometry CSV {@code image,series,position,row_spacing,
 * column_spacing,slice_spacing} (millimetres; {@code position} orders a series' slices). Without one, each image is a
 * series of its own with 1 mm spacing, so distances are in pixels and volumes in thousands of pixels.
 */
final class SegmentationInput {
  static final String GEOMETRY_LAYOUT = "image,series,position,row_spacing,column_spacing,slice_spacing";

  private SegmentationInput() {}

  private record Place(String series, double position, double rowSpacing, double columnSpacing,
      double sliceSpacing) {}

  /**
   * Masks from two mask snapshots ({@link MaskTable}: {@code labels import --task segmentation}'s, or a model's
   * predictions in that shape) of a prepared dataset, placed by the dataset's catalog: each image's series, its
   * position, and its spacing at the PNG's size (the original's spacing times the original's size over the PNG's).
   * An image the catalog gives no spacing gets 1 mm, one without a position 0; {@code warnings} hears of both.
   */
  static List<SegmentationReport.Slice> fromSnapshots(Path predictions, Path truth, Path dataset,
      java.util.function.Consumer<String> warnings) throws IOException {
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    return fromSnapshots(MaskTable.read(predictions), MaskTable.read(truth), catalog, dataset.toString(), warnings);
  }

  /** As {@link #fromSnapshots(Path, Path, Path, java.util.function.Consumer)}, from tables and a catalog in hand. */
  static List<SegmentationReport.Slice> fromSnapshots(MaskTable predicted, MaskTable reference,
      Map<String, ImageList.Entry> catalog, String dataset, java.util.function.Consumer<String> warnings) {
    List<String> missing = reference.images().stream().filter(k -> !predicted.masks().containsKey(k)).toList();
    List<String> extra = predicted.images().stream().filter(k -> !reference.masks().containsKey(k)).toList();
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException("the snapshots must hold the same images: " + missing.size() + " reference "
          + "masks have no prediction " + first(missing) + ", " + extra.size() + " predictions have no reference "
          + first(extra));
    }
    List<SegmentationReport.Slice> slices = new ArrayList<>();
    int guessed = 0;
    for (var e : reference.masks().entrySet()) {
      ImageList.Entry image = catalog.get(e.getKey());
      if (image == null) {
        throw new IllegalArgumentException("image " + e.getKey() + " is not in the dataset " + dataset);
      }
      LabelMask r = e.getValue();
      boolean known = image.rowSpacing() != null && image.columnSpacing() != null && image.rows() != null
          && image.columns() != null;
      guessed += known && image.slicePosition() != null ? 0 : 1;
      double rowSpacing = known ? image.rowSpacing() * image.rows() / r.height() : 1;
      double columnSpacing = known ? image.columnSpacing() * image.columns() / r.width() : 1;
      slices.add(new SegmentationReport.Slice(e.getKey(), image.seriesUid() == null ? e.getKey() : image.seriesUid(),
          image.slicePosition() == null ? 0 : image.slicePosition(), rowSpacing, columnSpacing,
          image.sliceSpacing() == null ? 1 : image.sliceSpacing(), predicted.masks().get(e.getKey()), r));
    }
    if (guessed > 0) {
      warnings.accept(guessed + " of " + slices.size() + " images have no recorded spacing or slice position (1 mm "
          + "and position 0 assumed): prepare the dataset again to record them");
    }
    return slices;
  }

  /** Every reference mask with its prediction; a reference without one, or a prediction without one, is an error. */
  static List<SegmentationReport.Slice> read(Path predictions, Path truth, Path geometry) throws IOException {
    Map<String, Path> reference = masks(truth, "--truth");
    Map<String, Path> predicted = masks(predictions, "--predictions");
    List<String> missing = reference.keySet().stream().filter(k -> !predicted.containsKey(k)).toList();
    List<String> extra = predicted.keySet().stream().filter(k -> !reference.containsKey(k)).toList();
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException("the folders must hold the same images: " + missing.size() + " reference "
          + "masks have no prediction " + first(missing) + ", " + extra.size() + " predictions have no reference "
          + first(extra) + " (a prediction of nothing is an all-zero mask)");
    }
    Map<String, Place> places = geometry == null ? Map.of() : places(geometry);
    List<SegmentationReport.Slice> slices = new ArrayList<>();
    for (var e : reference.entrySet()) {
      String image = e.getKey();
      Place p = places.get(image);
      if (geometry != null && p == null) {
        throw new IllegalArgumentException(geometry + " has no row for image " + image);
      }
      if (p == null) {
        p = new Place(image, 0, 1, 1, 1);
      }
      slices.add(new SegmentationReport.Slice(image, p.series(), p.position(), p.rowSpacing(), p.columnSpacing(),
          p.sliceSpacing(), LabelMask.readPng(predicted.get(image)), LabelMask.readPng(e.getValue())));
    }
    return slices;
  }

  private static Map<String, Path> masks(Path dir, String option) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + dir + " is not a folder of PNG masks");
    }
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
          .forEach(f -> out.put(f.getFileName().toString().replaceAll("(?i)\\.png$", ""), f));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(option + " " + dir + " holds no .png mask");
    }
    return out;
  }

  private static Map<String, Place> places(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(csv + " is empty; expected " + GEOMETRY_LAYOUT);
    }
    List<String> header = Csv.fields(lines.get(0).replace("\uFEFF", "")).stream()
        .map(h -> h.toLowerCase(Locale.ROOT)).toList();
    String[] names = GEOMETRY_LAYOUT.split(",");
    int[] at = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      at[i] = header.indexOf(names[i]);
      if (at[i] < 0) {
        throw new IllegalArgumentException(csv + ": no column '" + names[i] + "'; expected " + GEOMETRY_LAYOUT);
      }
    }
    Map<String, Place> out = new HashMap<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      List<String> f = Csv.fields(lines.get(n));
      String where = csv + " line " + (n + 1);
      if (f.size() != header.size()) {
        throw new IllegalArgumentException(where + ": " + f.size() + " fields, the header has " + header.size());
      }
      double[] v = new double[4];
      for (int i = 0; i < 4; i++) {
        try {
          v[i] = Double.parseDouble(f.get(at[i + 2]));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": " + names[i + 2] + " must be a number, got '"
              + f.get(at[i + 2]) + "'");
        }
      }
      if (out.put(f.get(at[0]), new Place(f.get(at[1]), v[0], v[1], v[2], v[3])) != null) {
        throw new IllegalArgumentException(where + ": image " + f.get(at[0]) + " is listed twice");
      }
    }
    return out;
  }

  private static String first(List<String> ids) {
    return ids.isEmpty() ? "" : "(such as " + ids.get(0) + ")";
  }
}
