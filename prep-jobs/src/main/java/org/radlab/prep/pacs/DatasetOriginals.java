package org.radlab.prep.pacs;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageList;
import org.radlab.prep.LabelImport;
import org.radlab.spark.SparkSessions;

/**
 * A prepared dataset's images re-identified: each image id (the name every RadLab output gives an image) with its
 * original study, series and SOP Instance UIDs and frame, from the dataset's private id map (an admin's file), and
 * its catalog entry (sizes and mirror flag), which moving a box or a mask back into the original's pixels needs.
 */
record DatasetOriginals(Map<String, Original> originals, Map<String, ImageList.Entry> catalog) {
  /** An image's original identity; {@code frame} from 0, as prep numbers an image's frames. */
  record Original(String studyUid, String seriesUid, String sopInstanceUid, int frame) {}

  /** Reads the id map and catalog of {@code dataset} (its private folder {@code privateDir}, or the default). */
  static DatasetOriginals read(String dataset, String privateDir) throws IOException {
    DatasetLayout layout = new DatasetLayout(dataset, privateDir == null ? DatasetLayout.defaultPrivateRoot(dataset)
        : privateDir);
    SparkSession spark = SparkSessions.start("radlab-send", "local[1]");
    try {
      Map<String, Original> originals = new HashMap<>();
      for (Row r : spark.read().parquet(LabelImport.idMap(spark, layout)).select(col("image_id"),
          col("orig_study_uid"), col("orig_series_uid"), col("orig_sop_uid"), col("frame")).collectAsList()) {
        originals.put(r.getString(0), new Original(r.getString(1), r.getString(2), r.getString(3),
            r.isNullAt(4) ? 0 : r.getInt(4)));
      }
      String catalogFile = layout.root() + "/" + ImageList.FILE;
      Map<String, ImageList.Entry> catalog = ImageList.index(spark.read().textFile(catalogFile).collectAsList(),
          catalogFile);
      return new DatasetOriginals(originals, catalog);
    } finally {
      spark.stop();
    }
  }

  /** Why image {@code id} cannot be sent back, or null when it can. */
  String unusable(String id, String dataset) {
    Original o = originals.get(id);
    ImageList.Entry e = catalog.get(id);
    if (o == null || e == null) {
      return "not an image of dataset " + dataset;
    }
    if (e.mirrored() == null || e.rows() == null || e.columns() == null || e.pngWidth() == null
        || e.pngHeight() == null) {
      return "prepared before prep recorded sizes and mirroring: prepare the dataset again";
    }
    return null;
  }
}
