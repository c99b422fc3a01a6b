package org.radlab.core.dicom;

import static org.radlab.core.dicom.AttributeValues.functionalGroupItem;
import static org.radlab.core.dicom.AttributeValues.integer;
import static org.radlab.core.dicom.AttributeValues.text;

import com.pixelmed.dicom.AttributeList;
import java.util.Locale;

/**
 * The header fields of a parsed data set: the {@link DicomHeader} record, and the two Image Pixel Module values
 * that only the pixel layout needs (High Bit, Planar Configuration).
 */
final class HeaderFields {
  private HeaderFields() {}

  static DicomHeader header(AttributeList l, String transferSyntax, boolean hasPixelData) {
    String laterality = text(l, Tags.IMAGE_LATERALITY);
    if (laterality == null) {
      laterality = text(l, Tags.LATERALITY);
    }
    if (laterality == null) {
      laterality = text(functionalGroupItem(l, Tags.FRAME_ANATOMY_SEQUENCE), Tags.FRAME_LATERALITY);
    }
    String burnedIn = text(l, Tags.BURNED_IN_ANNOTATION);
    return new DicomHeader(
        text(l, Tags.PATIENT_ID),
        text(l, Tags.STUDY_INSTANCE_UID),
        text(l, Tags.SERIES_INSTANCE_UID),
        text(l, Tags.SOP_INSTANCE_UID),
        text(l, Tags.SOP_CLASS_UID),
        text(l, Tags.MODALITY),
        text(l, Tags.BODY_PART_EXAMINED),
        text(l, Tags.VIEW_POSITION),
        laterality,
        text(l, Tags.STUDY_DATE),
        text(l, Tags.MANUFACTURER),
        integer(l, Tags.ROWS, 0),
        integer(l, Tags.COLUMNS, 0),
        integer(l, Tags.BITS_ALLOCATED, 0),
        integer(l, Tags.BITS_STORED, 0),
        integer(l, Tags.PIXEL_REPRESENTATION, 0),
        text(l, Tags.PHOTOMETRIC_INTERPRETATION),
        integer(l, Tags.SAMPLES_PER_PIXEL, 1),
        numberOfFrames(l),
        burnedIn == null ? null : burnedIn.toUpperCase(Locale.ROOT),
        transferSyntax,
        hasPixelData,
        SliceGeometry.of(l));
  }

  /**
   * 1 when absent or empty; 0 when present but not a positive integer (e.g. "1A"), so that decoding can refuse
   * it. Not PixelMed's getSingleIntegerValueOrDefault, which makes an empty value 0.
   */
  private static int numberOfFrames(AttributeList l) {
    String s = text(l, Tags.NUMBER_OF_FRAMES);
    if (s == null) {
      return 1;
    }
    try {
      int n = Integer.parseInt(s);
      return Math.max(n, 0);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** High Bit, or -1 when absent. */
  static int highBit(AttributeList l) {
    return integer(l, Tags.HIGH_BIT, -1);
  }

  static int planarConfiguration(AttributeList l) {
    return integer(l, Tags.PLANAR_CONFIGURATION, 0);
  }
}
