package org.radlab.core.dicom;

import java.util.Map;

/**
 * Unpacks uncompressed little-endian pixel bytes (as extracted by {@code gdcmraw}) using header values
 * printed by {@code dcmdump}. Written independently of the reader under test, for comparisons only.
 */
record ReferencePixels(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated, int bitsStored,
    int highBit, boolean signed, int planar, String photometric) {

  static ReferencePixels fromDump(Map<String, String> d) {
    int bitsStored = Integer.parseInt(d.get("0028,0101"));
    String frames = d.getOrDefault("0028,0008", "1");
    return new ReferencePixels(
        Integer.parseInt(d.get("0028,0010")),
        Integer.parseInt(d.get("0028,0011")),
        frames.isEmpty() ? 1 : Integer.parseInt(frames.trim()),
        Integer.parseInt(d.getOrDefault("0028,0002", "1")),
        Integer.parseInt(d.get("0028,0100")),
        bitsStored,
        Integer.parseInt(d.getOrDefault("0028,0102", Integer.toString(bitsStored - 1))),
        "1".equals(d.get("0028,0103")),
        Integer.parseInt(d.getOrDefault("0028,0006", "0")),
        d.get("0028,0004"));
  }

  /** Interleaved samples, sign-extended; YBR_FULL_422 pairs expanded to full YBR. */
  int[] unpack(byte[] raw) {
    boolean subsampled = photometric.equals("YBR_FULL_422");
    int pixels = rows * columns * frames;
    int stored = subsampled ? pixels * 2 : pixels * samplesPerPixel;
    long[] words = new long[stored];
    for (int i = 0; i < stored; i++) {
      long w = 0;
      switch (bitsAllocated) {
        case 1 -> w = (raw[i / 8] >> (i % 8)) & 1;
        case 8 -> w = raw[i] & 0xFF;
        case 16 -> w = (raw[2 * i] & 0xFF) + 256L * (raw[2 * i + 1] & 0xFF);
        case 32 -> {
          for (int b = 3; b >= 0; b--) {
            w = w * 256 + (raw[4 * i + b] & 0xFF);
          }
        }
        default -> throw new IllegalArgumentException("bits allocated " + bitsAllocated);
      }
      words[i] = w;
    }
    long modulus = 1L << bitsStored;
    int lowBit = highBit - bitsStored + 1;
    int[] values = new int[stored];
    for (int i = 0; i < stored; i++) {
      long v = (words[i] >> lowBit) % modulus;
      if (signed && v >= modulus / 2) {
        v -= modulus;
      }
      values[i] = (int) v;
    }
    if (subsampled) {
      int[] full = new int[pixels * 3];
      for (int p = 0; p < pixels; p += 2) {
        int y1 = values[2 * p];
        int y2 = values[2 * p + 1];
        int cb = values[2 * p + 2];
        int cr = values[2 * p + 3];
        int[] two = {y1, cb, cr, y2, cb, cr};
        System.arraycopy(two, 0, full, 3 * p, 6);
      }
      return full;
    }
    if (samplesPerPixel == 3 && planar == 1) {
      int perFrame = rows * columns;
      int[] interleaved = new int[values.length];
      for (int f = 0; f < frames; f++) {
        for (int s = 0; s < 3; s++) {
          for (int p = 0; p < perFrame; p++) {
            interleaved[f * perFrame * 3 + p * 3 + s] = values[f * perFrame * 3 + s * perFrame + p];
          }
        }
      }
      return interleaved;
    }
    return values;
  }

  /** YBR_FULL to RGB with the PS3.3 C.7.6.3.1.2 equations (8-bit), rounded and clamped. */
  static int[] ybrFullToRgb(int[] ybr) {
    int[] rgb = new int[ybr.length];
    for (int i = 0; i < ybr.length; i += 3) {
      double y = ybr[i];
      double cb = ybr[i + 1] - 128.0;
      double cr = ybr[i + 2] - 128.0;
      rgb[i] = clamp(y + 1.402 * cr);
      rgb[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
      rgb[i + 2] = clamp(y + 1.772 * cb);
    }
    return rgb;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
