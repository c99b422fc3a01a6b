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
   * The values, for reading: a view of the array's own memory when it is contiguous, else a contiguous copy. Valid
   * while the array is open.
   */
  static FloatBuffer read(NDArray array) {
    return array.toByteBuffer(true).asFloatBuffer();
  }

  /**
   * The array's own memory, for writing in place; null when libtorch cannot lend it (an array on a GPU, of
   * another type than float32, or not contiguous, where DJL would hand out a copy). Checked by writing one value
   * through one view and reading it back through another (and restoring it). Valid while the array is open.
   */
  static FloatBuffer own(NDArray array) {
    if (array.getDevice().isGpu() || array.getDataType() != DataType.FLOAT32) {
      return null;
    }
    FloatBuffer view = read(array);
    if (view.capacity() == 0) {
      return view;
    }
    FloatBuffer other = read(array);
    int before = Float.floatToRawIntBits(view.get(0));
    int probe = before ^ 1;
    view.put(0, Float.intBitsToFloat(probe));
    boolean shared = Float.floatToRawIntBits(other.get(0)) == probe;
    view.put(0, Float.intBitsToFloat(before));
    return shared ? view : null;
  }
}
