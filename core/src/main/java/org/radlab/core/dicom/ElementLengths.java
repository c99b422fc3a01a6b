package org.radlab.core.dicom;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.ValueRepresentation;
import java.util.Set;

/**
 * Walks a file's elements before PixelMed parses it and refuses any element whose defined length runs more than
 * {@value #SLACK} bytes past the end of the file. PixelMed allocates an element's declared length before reading its
 * value: a 26-byte file with one private element declaring 2 GB makes the header parse allocate 2 GB. A file cut
 * short by less than that is left to PixelMed, which reads what is there (so a truncated file keeps its usual
 * reason). Sequences and items are walked into (in
 * implicit VR, a tag the dictionary calls a sequence, an undefined length, or a value that starts with an item);
 * the walk stops at encapsulated pixel data and at a deflated data set, whose lengths other checks cover.
 */
final class ElementLengths {
  private static final Set<String> LONG_LENGTH_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC",
      "UN", "UR", "UT", "UV");
  private static final long UNDEFINED = 0xFFFFFFFFL;
  /** How far past the end of the file an element may run: what PixelMed then allocates in vain is harmless. */
  static final long SLACK = 1 << 20;

  private ElementLengths() {}

  /** The encoding of the part being walked. */
  private record Encoding(boolean explicitVr, boolean bigEndian) {}

  /**
   * @param start where the first element starts (132 after a preamble, else 0)
   * @param dataSetTransferSyntax the data set's transfer syntax when there is no meta header to read it from
   * @param reason the reject reason for an element too long ({@code decode_failed}, or {@code not_dicom} for a file
   *     without the DICM preamble)
   */
  static void check(byte[] file, int start, boolean metaHeader, String dataSetTransferSyntax, String reason)
      throws DicomRejectException {
    int p = start;
    String ts = dataSetTransferSyntax;
    if (metaHeader) {
      Encoding meta = new Encoding(true, false);
      while (p + 8 <= file.length && u16(file, p, false) == 0x0002) {
        long length = length(file, p, meta);
        int value = p + headerLength(file, p, meta);
        require(length != UNDEFINED && value + length <= file.length + SLACK, file, p, length, value, meta, reason);
        if (value + length > file.length) {
          return;
        }
        if (u16(file, p + 2, false) == 0x0010) {
          ts = new String(file, value, (int) length, java.nio.charset.StandardCharsets.US_ASCII).trim()
              .replace("\0", "");
        }
        p = (int) (value + length);
      }
    }
    if (ts == null || TransferSyntaxes.DEFLATED_LE.equals(ts)) {
      return;
    }
    Encoding encoding = new Encoding(!TransferSyntaxes.IMPLICIT_LE.equals(ts), TransferSyntaxes.EXPLICIT_BE.equals(ts));
    walk(file, p, encoding, reason);
  }

  private static void walk(byte[] f, int p, Encoding e, String reason) throws DicomRejectException {
    while (p + 8 <= f.length) {
      int group = u16(f, p, e.bigEndian());
      int element = u16(f, p + 2, e.bigEndian());
      if (group == 0xFFFE) { // item, item delimiter, sequence delimiter: a 4-byte length, walked into
        p += 8;
        continue;
      }
      long length = length(f, p, e);
      int value = p + headerLength(f, p, e);
      if (group == 0x7FE0) {
        if (length == UNDEFINED || value + length > f.length) {
          return; // encapsulated or truncated pixel data: the pixel data readers check and name it
        }
        p = (int) (value + length);
        continue;
      }
      if (length == UNDEFINED && e.explicitVr() && f[p + 4] == 'U' && f[p + 5] == 'N') {
        return; // a sequence of unknown VR: its items are in implicit VR, beyond this walk
      }
      if (length == UNDEFINED || isSequence(f, p, value, length, e)) {
        p = value; // a sequence: its items and their elements follow
        continue;
      }
      require(value + length <= f.length + SLACK, f, p, length, value, e, reason);
      if (value + length > f.length) {
        return; // cut short: PixelMed reads what is there
      }
      p = (int) (value + length);
    }
  }

  private static boolean isSequence(byte[] f, int p, int value, long length, Encoding e) {
    if (e.explicitVr()) {
      return f[p + 4] == 'S' && f[p + 5] == 'Q';
    }
    byte[] vr = DicomDictionary.StandardDictionary.getValueRepresentationFromTag(
        new AttributeTag(u16(f, p, false), u16(f, p + 2, false)));
    if (vr != null) {
      return ValueRepresentation.isSequenceVR(vr);
    }
    // a private element: a sequence when its value starts with an item tag
    return length >= 8 && value + 4 <= f.length && u16(f, value, false) == 0xFFFE && u16(f, value + 2, false) == 0xE000;
  }

  private static int headerLength(byte[] f, int p, Encoding e) {
    return !e.explicitVr() || u16(f, p, e.bigEndian()) == 0xFFFE || !longLength(f, p) ? 8 : 12;
  }

  private static long length(byte[] f, int p, Encoding e) {
    if (!e.explicitVr() || u16(f, p, e.bigEndian()) == 0xFFFE) {
      return u32(f, p + 4, e.bigEndian());
    }
    if (longLength(f, p)) {
      return p + 12 <= f.length ? u32(f, p + 8, e.bigEndian()) : UNDEFINED - 1;
    }
    return u16(f, p + 6, e.bigEndian());
  }

  private static boolean longLength(byte[] f, int p) {
    return LONG_LENGTH_VRS.contains(new String(new char[] {(char) (f[p + 4] & 0xFF), (char) (f[p + 5] & 0xFF)}));
  }

  private static void require(boolean ok, byte[] f, int p, long length, int value, Encoding e, String reason)
      throws DicomRejectException {
    if (!ok) {
      throw new DicomRejectException(reason, String.format("malformed DICOM header: element (%04X,%04X) "
          + "declares %d bytes but the file ends %d bytes after its header", u16(f, p, e.bigEndian()),
          u16(f, p + 2, e.bigEndian()), length, Math.max(0, f.length - value)));
    }
  }

  private static int u16(byte[] b, int at, boolean bigEndian) {
    return bigEndian ? (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF) : (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int at, boolean bigEndian) {
    return bigEndian
        ? (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL)
        : (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
  }
}
