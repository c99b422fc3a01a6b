package org.radlab.core.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A reader for the flat Parquet files RadLab's own jobs write (see prep's {@code TableFile}), without Spark or
 * Hadoop, so the control API and notebooks read a dataset's tables byte for byte as the jobs do. It reads one column
 * of one row group at a time. Supported: flat schemas of required or optional columns; INT32, INT64, DOUBLE and
 * BYTE_ARRAY values; PLAIN and dictionary encodings; data pages v1 and v2; UNCOMPRESSED and SNAPPY. Anything else is
 * an {@link IOException} naming it.
 */
public final class ParquetFile {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final int BYTE_ARRAY = 6;

  private final Path path;
  private final List<Map<Integer, Object>> rowGroups = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final List<int[]> columns = new ArrayList<>(); // {physical type, max definition level}

  private ParquetFile(Path path) {
    this.path = path;
  }

  public static ParquetFile open(Path path) throws IOException {
    ParquetFile f = new ParquetFile(path);
    f.readFooter();
    return f;
  }

  public int rowGroups() {
    return rowGroups.size();
  }

  public long rows(int rowGroup) {
    return CompactThrift.integer(rowGroups.get(rowGroup), 3, 0);
  }

  public List<String> columnNames() {
    return List.copyOf(names);
  }

  /**
   * One column's values in one row group, in row order: Integer, Long, Double or byte[] (strings are UTF-8 bytes),
   * null where the value is null.
   */
  public List<Object> column(int rowGroup, String name) throws IOException {
    int c = names.indexOf(name);
    if (c < 0) {
      throw new IOException(path + " has no column '" + name + "' (it has " + names + ")");
    }
    Map<Integer, Object> meta = CompactThrift.child(
        (Map<Integer, Object>) CompactThrift.list(rowGroups.get(rowGroup), 1).get(c), 3);
    int codec = (int) CompactThrift.integer(meta, 4, 0);
    if (codec != 0 && codec != 1) {
      throw new IOException(path + ": column " + name + " uses compression codec " + codec
          + "; only UNCOMPRESSED and SNAPPY are read");
    }
    long values = CompactThrift.integer(meta, 5, 0);
    long data = CompactThrift.integer(meta, 9, 0);
    long dict = CompactThrift.integer(meta, 11, 0);
    long start = dict > 0 ? Math.min(dict, data) : data;
    ByteBuffer chunk = read(start, (int) CompactThrift.integer(meta, 7, 0));
    return new ColumnPages(path + " column " + name, columns.get(c)[0], columns.get(c)[1], codec == 1)
        .read(chunk, values);
  }

  @SuppressWarnings("unchecked")
  private void readFooter() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 12) {
        throw new IOException(path + " is too short to be a Parquet file");
      }
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(tail, size - 8);
      if (!Arrays.equals(Arrays.copyOfRange(tail.array(), 4, 8), MAGIC)) {
        throw new IOException(path + " is not a Parquet file (no PAR1 at its end)");
      }
      int length = tail.getInt(0);
      if (length <= 0 || length > size - 12) {
        throw new IOException(path + " has a bad Parquet footer length " + length);
      }
      ByteBuffer footer = ByteBuffer.allocate(length);
      ch.read(footer, size - 8 - length);
      footer.flip();
      Map<Integer, Object> meta = new CompactThrift(footer).struct();
      List<Object> schema = CompactThrift.list(meta, 2);
      for (int i = 1; i < schema.size(); i++) {
        Map<Integer, Object> e = (Map<Integer, Object>) schema.get(i);
        if (CompactThrift.integer(e, 5, 0) > 0 || CompactThrift.integer(e, 3, 0) == 2) {
          throw new IOException(path + " has a nested or repeated column; only flat tables are read");
        }
        names.add(new String((byte[]) e.get(4), StandardCharsets.UTF_8));
        columns.add(new int[] {(int) CompactThrift.integer(e, 1, -1), CompactThrift.integer(e, 3, 0) == 1 ? 1 : 0});
      }
      CompactThrift.list(meta, 4).forEach(g -> rowGroups.add((Map<Integer, Object>) g));
    } catch (RuntimeException e) {
      throw new IOException(path + " has a Parquet footer this reader cannot parse: " + e, e);
    }
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          throw new IOException(path + " ends inside a column chunk");
        }
      }
      return b.flip();
    }
  }

  static boolean isByteArray(int type) {
    return type == BYTE_ARRAY;
  }
}
