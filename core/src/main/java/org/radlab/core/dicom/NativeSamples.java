package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.SIZE_MISMATCH;
import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;

/**
 * Turns native (uncompressed) pixel data into stored values: unpacks 1/8/16/32-bit samples in either byte
 * order, keeps BitsStored bits below HighBit, sign-extends when PixelRepresentation is 1, interleaves
 * planar colour and expands YBR_FULL_422 chroma to every pixel.
 */
final class NativeSamples {
  private NativeSamples() {}

  /**
   * Checks that {@code available} bytes hold the data the layout implies. A little extra (less than one
   * frame, e.g. an even-length pad byte) is accepted; less, or a whole frame more, is {@code size_mismatch}.
   */
  static void checkLength(long available, PixelLayout layout, String what) throws DicomRejectException {
    long needed = layout.nativeBytes();
    if (available < needed) {
      throw new DicomRejectException(SIZE_MISMATCH, what + " holds " + available + " bytes but "
          + layout.rows() + "x" + layout.columns() + "x" + layout.samplesPerPixel() + " samples x "
          + layout.frames() + " frames at " + layout.bitsAllocated() + " bits need " + needed);
    }
    if (available - needed >= Math.max(2, layout.nativeBytesPerFrame())) {
      throw new DicomRejectException(SIZE_MISMATCH, what + " holds " + available + " bytes, at least a frame more"
          + " than the " + needed + " the header implies (is NumberOfFrames " + layout.frames() + " right?)");
    }
  }

  /** Unpacks from bytes in file order, starting at {@code offset}; the length must have been checked. */
  static int[] fromBytes(byte[] src, int offset, boolean bigEndian, PixelLayout layout) throws DicomRejectException {
    int count = Math.toIntExact(layout.nativeSamplesPerFrame() * layout.frames());
    int[] raw = new int[count];
    int shift = layout.highBit() + 1 - layout.bitsStored();
    int bits = layout.bitsStored();
    int mask = bits == 32 ? -1 : (1 << bits) - 1;
    int signShift = 32 - bits;
    boolean signed = layout.signed();
    switch (layout.bitsAllocated()) {
      case 1 -> {
        for (int i = 0; i < count; i++) {
          raw[i] = (src[offset + (i >>> 3)] >> (i & 7)) & 1;
        }
        if (signed) {
          for (int i = 0; i < count; i++) {
            raw[i] = -raw[i];
          }
        }
      }
      case 8 -> {
        for (int i = 0; i < count; i++) {
          int v = ((src[offset + i] & 0xFF) >>> shift) & mask;
          raw[i] = signed ? (v << signShift) >> signShift : v;
        }
      }
      case 16 -> {
        int lo = bigEndian ? 1 : 0;
        int hi = 1 - lo;
        if (shift == 0 && bits == 16 && !signed) {
          for (int i = 0, p = offset; i < count; i++, p += 2) {
            raw[i] = (src[p + lo] & 0xFF) | (src[p + hi] & 0xFF) << 8;
          }
        } else if (shift == 0 && bits == 16) {
          for (int i = 0, p = offset; i < count; i++, p += 2) {
            raw[i] = (src[p + lo] & 0xFF) | src[p + hi] << 8;
          }
        } else {
          for (int i = 0, p = offset; i < count; i++, p += 2) {
            int v = (((src[p + lo] & 0xFF) | (src[p + hi] & 0xFF) << 8) >>> shift) & mask;
            raw[i] = signed ? (v << signShift) >> signShift : v;
          }
        }
      }
      case 32 -> {
        for (int i = 0, p = offset; i < count; i++, p += 4) {
          int word = bigEndian
              ? (src[p] & 0xFF) << 24 | (src[p + 1] & 0xFF) << 16 | (src[p + 2] & 0xFF) << 8 | (src[p + 3] & 0xFF)
              : (src[p + 3] & 0xFF) << 24 | (src[p + 2] & 0xFF) << 16 | (src[p + 1] & 0xFF) << 8 | (src[p] & 0xFF);
          raw[i] = storedFrom32(word, shift, bits, mask, signShift, signed);
        }
      }
      default -> throw new IllegalStateException("bits allocated " + layout.bitsAllocated());
    }
    return toInterleaved(raw, layout);
  }

