package org.radlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.FloatBuffer;

/**
 * The memory of libtorch arrays on the CPU, seen from Java without a copy. DJL's {@code toFloatArray} and
 * {@code set} go through a temporary direct buffer of the whole array; for the 45 MB of a ResNet-18 that is an
 * allocation, a zero fill and two copies, each time a training round loads or reads out weights.
 */
final class ArrayViews {
  private ArrayViews() {}

  /**
   * An array's values, flat and contiguous, for reading: a view of the array's own memory when it is contiguous,
   * else of a copy. Close it after use: DJL keeps each array it creates (the flat view, the copy) in the source
   * array's manager until closed, which for a model's weights means until the model closes.
   */
  record Flat(NDArray array, FloatBuffer values) implements AutoCloseable {
    @Override
    public void close() {
      array.close();
    }
  }

  static Flat flat(NDArray array) {
    NDArray flat = array.reshape(-1); // a view when the array is contiguous, else a contiguous copy
    return new Flat(flat, flat.toByteBuffer(true).asFloatBuffer());
  }

  /** Copies the array's values, in row-major order, into {@code out} from {@code at}. */
  static void copy(NDArray array, float[] out, int at) {
    try (Flat f = flat(array)) {
      f.values().get(0, out, at, f.values().capacity());
    }
  }

  /**
   * The array's own memory, for writing in place; null when libtorch cannot lend it (an array on a GPU, of
   * another type than float32, or not contiguous, where a view would be of a copy). Checked by writing one value
   * through one flat view and reading it back through another (and restoring it). Valid while the array is open.
   */
  static FloatBuffer own(NDArray array) {
    if (array.getDevice().isGpu() || array.getDataType() != DataType.FLOAT32) {
      return null;
    }
    try (Flat one = flat(array); Flat two = flat(array)) {
      if (one.values().capacity() > 0) {
        int before = Float.floatToRawIntBits(one.values().get(0));
        int probe = before ^ 1;
        one.values().put(0, Float.intBitsToFloat(probe));
        boolean shared = Float.floatToRawIntBits(two.values().get(0)) == probe;
        one.values().put(0, Float.intBitsToFloat(before));
        if (!shared) {
          return null;
        }
      }
    }
    return array.toByteBuffer(true).asFloatBuffer(); // contiguous: a view, no copy
  }
}
