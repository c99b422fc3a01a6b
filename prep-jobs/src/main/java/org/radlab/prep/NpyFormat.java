package org.radlab.prep;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes a 2-D float32 array in NumPy's {@code .npy} format, version 1.0, little endian, C order. */
public final class NpyFormat {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

  private NpyFormat() {}

  public static byte[] float32(float[] data, int rows, int columns) {
    if (data.length != rows * columns) {
      throw new IllegalArgumentException("shape " + rows + "x" + columns + " does not hold " + data.length + " values");
    }
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + columns + "), }";
    int unpadded = MAGIC.length + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + 4 * data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
    out.asFloatBuffer().put(data);
    return out.array();
  }
}
