package org.radlab.core.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Deflated data sets hide the Pixel Data element's length inside the compressed stream, and PixelMed allocates that
 * length before it reads the value: a few kilobytes of deflated zeros can declare 4 GB. This inflates the data set
 * up to the element, reads its length, and checks it against what the header implies before PixelMed reads it.
 */
final class DeflatedPixelData {
  private DeflatedPixelData() {}

  /** A {@code size_mismatch} when the declared length is not what Rows x Columns x frames need; else quiet. */
  static void checkLength(byte[] file, ParsedDicom parsed, PixelLayout layout) throws DicomRejectException {
    long tagEnd = parsed.pixelDataValueHeader(); // in the inflated data set
    int dataSet = dataSetStart(file);
    if (!TransferSyntaxes.DEFLATED_LE.equals(parsed.datasetTransferSyntax()) || tagEnd < 4 || dataSet < 0) {
      return;
    }
    byte[] element = new byte[12]; // tag, VR, 2 reserved bytes, 4-byte length
    try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(file, dataSet, file.length - dataSet),
        new Inflater(true))) {
      in.skipNBytes(tagEnd - 4);
      if (in.readNBytes(element, 0, 12) != 12) {
        return;
      }
    } catch (IOException e) {
      return; // not inflatable this far: PixelMed's own read reports it
    }
    boolean pixelData = (element[0] & 0xFF) == 0xE0 && (element[1] & 0xFF) == 0x7F && element[2] == 0x10
        && element[3] == 0;
    String vr = new String(element, 4, 2, java.nio.charset.StandardCharsets.US_ASCII);
    long length = (element[8] & 0xFFL) | (element[9] & 0xFFL) << 8 | (element[10] & 0xFFL) << 16
        | (element[11] & 0xFFL) << 24;
    if (pixelData && (vr.equals("OB") || vr.equals("OW")) && length != 0xFFFFFFFFL) {
      NativeSamples.checkLength(length, layout, "Pixel Data");
    }
  }

  /** Where the data set starts: after the preamble and the meta header, by its group length; -1 if unknown. */
  private static int dataSetStart(byte[] f) {
    if (f.length < 144 || f[128] != 'D' || f[129] != 'I' || f[130] != 'C' || f[131] != 'M' || f[132] != 2
        || f[133] != 0 || f[134] != 0 || f[135] != 0 || f[136] != 'U' || f[137] != 'L') {
      return -1;
    }
    long groupLength = (f[140] & 0xFFL) | (f[141] & 0xFFL) << 8 | (f[142] & 0xFFL) << 16 | (f[143] & 0xFFL) << 24;
    return 144 + groupLength < f.length ? (int) (144 + groupLength) : -1;
  }
}
