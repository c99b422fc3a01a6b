package org.radlab.core.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset's {@code images.csv}: its de-identified image list as plain CSV, for readers without Parquet (the
 * control API, spreadsheets, shell scripts). One row per image, sorted by study, then image id, with the columns of
 * {@link #COLUMNS}; prep writes it, and {@link #read} is how everything else reads it.
 */
public final class ImageList {
  /** The file's name inside the dataset folder. */
  public static final String FILE = "images.csv";
  /** The columns, in file order. */
  public static final List<String> COLUMNS = List.of("image_id", "patient_id", "study_uid", "series_uid", "frame",
      "modality", "body_part", "view_position", "laterality", "study_date", "manufacturer", "rows", "columns",
      "png_path", "png_width", "png_height", "mirrored", "row_spacing", "column_spacing", "slice_position",
      "slice_spacing");
  /** Columns a catalog written by an earlier version may lack; they read as null. */
  private static final java.util.Set<String> LATER = java.util.Set.of("mirrored", "row_spacing", "column_spacing",
      "slice_position", "slice_spacing");

  /**
   * One image; an empty field is null. {@code mirrored}: prep mirrored the image left to right (a right breast),
   * so its PNG and tensor show the original's column {@code x} at {@code columns - 1 - x}; null when the dataset was
   * prepared before prep recorded it. The geometry ({@code rowSpacing}, {@code columnSpacing} and
   * {@code sliceSpacing} in mm, {@code slicePosition} along the slice normal in mm, see
   * {@link org.radlab.core.dicom.SliceGeometry}) is the original's, null where the file gave none or prep did not
   * record it yet.
   */
  public record Entry(String imageId, String patientId, String studyUid, String seriesUid, Integer frame,
      String modality, String bodyPart, String viewPosition, String laterality, String studyDate,
      String manufacturer, Integer rows, Integer columns, String pngPath, Integer pngWidth, Integer pngHeight,
      Boolean mirrored, Double rowSpacing, Double columnSpacing, Double slicePosition, Double sliceSpacing) {}

  private ImageList() {}

  /** The images of {@code csv}, in file order; columns are found by their header names, in any order. */
  public static List<Entry> read(Path csv) throws IOException {
    return read(Files.readAllLines(csv, StandardCharsets.UTF_8), csv.toString());
  }

  /** The images of a catalog already read as lines, by image id (see {@link #read(List, String)}). */
  public static java.util.Map<String, Entry> index(List<String> lines, String csv) throws IOException {
    java.util.Map<String, Entry> byId = new java.util.HashMap<>();
    read(lines, csv).forEach(e -> byId.put(e.imageId(), e));
    return byId;
  }

  /**
   * The images of a catalog already read as lines (from any file system); {@code csv} names it in errors.
   */
  public static List<Entry> read(List<String> lines, String csv) throws IOException {
    if (lines.isEmpty()) {
      throw new IOException(csv + " is empty; it should start with the header " + String.join(",", COLUMNS));
    }
    List<String> header = Csv.fields(lines.get(0));
    int[] at = new int[COLUMNS.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = header.indexOf(COLUMNS.get(i));
      if (at[i] < 0 && !LATER.contains(COLUMNS.get(i))) {
        throw new IOException(csv + " has no column " + COLUMNS.get(i));
      }
    }
    List<Entry> images = new ArrayList<>(lines.size());
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      List<String> f = Csv.fields(lines.get(n));
      if (f.size() != header.size()) {
        throw new IOException(csv + " line " + (n + 1) + " has " + f.size() + " fields, the header " + header.size());
      }
      String[] v = new String[at.length];
      for (int i = 0; i < at.length; i++) {
        v[i] = at[i] < 0 || f.get(at[i]).isEmpty() ? null : f.get(at[i]);
      }
      try {
        images.add(new Entry(v[0], v[1], v[2], v[3], number(v[4]), v[5], v[6], v[7], v[8], v[9], v[10],
            number(v[11]), number(v[12]), v[13], number(v[14]), number(v[15]),
            v[16] == null ? null : Boolean.valueOf(v[16]), decimal(v[17]), decimal(v[18]), decimal(v[19]),
            decimal(v[20])));
      } catch (NumberFormatException e) {
        throw new IOException(csv + " line " + (n + 1) + ": not a number: " + e.getMessage(), e);
      }
    }
    return images;
  }

  private static Double decimal(String v) {
    return v == null ? null : Double.valueOf(v);
  }

  private static Integer number(String v) {
    return v == null ? null : Integer.valueOf(v);
  }
}