  /**
   * Unpacks from 16-bit words as PixelMed returns OW data: each word already holds its value in host order.
   * 8-bit and 1-bit samples are taken low byte first; 32-bit samples from word pairs, high word first when
   * the source was big endian.
   */
  static int[] fromWords(short[] words, boolean sourceBigEndian, PixelLayout layout) throws DicomRejectException {
    if (layout.bitsAllocated() == 16) {
      int count = Math.toIntExact(layout.nativeSamplesPerFrame() * layout.frames());
      int[] raw = new int[count];
      int shift = layout.highBit() + 1 - layout.bitsStored();
      int bits = layout.bitsStored();
      int mask = (1 << bits) - 1;
      int signShift = 32 - bits;
      boolean signed = layout.signed();
      for (int i = 0; i < count; i++) {
        int v = ((words[i] & 0xFFFF) >>> shift) & mask;
        raw[i] = signed ? (v << signShift) >> signShift : v;
      }
      return toInterleaved(raw, layout);
    }
    byte[] bytes = new byte[words.length * 2];
    if (layout.bitsAllocated() == 32 && sourceBigEndian) {
      // word pairs hold (high, low): write each 32-bit value little endian
      for (int i = 0; i + 1 < words.length; i += 2) {
        putLittleEndian(bytes, 2 * i, words[i + 1]);
        putLittleEndian(bytes, 2 * i + 2, words[i]);
      }
    } else {
      for (int i = 0; i < words.length; i++) {
        putLittleEndian(bytes, 2 * i, words[i]);
      }
    }
    return fromBytes(bytes, 0, false, layout);
  }

  private static void putLittleEndian(byte[] dst, int at, short w) {
    dst[at] = (byte) w;
    dst[at + 1] = (byte) (w >> 8);
  }

  /**
   * Converts unsigned sample words in place into stored values: optionally shifts the HighBit down (native
   * and RLE data keep the stored bits where HighBit puts them; codecs return plain values), keeps
   * BitsStored bits and sign-extends them when PixelRepresentation is 1.
   */
  static void toStored(int[] values, PixelLayout layout, boolean shiftHighBit) throws DicomRejectException {
    int shift = shiftHighBit ? layout.highBit() + 1 - layout.bitsStored() : 0;
    int bits = layout.bitsStored();
    int mask = bits == 32 ? -1 : (1 << bits) - 1;
    int signShift = 32 - bits;
    boolean signed = layout.signed();
    if (shift == 0 && bits == 32) {
      if (!signed) {
        for (int v : values) {
          if (v < 0) {
            storedFrom32(v, 0, bits, mask, signShift, false);
          }
        }
      }
      return;
    }
    for (int i = 0; i < values.length; i++) {
      int v = (values[i] >>> shift) & mask;
      values[i] = signed ? (v << signShift) >> signShift : v;
    }
  }

  private static int storedFrom32(int word, int shift, int bits, int mask, int signShift, boolean signed)
      throws DicomRejectException {
    int v = (word >>> shift) & mask;
    if (signed) {
      return (v << signShift) >> signShift;
    }
    if (v < 0) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT,
          "unsigned 32-bit sample value " + Integer.toUnsignedString(v) + " does not fit a Java int");
    }
    return v;
  }

  /**
   * Reorders native samples into frame-major, pixel-interleaved samples: planar colour (PlanarConfiguration 1)
   * is interleaved and YBR_FULL_422 pairs (Y1 Y2 Cb Cr) become (Y1 Cb Cr)(Y2 Cb Cr).
   */
  static int[] toInterleaved(int[] raw, PixelLayout layout) throws DicomRejectException {
    if (layout.samplesPerPixel() == 1) {
      return raw;
    }
    int ppf = Math.toIntExact(layout.pixelsPerFrame());
    int frames = layout.frames();
    int[] out = new int[ppf * 3 * frames];
    if (layout.isSubsampled422()) {
      if (layout.columns() % 2 != 0) {
        throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, layout.photometric() + " with an odd number of columns");
      }
      int pairs = ppf / 2 * frames;
      for (int p = 0; p < pairs; p++) {
        int in = 4 * p;
        int o = 6 * p;
        int cb = raw[in + 2];
        int cr = raw[in + 3];
        out[o] = raw[in];
        out[o + 1] = cb;
        out[o + 2] = cr;
        out[o + 3] = raw[in + 1];
        out[o + 4] = cb;
        out[o + 5] = cr;
      }
      return out;
    }
    if (layout.planarConfiguration() == 0) {
      return raw;
    }
    for (int f = 0; f < frames; f++) {
      int base = f * ppf * 3;
      for (int s = 0; s < 3; s++) {
        int plane = base + s * ppf;
        for (int p = 0; p < ppf; p++) {
          out[base + 3 * p + s] = raw[plane + p];
        }
      }
    }
    return out;
  }
}
