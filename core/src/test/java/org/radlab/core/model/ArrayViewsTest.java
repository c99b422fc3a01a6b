package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Views of libtorch's memory: writes land in the array, and an array that cannot lend its memory says so. */
class ArrayViewsTest {
  @Test
  void writesThroughTheViewLandInTheArray() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
      FloatBuffer own = ArrayViews.own(a);
      assertNotNull(own);
      own.put(4, -7f);
      assertArrayEquals(new float[] {1, 2, 3, 4, -7, 6}, a.toFloatArray(), 0f);
      float[] read = new float[7];
      ArrayViews.copy(a, read, 1);
      assertArrayEquals(new float[] {0, 1, 2, 3, 4, -7, 6}, read, 0f);
    }
  }

  @Test
  void aTransposedArrayIsReadInItsOwnOrderButNotLent() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)).transpose(); // a strided view
      int arrays = m.getManagedArrays().size();
      float[] read = new float[6];
      ArrayViews.copy(t, read, 0);
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, read, 0f);
      assertNull(ArrayViews.own(t), "a copy must not pass for the array's memory");
      assertEquals(arrays, m.getManagedArrays().size(), "the copies made for reading are freed");
      assertNull(ArrayViews.own(m.create(new int[] {1, 2, 3})), "not float32");
    }
  }
}
