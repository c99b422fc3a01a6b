package org.radlab.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.DerivedUid;
import org.radlab.core.dicom.SegmentationWriter;

/**
 * A segmenter's predicted masks as DICOM SEG: one object per series of the dataset ({@code <series uid>.dcm}, or
 * {@code <series uid>-<width>x<height>.dcm} when a series' PNGs differ in size), written by
 * {@link SegmentationWriter} with the masks in the prepared PNGs' pixels, so each frame corresponds pixel for pixel to
 * its prepared image.
 *
 * <p>What the objects reference: the dataset's de-identified identities, never originals. Patient ID, Study Instance
 * UID and the source Series Instance UID are the catalog's pseudonyms. A prepared image is not a DICOM instance and
 * its id (20 hex digits) is not a UID, so it is referenced as SOP Instance UID {@link DerivedUid#of}(image id)
 * ({@code 2.25.} and 128 bits of the id's SHA-256), of the Secondary Capture class; the pseudonymous {@code sop_uid}
 * of images.parquet names the original instance, whose pixel grid the PNG need not share. Without a frame of
 * reference, no position or orientation is written; the Pixel Measures hold the spacing at the PNG's size (the
 * original's spacing times its size over the PNG's) and the slice spacing, and the frames go in slice order. The
 * SEG's own Series Instance UID derives from the evaluation job, the model and the series, its SOP Instance UID also
 * from the masks, so a rerun of the same job writes the same UIDs for the same masks.
 */
final class SegExport {
  private SegExport() {}

  /** Writes {@code predictions}' masks into {@code dir}; returns the files, one per series. */
  static List<Path> write(Path dir, String jobId, String modelId, String modelPath, MaskTable predictions,
      Map<String, ImageList.Entry> catalog, List<String> classes) throws IOException {
    Map<String, List<String>> groups = new LinkedHashMap<>(); // series uid and PNG size -> image ids
    Map<String, Integer> sizesPerSeries = new HashMap<>();
    for (var p : predictions.masks().entrySet()) {
      if (p.getValue() == null) {
        continue;
      }
      String series = seriesUid(p.getKey(), catalog.get(p.getKey()));
      String key = series + "-" + p.getValue().width() + "x" + p.getValue().height();
      if (!groups.containsKey(key)) {
        sizesPerSeries.merge(series, 1, Integer::sum);
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p.getKey());
    }
    Files.createDirectories(dir);
    LocalDateTime now = LocalDateTime.now();
    List<Path> written = new ArrayList<>();
    for (var g : groups.entrySet()) {
      List<String> images = new ArrayList<>(g.getValue());
      images.sort(Comparator.comparing((String i) -> catalog.get(i).slicePosition(),
          Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Comparator.naturalOrder()));
      ImageList.Entry first = catalog.get(images.get(0));
      String series = seriesUid(images.get(0), first);
      LabelMask firstMask = predictions.masks().get(images.get(0));
      boolean known = first.rowSpacing() != null && first.columnSpacing() != null && first.rows() != null
          && first.columns() != null;
      StringBuilder content = new StringBuilder();
      for (String i : images) {
        content.append(i).append(':').append(MaskTable.runs(predictions.masks().get(i))).append('\n');
      }
      SegmentationWriter w = new SegmentationWriter(classes)
          .patient(first.patientId(), null)
          .study(first.studyUid() != null ? first.studyUid() : DerivedUid.of("radlab-study", images.get(0)),
              first.studyDate())
          .spacing(known ? first.rowSpacing() * first.rows() / firstMask.height() : null,
              known ? first.columnSpacing() * first.columns() / firstMask.width() : null, null,
              first.sliceSpacing())
          .instance(DerivedUid.of("radlab-seg-series", jobId, modelPath, series),
              DerivedUid.of("radlab-seg", jobId, modelPath, series, content.toString()))
          .describe(1, "RadLab " + modelId, "Predicted by model " + modelId + " in evaluation " + jobId)
          .algorithmVersion(modelId)
          .created(now);
      for (String i : images) {
        w.add(new SegmentationWriter.Source(series, SegmentationWriter.SECONDARY_CAPTURE, DerivedUid.of(i), null,
            null, predictions.masks().get(i)));
      }
      Path file = dir.resolve(sizesPerSeries.get(series) == 1 ? series + ".dcm"
          : series + "-" + firstMask.width() + "x" + firstMask.height() + ".dcm");
      w.write(file);
      written.add(file);
    }
    return written;
  }

  /** The catalog's pseudonymous series UID; an image without one is a series of its own. */
  private static String seriesUid(String image, ImageList.Entry e) {
    return e != null && e.seriesUid() != null ? e.seriesUid() : DerivedUid.of("radlab-series", image);
  }
}
