package org.radlab.core.model;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;

/**
 * How a dataset tensor (float32 values in [0, 1], little endian, side x side) becomes a model input: resized to
 * {@code inputSize} and normalized as {@code (v - mean) / std} with the training dataset's statistics. The model
 * card keeps it as it is ({@code preprocessing} in {@code model.json}).
 *
 * @param inputSize  the side of the square model input
 * @param tensorSide the side of the dataset tensors the model was trained on; 0 in older cards (the input size)
 * @param mean       the training dataset's tensor mean
 * @param std        its standard deviation; 0 in older cards, which means no scaling
 */
public record Preprocessing(int inputSize, int tensorSide, double mean, double std) implements Serializable {

  /** The side of the tensors this model takes from a dataset: the tensor side, or the input size in older cards. */
  public int side() {
    return tensorSide > 0 ? tensorSide : inputSize;
  }

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
