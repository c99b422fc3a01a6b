package org.radlab.core.model;

/**
 * IEEE 754 half precision (binary16) for the weight updates replicas exchange: half the bytes of float32, with
 * about three significant decimal digits, plenty for the change one round makes to a weight. Rounds to nearest,
 * ties to even; overflow becomes infinity, and values below the smallest subnormal (about 6e-8) become zero.
 */
public final class Half {
  private Half() {}

  public static short fromFloat(float value) {
    int f = Float.floatToRawIntBits(value);
    int sign = (f >>> 16) & 0x8000;
    int exp = (f >>> 23) & 0xFF;
    int mant = f & 0x7FFFFF;
    if (exp == 0xFF) { // infinity or NaN
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) { // subnormal half, or zero
      if (e < -10) {
        return (short) sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || rest == midpoint && (half & 1) == 1) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1FFF;
    if (rest > 0x1000 || rest == 0x1000 && (half & 1) == 1) {
      half++; // may carry into the exponent, up to infinity: both correct
    }
    return (short) (sign | half);
  }

  public static float toFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant / 16777216f; // mant * 2^-24
      return sign == 0 ? v : -v;
    }
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  public static short[] encode(float[] values) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = fromFloat(values[i]);
    }
    return out;
  }

  /** Adds the decoded {@code halves} into {@code target}, element by element. */
  public static void addTo(float[] target, short[] halves) {
    if (target.length != halves.length) {
      throw new IllegalArgumentException(target.length + " values but " + halves.length + " updates");
    }
    for (int i = 0; i < target.length; i++) {
      target[i] += toFloat(halves[i]);
    }
  }
}
