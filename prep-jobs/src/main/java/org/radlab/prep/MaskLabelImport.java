package org.radlab.prep;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;

/**
 * Turns PNG masks named by original SOPInstanceUID ({@code <uid>.png}, 8-bit grey, value = class index, 0 =
 * background) into an immutable segmentation snapshot ({@link MaskTable}): keyed by the dataset's pseudonymous image
 * ids, each mask mirrored and resized by nearest neighbour exactly as prep rendered its image
 * ({@link MaskTable#originalToPng}). What it cannot use is counted and reported, never dropped silently: masks of
 * images not in the dataset, masks whose size is not the original image's, class indices beyond the class list,
 * multi-frame images (a PNG names no frame), and images prepared before prep recorded mirroring.
 */
public final class MaskLabelImport {
  private MaskLabelImport() {}

  /**
   * @param masks   the folder of PNG masks
   * @param classes the names of class indices 1, 2, ...
   * @param out     the snapshot file; null picks {@code labelsDir/<dataset>-masks-<hash>.csv}
   */
  public record Request(String dataset, String privateDir, Path masks, List<String> classes, Path labelsDir,
                        Path out) {
    public Request {
      if (classes == null || classes.isEmpty()) {
        throw new IllegalArgumentException("--classes must name the mask's class indices 1, 2, ...");
      }
      classes = List.copyOf(classes);
      privateDir = privateDir == null ? DatasetLayout.defaultPrivateRoot(dataset) : privateDir;
    }
  }

  /** What an import did. {@code unknownImages} holds original UIDs: show it to the admin, never store it. */
  public record Report(Path snapshot, boolean alreadyExisted, int images, Map<String, Long> pixelsPerClass,
                       List<String> unknownImages, int wrongSize, int unknownClass, int multiFrame,
                       int orientationUnknown) {
    public boolean unusable() {
      return !unknownImages.isEmpty() || wrongSize > 0 || unknownClass > 0 || multiFrame > 0
          || orientationUnknown > 0;
    }
  }

  public static Report run(SparkSession spark, Request req) throws IOException {
    if (!Files.isDirectory(req.masks())) {
      throw new IOException("mask folder " + req.masks() + " does not exist");
    }
    OriginalImages originals = new OriginalImages(spark, new DatasetLayout(req.dataset(), req.privateDir()));

    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(req.masks())) {
      list.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
          .forEach(f -> files.put(f.getFileName().toString().replaceAll("(?i)\\.png$", ""), f));
    }
    if (files.isEmpty()) {
      throw new IOException(req.masks() + " holds no .png mask");
    }
    List<String> unknown = new ArrayList<>();
    int wrongSize = 0;
    int unknownClass = 0;
    int multi = 0;
    int noOrientation = 0;
    Map<String, LabelMask> masks = new TreeMap<>();
    long[] pixels = new long[req.classes().size() + 1];
    for (var f : files.entrySet()) {
      OriginalImages.Found found = originals.find(f.getKey());
      switch (found.outcome()) {
        case UNKNOWN -> unknown.add(f.getKey());
        case MULTI_FRAME -> multi++;
        case ORIENTATION_UNKNOWN -> noOrientation++;
        case FOUND -> { }
      }
      if (found.outcome() != OriginalImages.Outcome.FOUND) {
        continue;
      }
      ImageList.Entry e = found.entry();
      LabelMask original = LabelMask.readPng(f.getValue());
      if (original.width() != e.columns() || original.height() != e.rows()) {
        wrongSize++;
        continue;
      }
      if (original.maxLabel() > req.classes().size()) {
        unknownClass++;
        continue;
      }
      LabelMask png = MaskTable.originalToPng(original, e);
      for (byte b : png.labels()) {
        pixels[b & 0xff]++;
      }
      masks.put(e.imageId(), png);
    }
    byte[] content = new MaskTable(masks).csv().getBytes(StandardCharsets.UTF_8);
    Path out = req.out() != null ? req.out()
        : req.labelsDir().resolve(LabelImport.snapshotName(req.dataset(), "masks", content));
    boolean existed = LabelImport.writeOnce(out, content);
    Map<String, Long> perClass = new LinkedHashMap<>();
    for (int c = 1; c < pixels.length; c++) {
      perClass.put(req.classes().get(c - 1), pixels[c]);
    }
    return new Report(out, existed, masks.size(), perClass, unknown, wrongSize, unknownClass, multi, noOrientation);
  }

  /** The lines {@code radlab labels import --task segmentation} prints. */
  public static String describe(Report r) {
    List<String> lines = new ArrayList<>();
    lines.add((r.alreadyExisted() ? "unchanged snapshot (same content) " : "wrote mask snapshot ") + r.snapshot());
    lines.add("  images: " + r.images() + ", pixels per class in the prepared images: " + r.pixelsPerClass());
    if (!r.unknownImages().isEmpty()) {
      lines.add("  " + r.unknownImages().size() + " masks name images that are not in the dataset, e.g. "
          + r.unknownImages().subList(0, Math.min(5, r.unknownImages().size())));
    }
    if (r.wrongSize() > 0) {
      lines.add("  masks whose size is not their image's, left out: " + r.wrongSize());
    }
    if (r.unknownClass() > 0) {
      lines.add("  masks with a class index beyond --classes, left out: " + r.unknownClass());
    }
    OriginalImages.leftOut(lines, r.multiFrame(), r.orientationUnknown(), "a PNG mask");
    return String.join("\n", lines);
  }
}
