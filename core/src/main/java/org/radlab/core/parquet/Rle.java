package org.radlab.core.parquet;

/** Parquet's RLE / bit-packing hybrid encoding of small integers (levels and dictionary indices). */
final class Rle {
  private Rle() {}

  static int[] decode(byte[] buf, int from, int end, int bitWidth, int count) {
    int[] out = new int[count];
    int pos = from;
    int n = 0;
    int bytesPerValue = (bitWidth + 7) / 8;
    while (n < count) {
      if (pos >= end) {
        throw new IllegalStateException("RLE data ends after " + n + " of " + count + " values");
      }
      long header = 0;
      for (int shift = 0; ; shift += 7) {
        int b = buf[pos++] & 0xff;
        header |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if ((header & 1) == 0) {
        int run = (int) (header >>> 1);
        int value = 0;
        for (int i = 0; i < bytesPerValue; i++) {
          value |= (buf[pos++] & 0xff) << (8 * i);
        }
        for (int i = 0; i < run && n < count; i++) {
          out[n++] = value;
        }
      } else {
        int values = (int) (header >>> 1) * 8;
        long bitPos = (long) pos * 8;
        for (int i = 0; i < values; i++) {
          int v = 0;
          for (int bit = 0; bit < bitWidth; bit++, bitPos++) {
            v |= ((buf[(int) (bitPos >>> 3)] >>> (bitPos & 7)) & 1) << bit;
          }
          if (n < count) {
            out[n++] = v;
          }
        }
        pos += (values * bitWidth) / 8;
      }
    }
    return out;
  }
}
