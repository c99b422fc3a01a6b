package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.SIZE_MISMATCH;

/**
 * Structural check of encapsulated (compressed) Pixel Data before it goes to an external decoder. {@code gdcmconv}
 * decodes a JPEG stream cut short without complaint, padding the missing rows, so a truncated file must be caught
 * here: every fragment item has to fit in the file, the sequence delimiter has to be there, and for the JPEG family
 * (baseline, lossless, JPEG-LS, JPEG 2000, whose streams all close with the marker {@code FF D9}) at least one
 * fragment per frame has to end with that marker.
 */
final class EncapsulatedPixelData {
  private static final String JPEG_FAMILY = "1.2.840.10008.1.2.4.";

  private EncapsulatedPixelData() {}

  /** Rejects a truncated encapsulated Pixel Data element; returns quietly when the data is native or not found. */
  static void checkComplete(byte[] file, ParsedDicom parsed, int frames) throws DicomRejectException {
    long tagEnd = parsed.pixelDataValueHeader();
    if (tagEnd < 4 || tagEnd + 8 > file.length) {
      return;
    }
    int at = (int) tagEnd;
    if (u32(file, at + 4) != 0xFFFFFFFFL) {
      return; // a defined length: native data, checked by its own reader
    }
    String ts = parsed.datasetTransferSyntax();
    boolean markers = ts != null && ts.startsWith(JPEG_FAMILY);
    long p = at + 8L;
    int items = 0;
    int closed = 0;
    while (true) {
      if (p + 8 > file.length) {
        throw new DicomRejectException(SIZE_MISMATCH, "Pixel Data is truncated: the file ends after " + items
            + " item(s) of the encapsulated pixel data, before its sequence delimiter");
      }
      int group = u16(file, (int) p);
      int element = u16(file, (int) p + 2);
      long length = u32(file, (int) p + 4);
      if (group == 0xFFFE && element == 0xE0DD) {
        break;
      }
      if (group != 0xFFFE || element != 0xE000) {
        throw new DicomRejectException(SIZE_MISMATCH, String.format(
            "encapsulated Pixel Data holds a (%04X,%04X) element where a fragment item belongs (item %d)",
            group, element, items + 1));
      }
      long start = p + 8;
      if (start + length > file.length) {
        throw new DicomRejectException(SIZE_MISMATCH, "Pixel Data is truncated: fragment " + items
            + " declares " + length + " bytes but the file ends after " + (file.length - start));
      }
      if (items > 0 && markers && endsWithEndMarker(file, (int) start, (int) length)) {
        closed++;
      }
      items++;
      p = start + length;
    }
    if (markers && closed < frames) {
      throw new DicomRejectException(SIZE_MISMATCH, "Pixel Data is truncated: " + closed + " of " + frames
          + " compressed frame(s) end with the end-of-image marker FF D9");
    }
  }

  /** Whether a fragment ends with FF D9, allowing the one or two bytes of padding (00 or FF) encoders add. */
  private static boolean endsWithEndMarker(byte[] b, int start, int length) {
    int end = start + length;
    for (int pad = 0; pad <= 2 && end - pad - 2 >= start; pad++) {
      if (pad > 0 && b[end - pad] != 0 && b[end - pad] != (byte) 0xFF) {
        return false;
      }
      if ((b[end - pad - 2] & 0xFF) == 0xFF && (b[end - pad - 1] & 0xFF) == 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
  }
}
