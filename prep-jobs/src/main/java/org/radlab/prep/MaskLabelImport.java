package org.radlab.prep;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.SegmentationReader;

/**
 * Turns masks of original images into an immutable segmentation snapshot ({@link MaskTable}): PNG masks named by
 * original SOPInstanceUID ({@code <uid>.png}, 8-bit grey, value = class index, 0 = background) and DICOM SEG files
 * ({@code .dcm}, as OHIF, 3D Slicer and MONAI Label write them; read by {@link SegmentationReader}, each frame on the
 * original image its source reference names, each segment's class found by its Segment Label in the class list).
 * The snapshot is keyed by the dataset's pseudonymous image ids, each mask mirrored and resized by nearest neighbour
 * exactly as prep rendered its image ({@link MaskTable#originalToPng}). An image given masks by several files (a PNG
 * and a SEG, or several SEGs) gets their union; where they overlap, the class later in the list wins. What it cannot
 * use is counted and reported, never dropped silently: masks of images not in the dataset, masks whose size is not
 * the original image's, class indices beyond the class list (a SEG segment whose label is not in the list counts as
 * one, on the images where it has pixels), multi-frame images (a PNG names no frame; SEG frames of multi-frame
 * images are not mapped yet), and images prepared before prep recorded mirroring.
 */
public final class MaskLabelImport {
  private MaskLabelImport() {}

  /**
   * @param masks   the folder of PNG masks and DICOM SEG files
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

  /**
   * What an import did. {@code unknownImages} holds original UIDs: show it to the admin, never store it.
   * {@code pngs} and {@code segs} count the files read; {@code unknownSegments} are the labels of SEG segments not in
   * the class list.
   */
  public record Report(Path snapshot, boolean alreadyExisted, int images, Map<String, Long> pixelsPerClass,
                       List<String> unknownImages, int wrongSize, int unknownClass, int multiFrame,
                       int orientationUnknown, int pngs, int segs, List<String> unknownSegments) {
    public boolean unusable() {
      return !unknownImages.isEmpty() || wrongSize > 0 || unknownClass > 0 || multiFrame > 0
          || orientationUnknown > 0;
    }
  }

  public static Report run(SparkSession spark, Request req) throws IOException {
    if (!Files.isDirectory(req.masks())) {
      throw new IOException("mask folder " + req.masks() + " does not exist");
    }
    List<Path> pngs = new ArrayList<>();
    List<Path> segs = new ArrayList<>();
    try (Stream<Path> list = Files.list(req.masks())) {
      for (Path f : list.sorted().toList()) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
          pngs.add(f);
        } else if (name.endsWith(".dcm")) {
          segs.add(f);
        }
      }
    }
    if (pngs.isEmpty() && segs.isEmpty()) {
      throw new IOException(req.masks() + " holds no .png mask and no .dcm SEG file");
    }
    // every mask given for each original image, from either kind of file
    Map<String, List<LabelMask>> given = new TreeMap<>();
    for (Path f : pngs) {
      given.computeIfAbsent(f.getFileName().toString().replaceAll("(?i)\\.png$", ""), k -> new ArrayList<>())
          .add(LabelMask.readPng(f));
    }
    Set<String> unknownSegments = new LinkedHashSet<>();
    Set<String> segFrameNumbers = new HashSet<>(); // originals a SEG names a frame of (other than frame 1)
    for (Path f : segs) {
      SegmentationReader.Segmentation seg = SegmentationReader.read(f, req.classes());
      unknownSegments.addAll(seg.unknownLabels(req.classes().size()));
      for (var m : seg.masks().entrySet()) {
        String uid = m.getKey().sopInstanceUid();
        Integer frame = m.getKey().frameNumber();
        if (frame != null && frame != 1) {
          segFrameNumbers.add(uid);
        }
        given.computeIfAbsent(uid, k -> new ArrayList<>()).add(m.getValue());
      }
    }
    OriginalImages originals = new OriginalImages(spark, new DatasetLayout(req.dataset(), req.privateDir()));
    List<String> unknown = new ArrayList<>();
    int wrongSize = 0;
    int unknownClass = 0;
    int multi = 0;
    int noOrientation = 0;
    Map<String, LabelMask> masks = new TreeMap<>();
    long[] pixels = new long[req.classes().size() + 1];
    for (var f : given.entrySet()) {
      OriginalImages.Found found = originals.find(f.getKey());
      if (found.outcome() == OriginalImages.Outcome.FOUND && segFrameNumbers.contains(f.getKey())) {
        // a SEG names a later frame of an image prep read as a single frame: no such image in the dataset
        found = new OriginalImages.Found(OriginalImages.Outcome.UNKNOWN, null);
      }
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
      if (f.getValue().stream().anyMatch(m -> m.width() != e.columns() || m.height() != e.rows())) {
        wrongSize++;
        continue;
      }
      LabelMask original = union(f.getValue());
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
    return new Report(out, existed, masks.size(), perClass, unknown, wrongSize, unknownClass, multi, noOrientation,
        pngs.size(), segs.size(), List.copyOf(unknownSegments));
  }

  /** One mask from several of the same size: each pixel the largest class index any of them gives it. */
  private static LabelMask union(List<LabelMask> masks) {
    if (masks.size() == 1) {
      return masks.get(0);
    }
    byte[] out = masks.get(0).labels().clone();
    for (LabelMask m : masks.subList(1, masks.size())) {
      byte[] l = m.labels();
      for (int i = 0; i < out.length; i++) {
        if ((l[i] & 0xff) > (out[i] & 0xff)) {
          out[i] = l[i];
        }
      }
    }
    return new LabelMask(masks.get(0).width(), masks.get(0).height(), out);
  }

  /** The lines {@code radlab labels import --task segmentation} prints. */
  public static String describe(Report r) {
    List<String> lines = new ArrayList<>();
    lines.add((r.alreadyExisted() ? "unchanged snapshot (same content) " : "wrote mask snapshot ") + r.snapshot());
    lines.add("  read " + r.pngs() + " PNG masks and " + r.segs() + " DICOM SEG files");
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
    if (!r.unknownSegments().isEmpty()) {
      lines.add("  SEG segments whose label is not in --classes (their images are left out where they have "
          + "pixels): " + r.unknownSegments());
    }
    if (r.multiFrame() > 0) {
      lines.add("  multi-frame images left out (a PNG mask names no frame, and SEG frames of multi-frame images are "
          + "not mapped yet): " + r.multiFrame());
    }
    OriginalImages.leftOut(lines, 0, r.orientationUnknown(), "a PNG mask");
    return String.join("\n", lines);
  }
}
