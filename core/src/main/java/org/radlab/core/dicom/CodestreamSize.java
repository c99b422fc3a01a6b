package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;

/**
 * The image size a compressed frame's own stream declares, checked against Rows and Columns before ImageIO decodes
 * it: ImageIO's JPEG and JPEG 2000 readers allocate for the size in the stream (a JPEG's SOF segment, a JPEG 2000
 * codestream's SIZ segment), not for the size in the DICOM header, so a small file whose stream declares 40000 x
 * 40000 pixels would fill the heap. A stream this cannot parse passes; the decoded frame's size is checked again
 * afterwards.
 */
final class CodestreamSize {
  private CodestreamSize() {}

  /** Rejects any frame whose stream declares more columns or rows than the header. */
  static void check(byte[][] frames, PixelLayout layout, String ts) throws DicomRejectException {
    for (int f = 0; f < frames.length; f++) {
      long[] size = TransferSyntaxes.isJpeg2000(ts) ? j2k(frames[f]) : jpeg(frames[f]);
      if (size != null && (size[0] > layout.columns() || size[1] > layout.rows())) {
        throw new DicomRejectException(DECODE_FAILED, "the compressed stream of frame " + f + " declares " + size[0]
            + " x " + size[1] + " pixels, the header " + layout.columns() + " x " + layout.rows());
      }
    }
  }

  /** {width, height} from the first SOF segment (any SOFn, JPEG-LS's SOF55 too), or null. */
  static long[] jpeg(byte[] d) {
    if (d.length < 4 || (d[0] & 0xFF) != 0xFF || (d[1] & 0xFF) != 0xD8) {
      return null;
    }
    int p = 2;
    while (p + 4 <= d.length) {
      if ((d[p] & 0xFF) != 0xFF) {
        return null;
      }
      int marker = d[p + 1] & 0xFF;
      if (marker == 0xFF) {
        p++; // fill byte
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        p += 2; // no length
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return null; // scan data (or the end) before any frame header
      }
      int length = u16(d, p + 2);
      boolean sof = (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
          || marker == 0xF7;
      if (sof) {
        return p + 9 <= d.length ? new long[] {u16(d, p + 7), u16(d, p + 5)} : null;
      }
      if (length < 2) {
        return null;
      }
      p += 2 + length;
    }
    return null;
  }

  /** {width, height} from the SIZ segment right after SOC (Xsiz - XOsiz, Ysiz - YOsiz), or null. */
  static long[] j2k(byte[] d) {
    int soc = J2kCodestream.findCodestream(d);
    if (soc < 0 || soc + 26 > d.length) {
      return null;
    }
    int siz = soc + 2;
    return new long[] {u32(d, siz + 6) - u32(d, siz + 14), u32(d, siz + 10) - u32(d, siz + 18)};
  }

  private static int u16(byte[] d, int at) {
    return (d[at] & 0xFF) << 8 | (d[at + 1] & 0xFF);
  }

  private static long u32(byte[] d, int at) {
    return (d[at] & 0xFFL) << 24 | (d[at + 1] & 0xFFL) << 16 | (d[at + 2] & 0xFFL) << 8 | (d[at + 3] & 0xFFL);
  }
}
