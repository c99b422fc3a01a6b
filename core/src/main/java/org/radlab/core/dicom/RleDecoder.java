package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;
import static org.radlab.core.dicom.DicomRejectException.SIZE_MISMATCH;
import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;

import java.util.Arrays;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): each frame holds one PackBits segment per byte of each sample, most
 * significant byte first, sample planes in order. Every segment must decode to exactly one byte per pixel;
 * a short segment is a {@code decode_failed}, never silently zero-filled. Handles 8, 16 and 32 bits and 1
 * or 3 samples (PixelMed's own RLE path refuses 16-bit colour and 32-bit data).
 */
final class RleDecoder {
  /** PackBits' largest expansion: a 2-byte replicate run makes 128 bytes. */
  static final int MAX_EXPANSION = 64;

  private RleDecoder() {}

  /** Decodes all frames into frame-major, pixel-interleaved stored values. */
  static int[] decode(byte[][] frames, PixelLayout layout) throws DicomRejectException {
    if (layout.bitsAllocated() == 1) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "RLE with 1 bit allocated");
    }
    int ppf = Math.toIntExact(layout.pixelsPerFrame());
    int spp = layout.samplesPerPixel();
    int bytesPerSample = layout.bitsAllocated() / 8;
    int segments = spp * bytesPerSample;
    for (int f = 0; f < layout.frames(); f++) {
      checkFrame(frames[f], f, segments, ppf, layout);
    }
    int[] out = new int[Math.toIntExact(layout.totalSamples())];
    byte[] plane = new byte[ppf];
    for (int f = 0; f < layout.frames(); f++) {
      byte[] data = frames[f];
      int frameBase = f * ppf * spp;
      for (int seg = 0; seg < segments; seg++) {
        long start = le32(data, 4 + 4 * seg) & 0xFFFFFFFFL;
        long end = seg + 1 < segments ? le32(data, 8 + 4 * seg) & 0xFFFFFFFFL : data.length;
        int produced = unpackBits(data, (int) start, (int) end, plane);
        if (produced != ppf) {
          throw new DicomRejectException(DECODE_FAILED, "RLE frame " + f + " segment " + seg + " decoded to "
              + produced + " bytes, expected " + ppf);
        }
        int sample = seg / bytesPerSample;
        int byteShift = 8 * (bytesPerSample - 1 - seg % bytesPerSample);
        for (int p = 0, o = frameBase + sample; p < ppf; p++, o += spp) {
          out[o] |= (plane[p] & 0xFF) << byteShift;
        }
      }
    }
    NativeSamples.toStored(out, layout, true);
    return out;
  }

  /**
   * Checks a frame's header and segment offsets, and that each segment is long enough to decode to the {@code ppf}
   * bytes Rows x Columns need: PackBits turns 2 bytes into at most 128, so a segment shorter than ppf / 64 bytes
   * cannot hold the image its header declares. Runs for every frame before the output is allocated.
   */
  private static void checkFrame(byte[] data, int f, int segments, int ppf, PixelLayout layout)
      throws DicomRejectException {
    if (data.length < 64) {
      throw new DicomRejectException(DECODE_FAILED, "RLE frame " + f + " is shorter than its 64-byte header");
    }
    int declared = le32(data, 0);
    if (declared != segments) {
      throw new DicomRejectException(DECODE_FAILED, "RLE frame " + f + " has " + declared + " segments, expected "
          + segments + " for " + layout.samplesPerPixel() + " samples of " + layout.bitsAllocated() + " bits");
    }
    for (int seg = 0; seg < segments; seg++) {
      long start = le32(data, 4 + 4 * seg) & 0xFFFFFFFFL;
      long end = seg + 1 < segments ? le32(data, 8 + 4 * seg) & 0xFFFFFFFFL : data.length;
      if (start < 64 || start > end || end > data.length) {
        throw new DicomRejectException(DECODE_FAILED, "RLE frame " + f + " segment " + seg + " has offsets "
            + start + ".." + end + " outside the " + data.length + "-byte frame");
      }
      if ((end - start) * MAX_EXPANSION < ppf) {
        throw new DicomRejectException(SIZE_MISMATCH, "RLE frame " + f + " segment " + seg + " holds " + (end - start)
            + " bytes, too few to decode to the " + ppf + " bytes of " + layout.columns() + " x " + layout.rows()
            + " pixels (PackBits expands at most " + MAX_EXPANSION + " times)");
      }
    }
  }

  /** PackBits into {@code dst}; returns the bytes produced (stops when dst is full). */
  static int unpackBits(byte[] src, int from, int to, byte[] dst) {
    int in = from;
    int out = 0;
    while (in < to && out < dst.length) {
      int n = src[in++];
      if (n >= 0) {
        int count = Math.min(n + 1, Math.min(to - in, dst.length - out));
        System.arraycopy(src, in, dst, out, count);
        in += n + 1;
        out += count;
      } else if (n != -128) {
        if (in >= to) {
          break;
        }
        byte value = src[in++];
        int count = Math.min(1 - n, dst.length - out);
        Arrays.fill(dst, out, out + count, value);
        out += count;
      }
    }
    return out;
  }

  private static int le32(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
  }
}
