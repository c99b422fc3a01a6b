package org.radlab.core.parquet;

import java.io.IOException;

/** Decompresses one raw Snappy block, the form Parquet's SNAPPY codec stores pages in. */
final class Snappy {
  private Snappy() {}

  static byte[] decompress(byte[] in, int from, int length, int expected) throws IOException {
    int pos = from;
    int end = from + length;
    long size = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos >= end || shift > 28) {
        throw new IOException("a Snappy block with a bad length header");
      }
      int b = in[pos++] & 0xff;
      size |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (size != expected) {
      throw new IOException("a Snappy block of " + size + " bytes where the page header says " + expected);
    }
    byte[] out = new byte[(int) size];
    int o = 0;
    try {
      while (pos < end) {
        int tag = in[pos++] & 0xff;
        int kind = tag & 3;
        if (kind == 0) {
          int len = tag >>> 2;
          if (len >= 60) {
            int bytes = len - 59;
            len = 0;
            for (int i = 0; i < bytes; i++) {
              len |= (in[pos++] & 0xff) << (8 * i);
            }
          }
          len++;
          System.arraycopy(in, pos, out, o, len);
          pos += len;
          o += len;
          continue;
        }
        int len;
        int offset;
        if (kind == 1) {
          len = 4 + ((tag >>> 2) & 7);
          offset = ((tag >>> 5) << 8) | (in[pos++] & 0xff);
        } else if (kind == 2) {
          len = 1 + (tag >>> 2);
          offset = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8;
          pos += 2;
        } else {
          len = 1 + (tag >>> 2);
          offset = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16
              | (in[pos + 3] & 0xff) << 24;
          pos += 4;
        }
        if (offset <= 0 || offset > o) {
          throw new IOException("a Snappy copy reaches before the start of the block");
        }
        for (int i = 0; i < len; i++, o++) {
          out[o] = out[o - offset];
        }
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IOException("a truncated or corrupt Snappy block", e);
    }
    if (o != out.length) {
      throw new IOException("a Snappy block decoded to " + o + " of " + out.length + " bytes");
    }
    return out;
  }
}
