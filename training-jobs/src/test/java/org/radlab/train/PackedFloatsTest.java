package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** The packed weights survive both of Spark's serializers bit for bit, and add up like plain floats. */
class PackedFloatsTest {
  private static final ClassTag<PackedFloats> TAG = ClassTag$.MODULE$.apply(PackedFloats.class);

  /** Values that a lossy or byte-swapped copy would change: signs, zeros, extremes, NaN, subnormals. */
  private static float[] awkwardValues(int n) {
    float[] v = new float[n];
    Random random = new Random(7);
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10));
    }
    float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-40f, 1f / 3};
    System.arraycopy(special, 0, v, 0, special.length);
    return v;
  }

  private static void assertSameBits(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "value " + i);
    }
  }

  @Test
  void survivesJavaAndKryoSerializationBitForBit() {
    // more than one internal chunk (2^18 floats), and not a multiple of it
    float[] values = awkwardValues((1 << 18) * 2 + 12345);
    for (Serializer serializer : new Serializer[] {new JavaSerializer(new SparkConf()),
        new KryoSerializer(new SparkConf())}) {
      SerializerInstance s = serializer.newInstance();
      PackedFloats back = s.deserialize(s.serialize(PackedFloats.of(values), TAG), TAG);
      assertSameBits(values, back.toArray());
    }
  }

  @Test
  void serializedSizeIsTheRawBytes() {
    float[] values = awkwardValues(100_000);
    SerializerInstance s = new JavaSerializer(new SparkConf()).newInstance();
    int size = s.serialize(PackedFloats.of(values), TAG).remaining();
    // four bytes a value, plus a header of a few dozen bytes
    assertTrue(size >= 400_000 && size < 400_200, "serialized size " + size);
  }

  @Test
  void addToAddsElementByElement() {
    float[] a = awkwardValues(300_001);
    float[] b = new float[a.length];
    Random random = new Random(3);
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextFloat() - 0.5f;
    }
    float[] expected = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      expected[i] = b[i] + a[i];
    }
    PackedFloats.of(a).addTo(b);
    assertSameBits(expected, b);
    assertArrayEquals(new float[] {3f, 5f}, addTo(new float[] {1f, 2f}, new float[] {2f, 3f}));
  }

  private static float[] addTo(float[] values, float[] target) {
    PackedFloats.of(values).addTo(target);
    return target;
  }

  @Test
  void addingArraysOfDifferentLengthsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PackedFloats.of(new float[3]).addTo(new float[4]));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
  }
}
