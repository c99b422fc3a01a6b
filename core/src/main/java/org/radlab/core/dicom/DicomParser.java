package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;
import static org.radlab.core.dicom.DicomRejectException.NOT_DICOM;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import java.io.IOException;

/**
 * Reads a DICOM header with PixelMed, within limits: the file must be DICOM ({@link DicomSniff}), no element may
 * declare more than the file holds ({@link ElementLengths}), and the read stops at the pixel data. The header
 * fields then come from {@link HeaderFields}.
 */
final class DicomParser {
  private DicomParser() {}

  static ParsedDicom parseHeader(byte[] file) throws DicomRejectException {
    PixelMedSupport.ensureInitialised();
    if (file == null || file.length == 0) {
      throw new DicomRejectException(NOT_DICOM, "empty file");
    }
    DicomSniff sniff = sniff(file);
    ElementLengths.check(file, sniff.preamble() ? 132 : 0, sniff.preamble() || sniff.startsWithMetaHeader(),
        sniff.guessedTransferSyntax(), sniff.preamble() ? DECODE_FAILED : NOT_DICOM);
    AttributeList list = new AttributeList();
    StopAtPixelData stop = new StopAtPixelData();
    String datasetTs;
    try (DicomInputStream in = sniff.open(file)) {
      list.read(in, stop);
      datasetTs = in.getTransferSyntaxToReadDataSet() == null ? null : in.getTransferSyntaxToReadDataSet().getUID();
    } catch (Throwable t) {
      Failures.rethrowIfFatal(t);
      String what = sniff.preamble() ? "malformed DICOM header: " : "not a readable DICOM data set: ";
      throw new DicomRejectException(sniff.preamble() ? DECODE_FAILED : NOT_DICOM, what + Failures.describe(t), t);
    }
    if (!sniff.preamble() && !hasDataSetAttributes(list)) {
      throw new DicomRejectException(NOT_DICOM, "no DICM preamble and no data set elements could be read");
    }
    String ts = AttributeValues.text(list, Tags.TRANSFER_SYNTAX_UID);
    if (ts == null) {
      ts = datasetTs;
    }
    boolean hasPixelData = stop.stopped() && stop.tag().equals(Tags.PIXEL_DATA);
    boolean floatPixels = stop.stopped() && !hasPixelData;
    DicomHeader header = HeaderFields.header(list, ts, hasPixelData);
    return new ParsedDicom(list, header, datasetTs == null ? ts : datasetTs,
        hasPixelData ? stop.byteOffset() : -1, floatPixels);
  }

  /** Opens the whole file for a full PixelMed read, the same way {@link #parseHeader} did. */
  static DicomInputStream openStream(byte[] file) throws IOException, DicomRejectException {
    return sniff(file).open(file);
  }

  private static DicomSniff sniff(byte[] file) throws DicomRejectException {
    DicomSniff sniff = DicomSniff.of(file);
    if (sniff == null) {
      throw new DicomRejectException(NOT_DICOM, "no DICM preamble and the first bytes are not a DICOM element");
    }
    return sniff;
  }

  private static boolean hasDataSetAttributes(AttributeList list) {
    for (AttributeTag tag : list.keySet()) {
      if (tag.getGroup() > 0x0002) {
        return true;
      }
    }
    return false;
  }

  /** Stops the top-level read at Float, Double Float or ordinary Pixel Data, before its value is read. */
  private static final class StopAtPixelData implements AttributeList.ReadTerminationStrategy {
    private AttributeTag tag;
    private long byteOffset = -1;

    @Override
    public boolean terminate(AttributeList list, AttributeTag t, long offset) {
      int element = t.getElement();
      if (t.getGroup() == 0x7FE0 && (element == 0x0010 || element == 0x0008 || element == 0x0009)) {
        tag = t;
        byteOffset = offset;
        return true;
      }
      return false;
    }

    boolean stopped() {
      return tag != null;
    }

    AttributeTag tag() {
      return tag;
    }

    long byteOffset() {
      return byteOffset;
    }
  }
}
