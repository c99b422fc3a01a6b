package org.radlab.core.dicom;

import com.pixelmed.dicom.DicomInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Set;

/**
 * How to open a file: with its 128-byte preamble and "DICM", or without them. A file without the preamble is
 * taken only when its first element looks like DICOM (group 0000-0028); its transfer syntax is then guessed
 * from that element.
 *
 * @param preamble whether the file starts with the preamble and "DICM"
 * @param guessedTransferSyntax without a preamble, the transfer syntax the first element suggests; else null
 * @param startsWithMetaHeader whether the file meta information (group 0002) comes first
 */
record DicomSniff(boolean preamble, String guessedTransferSyntax, boolean startsWithMetaHeader) {
  private static final Set<String> VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO",
      "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL",
      "UN", "UR", "US", "UT", "UV");

  /** How {@code b} can be opened, or null when it neither has the preamble nor starts like a DICOM element. */
  static DicomSniff of(byte[] b) {
    if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
      return new DicomSniff(true, null, true);
    }
    if (b.length < 8) {
      return null;
    }
    int groupLittle = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    int groupBig = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
    boolean explicitVr = VRS.contains(new String(new char[] {(char) (b[4] & 0xFF), (char) (b[5] & 0xFF)}));
    if (plausibleFirstGroup(groupLittle)) {
      boolean meta = groupLittle == 0x0002;
      return new DicomSniff(false, meta || explicitVr ? TransferSyntaxes.EXPLICIT_LE : TransferSyntaxes.IMPLICIT_LE,
          meta);
    }
    if (plausibleFirstGroup(groupBig) && explicitVr) {
      return new DicomSniff(false, TransferSyntaxes.EXPLICIT_BE, false);
    }
    return null;
  }

  private static boolean plausibleFirstGroup(int group) {
    return group <= 0x0028 && group % 2 == 0;
  }

  /** A PixelMed stream over the whole of {@code file}, opened as sniffed. */
  DicomInputStream open(byte[] file) throws IOException {
    ByteArrayInputStream bytes = new ByteArrayInputStream(file);
    return preamble
        ? new DicomInputStream(bytes)
        : new DicomInputStream(bytes, guessedTransferSyntax, startsWithMetaHeader);
  }
}
