package org.radlab.core.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Decodes the pages of one column chunk (dictionary and data pages) into values. */
final class ColumnPages {
  private static final int INT32 = 1;
  private static final int INT64 = 2;
  private static final int DOUBLE = 5;
  private static final int BYTE_ARRAY = 6;

  private final String what;
  private final int type;
  private final int maxDefinition;
  private final boolean snappy;
  private List<Object> dictionary;

  ColumnPages(String what, int type, int maxDefinition, boolean snappy) throws IOException {
    if (type != INT32 && type != INT64 && type != DOUBLE && type != BYTE_ARRAY) {
      throw new IOException(what + " has physical type " + type + ", which this reader does not decode");
    }
    this.what = what;
    this.type = type;
    this.maxDefinition = maxDefinition;
    this.snappy = snappy;
  }

  List<Object> read(ByteBuffer chunk, long count) throws IOException {
    List<Object> out = new ArrayList<>();
    try {
      while (out.size() < count && chunk.hasRemaining()) {
        Map<Integer, Object> header = new CompactThrift(chunk).struct();
        int pageType = (int) CompactThrift.integer(header, 1, -1);
        int uncompressed = (int) CompactThrift.integer(header, 2, 0);
        int compressed = (int) CompactThrift.integer(header, 3, 0);
        byte[] raw = new byte[compressed];
        chunk.get(raw);
        if (pageType == 2) {
          Map<Integer, Object> d = CompactThrift.child(header, 7);
          dictionary = plain(ByteBuffer.wrap(body(raw, 0, compressed, uncompressed)),
              (int) CompactThrift.integer(d, 1, 0));
        } else if (pageType == 0) {
          Map<Integer, Object> d = CompactThrift.child(header, 5);
          byte[] page = body(raw, 0, compressed, uncompressed);
          int n = (int) CompactThrift.integer(d, 1, 0);
          int pos = 0;
          boolean[] present = new boolean[n];
          if (maxDefinition > 0) {
            int len = ByteBuffer.wrap(page, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            present = levels(page, 4, len, n);
            pos = 4 + len;
          } else {
            Arrays.fill(present, true);
          }
          values(out, ByteBuffer.wrap(page, pos, page.length - pos), (int) CompactThrift.integer(d, 2, 0), present);
        } else if (pageType == 3) {
          Map<Integer, Object> d = CompactThrift.child(header, 8);
          int n = (int) CompactThrift.integer(d, 1, 0);
          int defLen = (int) CompactThrift.integer(d, 5, 0);
          int repLen = (int) CompactThrift.integer(d, 6, 0);
          boolean[] present = new boolean[n];
          if (maxDefinition > 0) {
            present = levels(raw, repLen, defLen, n);
          } else {
            Arrays.fill(present, true);
          }
          int from = repLen + defLen;
          boolean isCompressed = !Boolean.FALSE.equals(d.get(7));
          byte[] page = isCompressed ? body(raw, from, compressed - from, uncompressed - from)
              : Arrays.copyOfRange(raw, from, compressed);
          values(out, ByteBuffer.wrap(page), (int) CompactThrift.integer(d, 4, 0), present);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(what + ": a page this reader cannot decode: " + e, e);
    }
    if (out.size() != count) {
      throw new IOException(what + ": " + out.size() + " values where the footer says " + count);
    }
    return out;
  }

  private byte[] body(byte[] raw, int from, int length, int uncompressed) throws IOException {
    return snappy ? Snappy.decompress(raw, from, length, uncompressed) : Arrays.copyOfRange(raw, from, from + length);
  }

  private void values(List<Object> out, ByteBuffer page, int encoding, boolean[] present) throws IOException {
    int nonNull = 0;
    for (boolean p : present) {
      nonNull += p ? 1 : 0;
    }
    List<Object> v;
    if (encoding == 0) {
      v = plain(page.slice().order(ByteOrder.LITTLE_ENDIAN), nonNull);
    } else if (encoding == 2 || encoding == 8) {
      if (dictionary == null) {
        throw new IOException(what + ": a dictionary-encoded page without a dictionary page");
      }
      int bitWidth = nonNull == 0 ? 0 : page.get(page.position()) & 0xff;
      int[] idx = Rle.decode(page.array(), page.arrayOffset() + page.position() + 1, page.limit(), bitWidth, nonNull);
      v = new ArrayList<>(nonNull);
      for (int i : idx) {
        v.add(dictionary.get(i));
      }
    } else {
      throw new IOException(what + ": value encoding " + encoding + " is not read (only PLAIN and dictionary)");
    }
    int k = 0;
    for (boolean p : present) {
      out.add(p ? v.get(k++) : null);
    }
  }

  private boolean[] levels(byte[] buf, int from, int length, int n) {
    int[] l = Rle.decode(buf, from, from + length, 1, n);
    boolean[] present = new boolean[n];
    for (int i = 0; i < n; i++) {
      present[i] = l[i] == maxDefinition;
    }
    return present;
  }

  private List<Object> plain(ByteBuffer b, int n) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case INT32 -> out.add(b.getInt());
        case INT64 -> out.add(b.getLong());
        case DOUBLE -> out.add(b.getDouble());
        default -> {
          byte[] v = new byte[b.getInt()];
          b.get(v);
          out.add(v);
        }
      }
    }
    return out;
  }
}
