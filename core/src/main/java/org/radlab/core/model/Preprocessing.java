package org.radlab.core.model;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;

/**
 * How a dataset tensor (float32 values in [0, 1], little endian, side x side) becomes a model input: resized to
 * {@code inputSize} and normalized as {@code (v - mean) / std} with the training dataset's statistics.
 */
public record Preprocessing(int inputSize, double mean, double std) implements Serializable {

  public float[] apply(byte[] data, int side) {
    float[] v = new float[side * side];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return apply(v, side);
  }

  public float[] apply(float[] tensor, int side) {
    float[] v = side == inputSize ? tensor.clone()
        : ImageResize.resize(new GrayImage(side, side, tensor), inputSize, inputSize).data();
    float m = (float) mean;
    float s = (float) (std > 1e-6 ? std : 1);
    for (int i = 0; i < v.length; i++) {
      v[i] = (v[i] - m) / s;
    }
    return v;
  }
}
