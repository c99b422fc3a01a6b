package org.radlab.core.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Thrift's compact protocol, the encoding of Parquet's footer and page headers, into plain values: a struct
 * becomes a map from field id to value (Long for integers, byte[] for binaries, List, Map, Boolean, Double).
 */
final class CompactThrift {
  private final ByteBuffer in;

  CompactThrift(ByteBuffer in) {
    this.in = in;
  }

  /** Reads one struct from the buffer's position and leaves the position after it. */
  Map<Integer, Object> struct() throws IOException {
    Map<Integer, Object> out = new HashMap<>();
    int last = 0;
    while (true) {
      int header = in.get() & 0xff;
      int type = header & 0x0f;
      if (type == 0) {
        return out;
      }
      int delta = header >>> 4;
      int id = delta == 0 ? (int) zigzag(varint()) : last + delta;
      last = id;
      out.put(id, type == 1 ? Boolean.TRUE : type == 2 ? Boolean.FALSE : value(type));
    }
  }

  private Object value(int type) throws IOException {
    switch (type) {
      case 1: case 2: return in.get() == 1;
      case 3: return (long) in.get();
      case 4: case 5: case 6: return zigzag(varint());
      case 7: return Double.longBitsToDouble(Long.reverseBytes(in.getLong()));
      case 8: {
        byte[] b = new byte[(int) varint()];
        in.get(b);
        return b;
      }
      case 9: case 10: {
        int header = in.get() & 0xff;
        long size = header >>> 4 == 15 ? varint() : header >>> 4;
        List<Object> list = new ArrayList<>();
        for (long i = 0; i < size; i++) {
          list.add(value(header & 0x0f));
        }
        return list;
      }
      case 11: {
        long size = varint();
        Map<Object, Object> map = new HashMap<>();
        if (size > 0) {
          int kv = in.get() & 0xff;
          for (long i = 0; i < size; i++) {
            map.put(value(kv >>> 4), value(kv & 0x0f));
          }
        }
        return map;
      }
      case 12: return struct();
      default: throw new IOException("not a Thrift compact value: type " + type);
    }
  }

  private long varint() throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.get() & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("a Thrift varint longer than 64 bits");
  }

  private static long zigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  static long integer(Map<Integer, Object> struct, int field, long missing) {
    Object v = struct.get(field);
    return v == null ? missing : (Long) v;
  }

  @SuppressWarnings("unchecked")
  static Map<Integer, Object> child(Map<Integer, Object> struct, int field) {
    return (Map<Integer, Object>) struct.get(field);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<Integer, Object> struct, int field) {
    Object v = struct.get(field);
    return v == null ? List.of() : (List<Object>) v;
  }
}
