package org.radlab.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.DatasetSeg;
import org.radlab.core.dicom.DerivedUid;

/**
 * A segmenter's predicted masks as DICOM SEG: one object per series of the dataset ({@code <series uid>.dcm}, or
 * {@code <series uid>-<width>x<height>.dcm} when a series' PNGs differ in size), each made by {@link DatasetSeg}
 * (what it references is said there). The SEG's own Series Instance UID derives from the evaluation job, the model
 * and the series, its SOP Instance UID also from the masks, so a rerun of the same job writes the same UIDs for the
 * same masks.
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
      String series = DatasetSeg.seriesUid(p.getKey(), catalog.get(p.getKey()));
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
      List<String> images = DatasetSeg.inSliceOrder(g.getValue(), catalog);
      String series = DatasetSeg.seriesUid(images.get(0), catalog.get(images.get(0)));
      LabelMask firstMask = predictions.masks().get(images.get(0));
      StringBuilder content = new StringBuilder();
      for (String i : images) {
        content.append(i).append(':').append(MaskTable.runs(predictions.masks().get(i))).append('\n');
      }
      Path file = dir.resolve(sizesPerSeries.get(series) == 1 ? series + ".dcm"
          : series + "-" + firstMask.width() + "x" + firstMask.height() + ".dcm");
      DatasetSeg.of(images, predictions.masks(), catalog, classes)
          .instance(DerivedUid.of("radlab-seg-series", jobId, modelPath, series),
              DerivedUid.of("radlab-seg", jobId, modelPath, series, content.toString()))
          .describe(1, "RadLab " + modelId, "Predicted by model " + modelId + " in evaluation " + jobId)
          .algorithmVersion(modelId)
          .created(now)
          .write(file);
      written.add(file);
    }
    return written;
  }
}
