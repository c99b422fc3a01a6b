package org.radlab.core.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.radlab.core.parquet.ParquetFile;

/**
 * A prepared dataset's {@code tensors} table read without Spark: the float32 values training and evaluation read for
 * an image, so that a prediction made outside a job (the API's Run, a notebook) sees exactly the same input. The
 * table is {@code tensors/run=N/part-NNNNN.parquet} with columns {@code image_id, side, dtype, data} (data being
 * {@code side²} little-endian float32 values). Hidden files ({@code _…}, {@code .…}), such as a task's unfinished
 * output, are skipped as Spark's readers skip them.
 */
public final class DatasetTensors {
  /** The tensors table's folder inside a dataset. */
  public static final String TABLE = "tensors";

  /** One image's tensor: {@code side x side} values in [0, 1], row-major. */
  public record Tensor(String imageId, int side, float[] values) {}

  private DatasetTensors() {}

  /** The tensor of {@code imageId} in the dataset at {@code root} (a local folder), if the table holds it. */
  public static Optional<Tensor> find(Path root, String imageId) throws IOException {
    Path table = root.resolve(TABLE);
    if (!Files.isDirectory(table)) {
      throw new IOException("the dataset at " + root + " has no " + TABLE + " table");
    }
    byte[] wanted = imageId.getBytes(StandardCharsets.UTF_8);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(table)) {
      files = walk.filter(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p)
          && !hidden(table.relativize(p))).sorted().toList();
    }
    for (Path file : files) {
      ParquetFile f = ParquetFile.open(file);
      for (int g = 0; g < f.rowGroups(); g++) {
        List<Object> ids = f.column(g, "image_id");
        for (int i = 0; i < ids.size(); i++) {
          if (ids.get(i) != null && Arrays.equals((byte[]) ids.get(i), wanted)) {
            return Optional.of(tensor(f, g, i, imageId));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Tensor tensor(ParquetFile f, int group, int row, String imageId) throws IOException {
    String dtype = new String((byte[]) f.column(group, "dtype").get(row), StandardCharsets.UTF_8);
    if (!"float32".equals(dtype)) {
      throw new IOException("the tensor of image " + imageId + " is " + dtype + ", not float32");
    }
    int side = (Integer) f.column(group, "side").get(row);
    byte[] data = (byte[]) f.column(group, "data").get(row);
    if (data == null || data.length != 4L * side * side) {
      throw new IOException("the tensor of image " + imageId + " holds " + (data == null ? 0 : data.length)
          + " bytes, not " + side + "² float32 values");
    }
    float[] v = new float[side * side];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return new Tensor(imageId, side, v);
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      String s = part.toString();
      if (s.startsWith("_") || s.startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
