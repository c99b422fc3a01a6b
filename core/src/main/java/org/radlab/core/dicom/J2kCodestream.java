package org.radlab.core.dicom;

import java.util.HashMap;
import java.util.Map;

/**
 * A structural check of JPEG 2000 codestreams before jai-imageio decodes them. jai-imageio's decoder trusts
 * each tile-part's TNsot (the number of tile-parts of its tile) and silently ignores tile-parts beyond it,
 * which turns a lossless image into a lossy one. OpenJPEG (behind gdcmconv) reads them all. Seen in
 * pydicom's GDCMJ2K_TextGBR.dcm: 6 tile-parts per tile declared as 5, max error 108.
 */
final class J2kCodestream {
  private J2kCodestream() {}

  /** True when some tile has more tile-parts than its TNsot announces. Unparseable input returns false. */
  static boolean hasUndeclaredTileParts(byte[] data) {
    int soc = findCodestream(data);
    if (soc < 0) {
      return false;
    }
    int p = soc + 2;
    // main header: marker segments up to the first SOT
    while (p + 4 <= data.length && (data[p] & 0xFF) == 0xFF && (data[p + 1] & 0xFF) != 0x90) {
      int length = u16(data, p + 2);
      if (length < 2) {
        return false;
      }
      p += 2 + length;
    }
    Map<Integer, Integer> seen = new HashMap<>();
    Map<Integer, Integer> declared = new HashMap<>();
    while (p + 12 <= data.length && (data[p] & 0xFF) == 0xFF && (data[p + 1] & 0xFF) == 0x90) {
      int tile = u16(data, p + 4);
      long psot = u32(data, p + 6);
      int tnsot = data[p + 11] & 0xFF;
      seen.merge(tile, 1, Integer::sum);
      if (tnsot != 0) {
        declared.putIfAbsent(tile, tnsot);
      }
      if (psot < 14 || p + psot > data.length) {
        break;
      }
      p += (int) psot;
    }
    for (Map.Entry<Integer, Integer> e : declared.entrySet()) {
      if (seen.getOrDefault(e.getKey(), 0) > e.getValue()) {
        return true;
      }
    }
    return false;
  }

  /** Offset of SOC followed by SIZ (skipping any JP2 boxes), or -1. */
  static int findCodestream(byte[] d) {
    for (int i = 0; i + 3 < d.length; i++) {
      if ((d[i] & 0xFF) == 0xFF && (d[i + 1] & 0xFF) == 0x4F && (d[i + 2] & 0xFF) == 0xFF && (d[i + 3] & 0xFF) == 0x51) {
        return i;
      }
    }
    return -1;
  }

  private static int u16(byte[] d, int at) {
    return (d[at] & 0xFF) << 8 | (d[at + 1] & 0xFF);
  }

  private static long u32(byte[] d, int at) {
    return (long) u16(d, at) << 16 | u16(d, at + 2);
  }
}
