package org.radlab.prep;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;

/**
 * A prepared dataset's images as the label imports find them by original SOPInstanceUID: through the private id
 * map to the pseudonymous image id (one per frame), then to the catalog entry with the sizes and mirror flag that
 * mapping a box or a mask into the prepared PNG needs. {@link #find} says why an image cannot be used.
 */
final class OriginalImages {
  /** What became of one original image. */
  enum Outcome { FOUND, UNKNOWN, MULTI_FRAME, ORIENTATION_UNKNOWN }

  /** The outcome, and the catalog entry when found. */
  record Found(Outcome outcome, ImageList.Entry entry) {}

  private final Map<String, List<String>> frames = new HashMap<>();
  private final Map<String, ImageList.Entry> catalog;

  OriginalImages(SparkSession spark, DatasetLayout layout) throws IOException {
    String idMap = LabelImport.idMap(spark, layout);
    for (Row r : spark.read().parquet(idMap).select(col("orig_sop_uid"), col("image_id")).collectAsList()) {
      frames.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getString(1));
    }
    String catalogFile = layout.root() + "/" + ImageList.FILE;
    catalog = ImageList.index(spark.read().textFile(catalogFile).collectAsList(), catalogFile);
  }

  Found find(String originalSopUid) {
    List<String> ids = frames.get(originalSopUid);
    if (ids != null && ids.size() > 1) {
      return new Found(Outcome.MULTI_FRAME, null);
    }
    ImageList.Entry e = ids == null ? null : catalog.get(ids.get(0));
    if (e == null) {
      return new Found(Outcome.UNKNOWN, null);
    }
    if (e.mirrored() == null || e.rows() == null || e.columns() == null || e.pngWidth() == null
        || e.pngHeight() == null) {
      return new Found(Outcome.ORIENTATION_UNKNOWN, null);
    }
    return new Found(Outcome.FOUND, e);
  }

  /** The report lines both imports share: multi-frame images and images without a mirror flag, left out. */
  static void leftOut(List<String> lines, int multiFrame, int orientationUnknown, String what) {
    if (multiFrame > 0) {
      lines.add("  multi-frame images left out (" + what + " names no frame): " + multiFrame);
    }
    if (orientationUnknown > 0) {
      lines.add("  images prepared before prep recorded mirroring, left out (prepare them again): "
          + orientationUnknown);
    }
  }
}
