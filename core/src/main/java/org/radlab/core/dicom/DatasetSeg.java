package org.radlab.core.dicom;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;

/**
 * DICOM SEG objects of masks on a prepared dataset's images, as the evaluate job exports its predictions and Run
 * exports one: the masks in the prepared PNGs' pixels, so each frame corresponds pixel for pixel to its prepared
 * image.
 *
 * <p>What the objects reference: the dataset's de-identified identities, never originals. Patient ID, Study Instance
 * UID and the source Series Instance UID are the catalog's pseudonyms. A prepared image is not a DICOM instance and
 * its id (20 hex digits) is not a UID, so it is referenced as SOP Instance UID {@link DerivedUid#of}(image id)
 * ({@code 2.25.} and 128 bits of the id's SHA-256), of the Secondary Capture class; the pseudonymous {@code sop_uid}
 * of images.parquet names the original instance, whose pixel grid the PNG need not share. Without a frame of
 * reference, no position or orientation is written; the Pixel Measures hold the spacing at the PNG's size (the
 * original's spacing times its size over the PNG's) and the slice spacing, and the frames go in slice order.
 */
public final class DatasetSeg {
  private DatasetSeg() {}

  /**
   * A writer holding {@code images} (of one series, all masks of one size) in slice order, with the catalog's
   * patient, study and spacing; the caller names the SEG's own UIDs and description.
   */
  public static SegmentationWriter of(List<String> images, Map<String, LabelMask> masks,
      Map<String, ImageList.Entry> catalog, List<String> classes) {
    List<String> ordered = inSliceOrder(images, catalog);
    String first = ordered.get(0);
    ImageList.Entry e = catalog.get(first);
    LabelMask firstMask = masks.get(first);
    boolean known = e.rowSpacing() != null && e.columnSpacing() != null && e.rows() != null && e.columns() != null;
    SegmentationWriter w = new SegmentationWriter(classes)
        .patient(e.patientId(), null)
        .study(e.studyUid() != null ? e.studyUid() : DerivedUid.of("radlab-study", first), e.studyDate())
        .spacing(known ? e.rowSpacing() * e.rows() / firstMask.height() : null,
            known ? e.columnSpacing() * e.columns() / firstMask.width() : null, null, e.sliceSpacing());
    for (String i : ordered) {
      w.add(new SegmentationWriter.Source(seriesUid(i, catalog.get(i)), SegmentationWriter.SECONDARY_CAPTURE,
          DerivedUid.of(i), null, null, masks.get(i)));
    }
    return w;
  }

  /** {@code images} by their slice position (those without one last), then by id. */
  public static List<String> inSliceOrder(List<String> images, Map<String, ImageList.Entry> catalog) {
    return images.stream().sorted(Comparator.comparing((String i) -> catalog.get(i).slicePosition(),
        Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Comparator.naturalOrder())).toList();
  }

  /** The catalog's pseudonymous series UID; an image without one is a series of its own. */
  public static String seriesUid(String image, ImageList.Entry e) {
    return e != null && e.seriesUid() != null ? e.seriesUid() : DerivedUid.of("radlab-series", image);
  }
}
