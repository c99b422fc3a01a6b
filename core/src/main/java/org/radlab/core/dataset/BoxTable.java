package org.radlab.core.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Boxes per image as a CSV file: reference boxes (a detection label snapshot, {@code synth --lesions}' ground truth)
 * or a detector's predictions. One row per box, columns found by name in any order:
 * {@code IMAGE,x_min,y_min,x_max,y_max,label}, and {@code score} for predictions. Coordinates are pixels of the image
 * the boxes were drawn on, with {@code x_max > x_min} and {@code y_max > y_min}. A row with the image and every other
 * field empty says that the image was read and holds no box, so an image without lesions still counts (its false
 * positives do). A malformed row is an error naming its line.
 *
 * @param images every image named, in the order first named
 * @param boxes  the boxes, in file order
 */
public record BoxTable(List<String> images, List<Box> boxes) {
  /** The name of the image column unless a caller names another (synth's ground truth uses SOPInstanceUID). */
  public static final String IMAGE = "image";

  /** A box; {@code score} is NaN for reference boxes. */
  public record Box(String image, String label, double xMin, double yMin, double xMax, double yMax, double score) {
    /** {@code [x_min, y_min, x_max, y_max]}. */
    public double[] corners() {
      return new double[] {xMin, yMin, xMax, yMax};
    }
  }

  public BoxTable {
    images = List.copyOf(images);
    boxes = List.copyOf(boxes);
  }

  /** Reads reference boxes (no score column needed; one is ignored if present). */
  public static BoxTable readReference(Path csv, String imageColumn) throws IOException {
    return read(csv, imageColumn, false);
  }

  /** Reads scored predictions: a {@code score} column is required. */
  public static BoxTable readPredictions(Path csv, String imageColumn) throws IOException {
    return read(csv, imageColumn, true);
  }

  /** The class names of the boxes, in order of first appearance. */
  public List<String> labels() {
    Set<String> out = new LinkedHashSet<>();
    boxes.forEach(b -> out.add(b.label()));
    return List.copyOf(out);
  }

  /** This table as CSV ({@code image,x_min,y_min,x_max,y_max,label[,score]}), read back unchanged by the readers. */
  public String csv(boolean withScores) {
    return csv(IMAGE, withScores);
  }

  /** The same, the image column named {@code imageColumn}. */
  public String csv(String imageColumn, boolean withScores) {
    StringBuilder out = new StringBuilder(imageColumn + ",x_min,y_min,x_max,y_max,label" + (withScores ? ",score" : "")
        + "\n");
    Set<String> withBoxes = new java.util.HashSet<>();
    for (Box b : boxes) {
      withBoxes.add(b.image());
      out.append(Csv.quote(b.image())).append(',').append(b.xMin()).append(',').append(b.yMin()).append(',')
          .append(b.xMax()).append(',').append(b.yMax()).append(',').append(Csv.quote(b.label()));
      if (withScores) {
        out.append(',').append(b.score());
      }
      out.append('\n');
    }
    for (String image : images) {
      if (!withBoxes.contains(image)) {
        out.append(Csv.quote(image)).append(",,,,,").append(withScores ? ",\n" : "\n");
      }
    }
    return out.toString();
  }

  /**
   * A box in an original image's pixels as a box in its prepared PNG's pixels: mirrored like the image, scaled,
   * clipped; null when nothing of it is left inside the image. The entry needs its sizes and mirror flag.
   */
  public static Box originalToPng(Box b, ImageList.Entry e) {
    double x0 = b.xMin();
    double x1 = b.xMax();
    if (e.mirrored()) {
      x0 = e.columns() - b.xMax();
      x1 = e.columns() - b.xMin();
    }
    double sx = (double) e.pngWidth() / e.columns();
    double sy = (double) e.pngHeight() / e.rows();
    double nx0 = Math.max(0, x0 * sx);
    double nx1 = Math.min(e.pngWidth(), x1 * sx);
    double ny0 = Math.max(0, b.yMin() * sy);
    double ny1 = Math.min(e.pngHeight(), b.yMax() * sy);
    if (!(nx1 > nx0) || !(ny1 > ny0)) {
      return null;
    }
    return new Box(e.imageId(), b.label(), nx0, ny0, nx1, ny1, Double.NaN);
  }

  /**
   * The reverse of {@link #originalToPng}: a box in a prepared PNG's pixels as the same box in its original image's
   * pixels (continuous coordinates, 0 at the top left corner of the top left pixel, {@code columns} x {@code rows}
   * at the bottom right corner of the last one): scaled by the original's size over the PNG's, mirrored back when
   * prep mirrored the image, clipped to the image; null when nothing of it is inside. The score is kept. The entry
   * needs its sizes and mirror flag.
   */
  public static Box pngToOriginal(Box b, ImageList.Entry e) {
    if (e.columns() == null || e.rows() == null || e.pngWidth() == null || e.pngHeight() == null
        || e.mirrored() == null) {
      throw new IllegalArgumentException("image " + e.imageId() + " has no recorded sizes or mirror flag");
    }
    double sx = (double) e.columns() / e.pngWidth();
    double sy = (double) e.rows() / e.pngHeight();
    double x0 = Math.max(0, b.xMin() * sx);
    double x1 = Math.min(e.columns(), b.xMax() * sx);
    if (e.mirrored()) {
      double mirroredX0 = e.columns() - x1;
      x1 = e.columns() - x0;
      x0 = mirroredX0;
    }
    double y0 = Math.max(0, b.yMin() * sy);
    double y1 = Math.min(e.rows(), b.yMax() * sy);
    if (!(x1 > x0) || !(y1 > y0)) {
      return null;
    }
    return new Box(b.image(), b.label(), x0, y0, x1, y1, b.score());
  }

  /** Reads reference boxes from CSV text (an upload, say); {@code name} says where it came from in errors. */
  public static BoxTable referenceFrom(String text, String name, String imageColumn) {
    return read(text.lines().toList(), name, imageColumn, false);
  }

  /** Reads scored predictions from CSV text; {@code name} says where it came from in errors. */
  public static BoxTable predictionsFrom(String text, String name, String imageColumn) {
    return read(text.lines().toList(), name, imageColumn, true);
  }

  private static BoxTable read(Path csv, String imageColumn, boolean scored) throws IOException {
    return read(Files.readAllLines(csv, StandardCharsets.UTF_8), csv.toString(), imageColumn, scored);
  }

  private static BoxTable read(List<String> lines, String csv, String imageColumn, boolean scored) {
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new IllegalArgumentException(csv + " is empty; expected the header " + layout(imageColumn, scored));
    }
    List<String> header = Csv.fields(lines.get(0).replace("\uFEFF", ""));
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      at.putIfAbsent(header.get(i).toLowerCase(Locale.ROOT), i);
    }
    List<String> names = new ArrayList<>(List.of(imageColumn, "x_min", "y_min", "x_max", "y_max", "label"));
    if (scored) {
      names.add("score");
    }
    int[] col = new int[names.size()];
    for (int i = 0; i < col.length; i++) {
      Integer c = at.get(names.get(i).toLowerCase(Locale.ROOT));
      if (c == null) {
        throw new IllegalArgumentException(csv + ": no column '" + names.get(i) + "' in the header " + header
            + "; expected " + layout(imageColumn, scored));
      }
      col[i] = c;
    }
    Set<String> images = new LinkedHashSet<>();
    List<Box> boxes = new ArrayList<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      String where = csv + " line " + (n + 1);
      List<String> f = Csv.fields(lines.get(n));
      if (f.size() != header.size()) {
        throw new IllegalArgumentException(where + ": " + f.size() + " fields, the header has " + header.size());
      }
      String image = f.get(col[0]);
      if (image.isEmpty()) {
        throw new IllegalArgumentException(where + ": the " + imageColumn + " column is empty");
      }
      images.add(image);
      boolean empty = true;
      for (int i = 1; i < col.length; i++) {
        empty &= f.get(col[i]).isEmpty();
      }
      if (empty) {
        continue; // an image read, with no box
      }
      double[] v = new double[4];
      for (int i = 0; i < 4; i++) {
        v[i] = number(f.get(col[i + 1]), names.get(i + 1), where);
      }
      if (!(v[2] > v[0]) || !(v[3] > v[1])) {
        throw new IllegalArgumentException(where + ": a box needs x_max > x_min and y_max > y_min; got "
            + f.get(col[1]) + "," + f.get(col[2]) + "," + f.get(col[3]) + "," + f.get(col[4]));
      }
      String label = f.get(col[5]);
      if (label.isEmpty()) {
        throw new IllegalArgumentException(where + ": the label is empty");
      }
      double score = scored ? number(f.get(col[6]), "score", where) : Double.NaN;
      boxes.add(new Box(image, label, v[0], v[1], v[2], v[3], score));
    }
    return new BoxTable(new ArrayList<>(images), boxes);
  }

  private static double number(String text, String name, String where) {
    try {
      double v = Double.parseDouble(text);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(where + ": " + name + " must be a finite number, got '" + text + "'");
  }

  private static String layout(String imageColumn, boolean scored) {
    return imageColumn + ",x_min,y_min,x_max,y_max,label" + (scored ? ",score" : "");
  }
}
