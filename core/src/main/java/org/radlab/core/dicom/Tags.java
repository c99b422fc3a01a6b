package org.radlab.core.dicom;

import com.pixelmed.dicom.AttributeTag;

/** The data elements this package reads, by number (PS3.6). */
final class Tags {
  private Tags() {}

  static final AttributeTag TRANSFER_SYNTAX_UID = t(0x0002, 0x0010);
  static final AttributeTag SOP_CLASS_UID = t(0x0008, 0x0016);
  static final AttributeTag SOP_INSTANCE_UID = t(0x0008, 0x0018);
  static final AttributeTag STUDY_DATE = t(0x0008, 0x0020);
  static final AttributeTag MODALITY = t(0x0008, 0x0060);
  static final AttributeTag MANUFACTURER = t(0x0008, 0x0070);
  static final AttributeTag PATIENT_ID = t(0x0010, 0x0020);
  static final AttributeTag BODY_PART_EXAMINED = t(0x0018, 0x0015);
  static final AttributeTag VIEW_POSITION = t(0x0018, 0x5101);
  static final AttributeTag SLICE_THICKNESS = t(0x0018, 0x0050);
  static final AttributeTag SPACING_BETWEEN_SLICES = t(0x0018, 0x0088);
  static final AttributeTag IMAGER_PIXEL_SPACING = t(0x0018, 0x1164);
  static final AttributeTag STUDY_INSTANCE_UID = t(0x0020, 0x000D);
  static final AttributeTag SERIES_INSTANCE_UID = t(0x0020, 0x000E);
  static final AttributeTag IMAGE_POSITION_PATIENT = t(0x0020, 0x0032);
  static final AttributeTag IMAGE_ORIENTATION_PATIENT = t(0x0020, 0x0037);
  static final AttributeTag LATERALITY = t(0x0020, 0x0060);
  static final AttributeTag IMAGE_LATERALITY = t(0x0020, 0x0062);
  static final AttributeTag FRAME_ANATOMY_SEQUENCE = t(0x0020, 0x9071);
  static final AttributeTag FRAME_LATERALITY = t(0x0020, 0x9072);

  static final AttributeTag SAMPLES_PER_PIXEL = t(0x0028, 0x0002);
  static final AttributeTag PHOTOMETRIC_INTERPRETATION = t(0x0028, 0x0004);
  static final AttributeTag PLANAR_CONFIGURATION = t(0x0028, 0x0006);
  static final AttributeTag NUMBER_OF_FRAMES = t(0x0028, 0x0008);
  static final AttributeTag ROWS = t(0x0028, 0x0010);
  static final AttributeTag COLUMNS = t(0x0028, 0x0011);
  static final AttributeTag PIXEL_SPACING = t(0x0028, 0x0030);
  static final AttributeTag BITS_ALLOCATED = t(0x0028, 0x0100);
  static final AttributeTag BITS_STORED = t(0x0028, 0x0101);
  static final AttributeTag HIGH_BIT = t(0x0028, 0x0102);
  static final AttributeTag PIXEL_REPRESENTATION = t(0x0028, 0x0103);
  static final AttributeTag PIXEL_PADDING_VALUE = t(0x0028, 0x0120);
  static final AttributeTag PIXEL_PADDING_RANGE_LIMIT = t(0x0028, 0x0121);
  static final AttributeTag BURNED_IN_ANNOTATION = t(0x0028, 0x0301);
  static final AttributeTag WINDOW_CENTER = t(0x0028, 0x1050);
  static final AttributeTag WINDOW_WIDTH = t(0x0028, 0x1051);
  static final AttributeTag RESCALE_INTERCEPT = t(0x0028, 0x1052);
  static final AttributeTag RESCALE_SLOPE = t(0x0028, 0x1053);
  static final AttributeTag VOI_LUT_FUNCTION = t(0x0028, 0x1056);
  static final AttributeTag RED_PALETTE_DESCRIPTOR = t(0x0028, 0x1101);
  static final AttributeTag GREEN_PALETTE_DESCRIPTOR = t(0x0028, 0x1102);
  static final AttributeTag BLUE_PALETTE_DESCRIPTOR = t(0x0028, 0x1103);
  static final AttributeTag RED_PALETTE_DATA = t(0x0028, 0x1201);
  static final AttributeTag GREEN_PALETTE_DATA = t(0x0028, 0x1202);
  static final AttributeTag BLUE_PALETTE_DATA = t(0x0028, 0x1203);
  static final AttributeTag SEGMENTED_RED_PALETTE_DATA = t(0x0028, 0x1221);
  static final AttributeTag MODALITY_LUT_SEQUENCE = t(0x0028, 0x3000);
  static final AttributeTag LUT_DESCRIPTOR = t(0x0028, 0x3002);
  static final AttributeTag LUT_DATA = t(0x0028, 0x3006);
  static final AttributeTag VOI_LUT_SEQUENCE = t(0x0028, 0x3010);
  static final AttributeTag FRAME_VOI_LUT_SEQUENCE = t(0x0028, 0x9132);
  static final AttributeTag PIXEL_VALUE_TRANSFORMATION_SEQUENCE = t(0x0028, 0x9145);
  static final AttributeTag SHARED_FUNCTIONAL_GROUPS = t(0x5200, 0x9229);
  static final AttributeTag PER_FRAME_FUNCTIONAL_GROUPS = t(0x5200, 0x9230);
  static final AttributeTag FLOAT_PIXEL_DATA = t(0x7FE0, 0x0008);
  static final AttributeTag DOUBLE_FLOAT_PIXEL_DATA = t(0x7FE0, 0x0009);
  static final AttributeTag PIXEL_DATA = t(0x7FE0, 0x0010);

  private static AttributeTag t(int group, int element) {
    return new AttributeTag(group, element);
  }
}
