package org.radlab.prep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;

/**
 * Turns boxes keyed by original SOPInstanceUID, in the original image's pixels, into an immutable detection label
 * snapshot: boxes keyed by the dataset's pseudonymous image ids, in the pixels of the prepared PNG the annotators see
 * (the shape {@link BoxTable} reads, and Annotate's boxes use). Prep may have mirrored the image (a right breast)
 * and resized it, so each box is mirrored when its image was ({@code images.csv}'s {@code mirrored}), then scaled
 * by the PNG's size over the original's, and clipped to the image.
 *
 * <p>An image listed with empty box fields is kept as "read, no finding". Rows it cannot use are counted and
 * reported, never dropped silently: unknown images, labels outside the class list, boxes that fall outside the
 * image, multi-frame images (a box names no frame) and images whose orientation prep did not record.
 */
public final class BoxLabelImport {
  private BoxLabelImport() {}

  /**
   * @param imageColumn the column of original SOPInstanceUIDs
   * @param classes     allowed labels; empty accepts every label found
   * @param out         the snapshot file; null picks {@code labelsDir/<dataset>-boxes-<hash>.csv}
   */
  public record Request(String dataset, String privateDir, Path csv, String imageColumn, List<String> classes,
                        Path labelsDir, Path out) {
    public Request {
      if (imageColumn == null || imageColumn.isBlank()) {
        throw new IllegalArgumentException("the image column name must not be empty");
      }
      classes = classes == null ? List.of() : List.copyOf(classes);
      privateDir = privateDir == null ? DatasetLayout.defaultPrivateRoot(dataset) : privateDir;
    }
  }

  /** What an import did. {@code unknownImages} holds original UIDs: show it to the admin, never store it. */
  public record Report(Path snapshot, boolean alreadyExisted, int images, int boxes, Map<String, Integer> perClass,
                       List<String> unknownImages, Map<String, Integer> unknownClasses, int outside,
                       int multiFrame, int orientationUnknown) {
    /** Whether any row could not be used. */
    public boolean unusable() {
      return !unknownImages.isEmpty() || !unknownClasses.isEmpty() || outside > 0 || multiFrame > 0
          || orientationUnknown > 0;
    }
  }

  public static Report run(SparkSession spark, Request req) throws IOException {
    if (!Files.isRegularFile(req.csv())) {
      throw new IOException("box file " + req.csv() + " does not exist");
    }
    DatasetLayout layout = new DatasetLayout(req.dataset(), req.privateDir());
    OriginalImages originals = new OriginalImages(spark, layout);
    BoxTable input = BoxTable.readReference(req.csv(), req.imageColumn());

    Set<String> allowed = new LinkedHashSet<>(req.classes());
    Set<String> unknown = new LinkedHashSet<>();
    Set<String> multi = new LinkedHashSet<>();
    Set<String> noOrientation = new LinkedHashSet<>();
    Map<String, Integer> unknownClasses = new TreeMap<>();
    Map<String, Integer> perClass = new TreeMap<>();
    int outside = 0;
    Map<String, String> imageIds = new HashMap<>(); // original -> pseudonymous, for usable images
    List<String> images = new ArrayList<>();
    for (String original : input.images()) {
      OriginalImages.Found found = originals.find(original);
      ImageList.Entry e = found.entry();
      if (found.outcome() == OriginalImages.Outcome.UNKNOWN) {
        unknown.add(original);
      } else if (found.outcome() == OriginalImages.Outcome.MULTI_FRAME) {
        multi.add(original);
      } else if (found.outcome() == OriginalImages.Outcome.ORIENTATION_UNKNOWN) {
        noOrientation.add(original);
      } else {
        imageIds.put(original, e.imageId());
        images.add(e.imageId());
      }
    }
    List<BoxTable.Box> boxes = new ArrayList<>();
    for (BoxTable.Box b : input.boxes()) {
      String id = imageIds.get(b.image());
      if (id == null) {
        continue; // counted above, by image
      }
      if (!allowed.isEmpty() && !allowed.contains(b.label())) {
        unknownClasses.merge(b.label(), 1, Integer::sum);
        continue;
      }
      BoxTable.Box mapped = BoxTable.originalToPng(b, originals.find(b.image()).entry());
      if (mapped == null) {
        outside++;
        continue;
      }
      boxes.add(mapped);
      perClass.merge(b.label(), 1, Integer::sum);
    }
    images.sort(null);
    byte[] content = new BoxTable(images, sorted(boxes)).csv(false).getBytes(StandardCharsets.UTF_8);
    Path out = req.out() != null ? req.out()
        : req.labelsDir().resolve(LabelImport.snapshotName(req.dataset(), "boxes", content));
    boolean existed = LabelImport.writeOnce(out, content);
    return new Report(out, existed, images.size(), boxes.size(), perClass, new ArrayList<>(unknown),
        unknownClasses, outside, multi.size(), noOrientation.size());
  }

  /** By image, then position: the snapshot does not depend on the input's row order. */
  private static List<BoxTable.Box> sorted(List<BoxTable.Box> boxes) {
    List<BoxTable.Box> out = new ArrayList<>(boxes);
    out.sort(java.util.Comparator.comparing(BoxTable.Box::image).thenComparingDouble(BoxTable.Box::yMin)
        .thenComparingDouble(BoxTable.Box::xMin).thenComparing(BoxTable.Box::label));
    return out;
  }

  /** A human report for the admin running the import. */
  public static String describe(Report r) {
    List<String> lines = new ArrayList<>();
    lines.add((r.alreadyExisted() ? "unchanged snapshot (same content) " : "wrote box snapshot ") + r.snapshot());
    lines.add("  images: " + r.images() + ", boxes: " + r.boxes() + " " + r.perClass());
    if (!r.unknownImages().isEmpty()) {
      lines.add("  " + r.unknownImages().size() + " images are not in the dataset, e.g. "
          + r.unknownImages().subList(0, Math.min(5, r.unknownImages().size())));
    }
    if (!r.unknownClasses().isEmpty()) {
      lines.add("  boxes with a label outside the class list: " + r.unknownClasses());
    }
    if (r.outside() > 0) {
      lines.add("  boxes outside their image: " + r.outside());
    }
    OriginalImages.leftOut(lines, r.multiFrame(), r.orientationUnknown(), "a box");
    return String.join("\n", lines);
  }
}
