package org.radlab.prep.synth;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;

/**
 * PixelMed's parser as an independent reader of the synthesizer's output (dcmtk's tools are in core's DicomTools).
 * Nothing here uses the synthesizer's own classes.
 */
final class ExternalDicomTools {
  private ExternalDicomTools() {}

  /** A file read with PixelMed: a few header values and the decompressed stored pixel values. */
  record PixelMedImage(Path file, String transferSyntax, String photometric, String laterality,
                       String viewPosition, String manufacturer, String patientId, String studyDate,
                       String studyInstanceUid, int rows, int columns, int bitsStored, Integer paddingValue,
                       int[] stored) {
    /** Display value in [0, 1] of pixel (x, y): bright means dense, whatever the photometric interpretation. */
    double display(int x, int y) {
      int max = (1 << bitsStored) - 1;
      int v = stored[y * columns + x];
      return "MONOCHROME1".equals(photometric) ? (max - v) / (double) max : v / (double) max;
    }

    /** True when pixel (x, y) is breast, i.e. not the background (padding value, or 0 without one). */
    boolean breast(int x, int y) {
      int background = paddingValue != null ? paddingValue : 0;
      return stored[y * columns + x] != background;
    }
  }

  static PixelMedImage readWithPixelMed(Path file) throws IOException, DicomException {
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    Attribute padding = list.get(TagFromName.PixelPaddingValue);
    short[] raw = list.get(TagFromName.PixelData).getShortValues();
    int[] stored = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      stored[i] = raw[i] & 0xFFFF;
    }
    return new PixelMedImage(file, string(list, TagFromName.TransferSyntaxUID),
        string(list, TagFromName.PhotometricInterpretation), string(list, TagFromName.ImageLaterality),
        string(list, TagFromName.ViewPosition), string(list, TagFromName.Manufacturer),
        string(list, TagFromName.PatientID), string(list, TagFromName.StudyDate),
        string(list, TagFromName.StudyInstanceUID), integer(list, TagFromName.Rows),
        integer(list, TagFromName.Columns), integer(list, TagFromName.BitsStored),
        padding == null ? null : padding.getSingleIntegerValueOrDefault(-1), stored);
  }

  private static String string(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
  }

  private static int integer(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleIntegerValueOrDefault(list, tag, -1);
  }
}
