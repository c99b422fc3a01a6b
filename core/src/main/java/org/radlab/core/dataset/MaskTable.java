package org.radlab.core.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A segmentation snapshot: the masks of the images read, each in its prepared PNG's pixels, as one immutable CSV
 * like the other label snapshots. One row per image: {@code image,width,height,runs}, where {@code runs} is the mask
 * run-length encoded row by row as space-separated {@code CLASS*LENGTH} pairs ({@code 0*1200 1*35 0*...}; class 0 is
 * background). An image read with nothing found is a row whose runs are all class 0.
 */
public record MaskTable(Map<String, LabelMask> masks) {
  public static final String HEADER = "image,width,height,runs";

  public MaskTable {
    masks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(masks));
  }

  public List<String> images() {
    return List.copyOf(masks.keySet());
  }

  /** The table as CSV, images in the map's order. */
  public String csv() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    masks.forEach((image, m) -> out.append(Csv.quote(image)).append(',').append(m.width()).append(',')
        .append(m.height()).append(',').append(runs(m)).append('\n'));
    return out.toString();
  }

  public static MaskTable read(Path csv) throws IOException {
    return read(Files.readAllLines(csv, StandardCharsets.UTF_8), csv.toString());
  }

  /** Reads a table; a malformed row (runs that do not cover the image exactly, say) names its line. */
  public static MaskTable read(List<String> lines, String name) {
    if (lines.isEmpty() || !lines.get(0).replace("\uFEFF", "").equals(HEADER)) {
      throw new IllegalArgumentException(name + ": the header must be " + HEADER);
    }
    Map<String, LabelMask> masks = new LinkedHashMap<>();
    Csv.rows(lines, name, 4, HEADER, (where, f) -> {
      int w;
      int h;
      try {
        w = Integer.parseInt(f.get(1));
        h = Integer.parseInt(f.get(2));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + ": width and height must be whole numbers");
      }
      if (w < 1 || h < 1 || (long) w * h > 1L << 28) {
        throw new IllegalArgumentException(where + ": a mask of " + w + " x " + h + " pixels");
      }
      if (masks.put(f.get(0), new LabelMask(w, h, decode(f.get(3), w * h, where))) != null) {
        throw new IllegalArgumentException(where + ": image " + f.get(0) + " is listed twice");
      }
    });
    return new MaskTable(masks);
  }

  /**
   * A mask of an original image ({@code columns} x {@code rows}) as a mask of its prepared PNG: mirrored like the
   * image, resized to the PNG by nearest neighbour (each PNG pixel takes the class of the original pixel under its
   * centre), so no class is invented at a boundary. The entry needs its sizes and mirror flag.
   */
  public static LabelMask originalToPng(LabelMask m, ImageList.Entry e) {
    if (m.width() != e.columns() || m.height() != e.rows()) {
      throw new IllegalArgumentException("the mask is " + m.width() + " x " + m.height() + ", image " + e.imageId()
          + " is " + e.columns() + " x " + e.rows());
    }
    int w = e.pngWidth();
    int[] column = new int[w];
    for (int x = 0; x < w; x++) {
      int source = nearest(x, w, m.width());
      column[x] = e.mirrored() ? m.width() - 1 - source : source;
    }
    return resample(m, column, e.pngHeight());
  }

  /** The pixel of a {@code from}-pixel side under the centre of pixel {@code i} of a {@code to}-pixel side. */
  private static int nearest(int i, int to, int from) {
    return (int) Math.min(from - 1, Math.floor((i + 0.5) * from / to));
  }

  /** {@code m} at {@code column.length} x {@code h}: each pixel from source column {@code column[x]}, nearest row. */
  private static LabelMask resample(LabelMask m, int[] column, int h) {
    int w = column.length;
    byte[] out = new byte[w * h];
    for (int y = 0; y < h; y++) {
      int row = nearest(y, h, m.height());
      for (int x = 0; x < w; x++) {
        out[y * w + x] = m.labels()[row * m.width() + column[x]];
      }
    }
    return new LabelMask(w, h, out);
  }

  /**
   * The reverse of {@link #originalToPng}: a mask of a prepared PNG as a mask of its original image ({@code columns}
   * x {@code rows}), by nearest neighbour (each original pixel takes the class of the PNG pixel under its centre, as
   * the image was shown in the PNG: mirrored when prep mirrored it). The entry needs its sizes and mirror flag.
   */
  public static LabelMask pngToOriginal(LabelMask m, ImageList.Entry e) {
    if (e.columns() == null || e.rows() == null || e.pngWidth() == null || e.pngHeight() == null
        || e.mirrored() == null) {
      throw new IllegalArgumentException("image " + e.imageId() + " has no recorded sizes or mirror flag");
    }
    if (m.width() != e.pngWidth() || m.height() != e.pngHeight()) {
      throw new IllegalArgumentException("the mask is " + m.width() + " x " + m.height() + ", the PNG of image "
          + e.imageId() + " is " + e.pngWidth() + " x " + e.pngHeight());
    }
    int w = e.columns();
    int[] column = new int[w];
    for (int x = 0; x < w; x++) {
      column[x] = nearest(e.mirrored() ? w - 1 - x : x, w, m.width());
    }
    return resample(m, column, e.rows());
  }

  /** A mask from its size and runs (a snapshot row's fields); {@code where} names it in errors. */
  public static LabelMask mask(int width, int height, String runs, String where) {
    return new LabelMask(width, height, decode(runs, width * height, where));
  }

  /** A mask's runs, as a snapshot row stores them. */
  public static String runs(LabelMask m) {
    StringBuilder out = new StringBuilder();
    byte[] labels = m.labels();
    int i = 0;
    while (i < labels.length) {
      int j = i;
      while (j < labels.length && labels[j] == labels[i]) {
        j++;
      }
      out.append(out.length() > 0 ? " " : "").append(labels[i] & 0xff).append('*').append(j - i);
      i = j;
    }
    return out.toString();
  }

  static byte[] decode(String runs, int pixels, String where) {
    byte[] out = new byte[pixels];
    int at = 0;
    for (String run : runs.trim().split(" +")) {
      int star = run.indexOf('*');
      int label;
      int length;
      try {
        label = Integer.parseInt(run.substring(0, star));
        length = Integer.parseInt(run.substring(star + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(where + ": '" + run + "' is not CLASS*LENGTH");
      }
      if (label < 0 || label > 255 || length < 1 || length > pixels - at) {
        throw new IllegalArgumentException(where + ": the run '" + run + "' does not fit a mask of " + pixels
            + " pixels after " + at);
      }
      java.util.Arrays.fill(out, at, at + length, (byte) label);
      at += length;
    }
    if (at != pixels) {
      throw new IllegalArgumentException(where + ": the runs cover " + at + " of the mask's " + pixels + " pixels");
    }
    return out;
  }
}
