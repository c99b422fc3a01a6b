package org.radlab.prep;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.UserDefinedPredicate;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveComparator;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.spark.HadoopPaths;

/**
 * One Parquet file of a dataset table, written by a conversion task itself. It goes to a hidden temporary name first
 * ({@code _tmp-…}, which Spark's readers skip) and takes its final name only in {@link #commit()}, so a killed task
 * leaves no partial file under a visible name and a retried task simply replaces the file with identical content.
 *
 * <p>Writing the tables from the tasks, rather than through one Spark job per table after the conversion, keeps a
 * prep run to a single Spark job (see docs/benchmarks.md). The files are plain Parquet that Spark reads back with the
 * same column types: strings, ints, longs, doubles and binaries, nullable where the Spark schema says so.
 */
final class TableFile implements Closeable {
  /** Row groups stay small: a tensor is 256 KiB, and a task holds one open file per table. */
  private static final long ROW_GROUP_BYTES = 16L << 20;

  private final StructType schema;
  private final Path target;
  private final Path temporary;
  private final Configuration hadoop;
  private final SimpleGroupFactory groups;
  private final ParquetWriter<Group> writer;
  private long rows;
  private boolean committed;

  TableFile(StructType schema, Path target, String attempt, Configuration hadoop) throws IOException {
    this.schema = schema;
    this.target = target;
    this.temporary = new Path(target.getParent(), "_tmp-" + attempt + "-" + target.getName());
    this.hadoop = hadoop;
    MessageType type = parquetType(schema);
    this.groups = new SimpleGroupFactory(type);
    this.writer = ExampleParquetWriter.builder(outputFile(temporary, hadoop))
        .withType(type)
        .withConf(hadoop)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupSize(ROW_GROUP_BYTES)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /** Appends one row; {@code values} follow the schema's field order, nulls only in nullable fields. */
  void add(Object... values) throws IOException {
    if (values.length != schema.size()) {
      throw new IllegalArgumentException("expected " + schema.size() + " values, got " + values.length);
    }
    Group g = groups.newGroup();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      StructField f = schema.fields()[i];
      if (v == null) {
        if (!f.nullable()) {
          throw new IllegalArgumentException("column " + f.name() + " may not be null");
        }
        continue;
      }
      DataType t = f.dataType();
      if (t.equals(DataTypes.StringType)) {
        g.append(f.name(), (String) v);
      } else if (t.equals(DataTypes.IntegerType)) {
        g.append(f.name(), (Integer) v);
      } else if (t.equals(DataTypes.LongType)) {
        g.append(f.name(), (Long) v);
      } else if (t.equals(DataTypes.DoubleType)) {
        g.append(f.name(), (Double) v);
      } else if (t.equals(DataTypes.BooleanType)) {
        g.append(f.name(), (Boolean) v);
      } else if (t.equals(DataTypes.BinaryType)) {
        g.append(f.name(), Binary.fromConstantByteArray((byte[]) v));
      } else {
        throw new IllegalStateException("no Parquet mapping for " + t);
      }
    }
    writer.write(g);
    rows++;
  }

  long rows() {
    return rows;
  }

  /** Closes the file and moves it to its final name, replacing a file an earlier attempt of the task left there. */
  void commit() throws IOException {
    writer.close();
    committed = true;
    java.nio.file.Path local = HadoopPaths.local(target);
    if (local != null) {
      Files.move(HadoopPaths.local(temporary), local, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    FileSystem fs = target.getFileSystem(hadoop);
    fs.delete(target, false);
    if (!fs.rename(temporary, target)) {
      throw new IOException("cannot rename " + temporary + " to " + target);
    }
  }

  /** Closes without committing: the temporary file is removed (used when the task fails). */
  @Override
  public void close() throws IOException {
    if (committed) {
      return;
    }
    try {
      writer.close();
    } finally {
      java.nio.file.Path local = HadoopPaths.local(temporary);
      if (local != null) {
        Files.deleteIfExists(local);
      } else {
        temporary.getFileSystem(hadoop).delete(temporary, false);
      }
    }
  }

  /** The Parquet schema Spark itself would write for {@code schema} (flat, primitive columns only). */
  static MessageType parquetType(StructType schema) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (StructField f : schema.fields()) {
      Repetition rep = f.nullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
      DataType t = f.dataType();
      if (t.equals(DataTypes.StringType)) {
        b.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(f.name());
      } else if (t.equals(DataTypes.IntegerType)) {
        b.primitive(PrimitiveTypeName.INT32, rep).named(f.name());
      } else if (t.equals(DataTypes.LongType)) {
        b.primitive(PrimitiveTypeName.INT64, rep).named(f.name());
      } else if (t.equals(DataTypes.DoubleType)) {
        b.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.name());
      } else if (t.equals(DataTypes.BooleanType)) {
        b.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.name());
      } else if (t.equals(DataTypes.BinaryType)) {
        b.primitive(PrimitiveTypeName.BINARY, rep).named(f.name());
      } else {
        throw new IllegalArgumentException("no Parquet mapping for column " + f.name() + " of type " + t);
      }
    }
    return b.named("spark_schema");
  }

  /**
   * Reads columns of a table's completed runs on the calling thread, without Spark: the driver's look-ups before a
   * run (which files earlier runs converted, which instances they hold) take a fraction of a second this way, where
   * a Spark SQL query costs seconds to start before it reads anything. Hidden files ({@code _tmp-…}) are skipped, as
   * Spark's readers skip them.
   *
   * @param runs the completed runs; their {@code run=N} folders are read, in run order
   * @param columns string, int or long columns; {@code row} gets each row's values in this order, null where the
   *     row has none (the array is reused: copy what you keep)
   * @return the rows read
   */
  static long read(Configuration hadoop, String table, java.util.Collection<Integer> runs, List<String> columns,
      java.util.function.Consumer<Object[]> row) throws IOException {
    return read(hadoop, table, runs, columns, null, null, row);
  }

  /**
   * {@link #read(Configuration, String, java.util.Collection, List, java.util.function.Consumer)}, only of the rows
   * whose string column {@code column} holds one of {@code among}. Parquet skips a row group whose smallest and
   * largest value leave out every one of them: a run's files hold sorted paths, so asking after a few new files
   * reads little of a large table.
   */
  static long read(Configuration hadoop, String table, java.util.Collection<Integer> runs, List<String> columns,
      String column, java.util.Set<String> among, java.util.function.Consumer<Object[]> row) throws IOException {
    FilterCompat.Filter filter = FilterCompat.NOOP;
    if (column != null) {
      if (among.isEmpty()) {
        return 0;
      }
      filter = FilterCompat.get(FilterApi.userDefined(FilterApi.binaryColumn(column), new Among(among)));
    }
    long rows = 0;
    Object[] values = new Object[columns.size()];
    HadoopParquetConfiguration conf = new HadoopParquetConfiguration(hadoop);
    for (int run : runs) {
      Path dir = new Path(DatasetLayout.runDir(table, run));
      FileSystem fs = dir.getFileSystem(hadoop);
      if (!fs.exists(dir)) {
        continue;
      }
      List<Path> parts = new ArrayList<>();
      for (FileStatus f : fs.listStatus(dir)) {
        String name = f.getPath().getName();
        if (f.isFile() && !InputListing.isHidden(name) && name.endsWith(".parquet")) {
          parts.add(f.getPath());
        }
      }
      parts.sort(Comparator.naturalOrder());
      for (Path part : parts) {
        try (ParquetReader<Group> in = new GroupReader(inputFile(part, hadoop), conf, columns).withFilter(filter)
            .build()) {
          for (Group g = in.read(); g != null; g = in.read()) {
            for (int i = 0; i < values.length; i++) {
              String c = columns.get(i);
              values[i] = !g.getType().containsField(c) || g.getFieldRepetitionCount(c) == 0 ? null : switch (
                  g.getType().getType(c).asPrimitiveType().getPrimitiveTypeName()) {
                case BINARY -> g.getString(c, 0);
                case INT32 -> g.getInteger(c, 0);
                case INT64 -> g.getLong(c, 0);
                default -> throw new IOException(part + ": column " + c + " is not a string or a number");
              };
            }
            row.accept(values);
            rows++;
          }
        } catch (RuntimeException e) {
          throw new IOException("cannot read " + part + ": " + e.getMessage(), e);
        }
      }
    }
    return rows;
  }

  /**
   * Keeps the rows whose value is one of a set, and lets Parquet drop a row group whose range holds none of them:
   * one binary search per row group, one hash look-up per row. (Parquet's own {@code in} predicate compares every
   * value with every row group and row, which took seconds for 10,000 values.)
   */
  private static final class Among extends UserDefinedPredicate<Binary> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final java.util.Set<Binary> values = new java.util.HashSet<>();
    private final Binary[] sorted;

    Among(java.util.Set<String> strings) {
      strings.forEach(v -> values.add(Binary.fromString(v)));
      sorted = values.toArray(Binary[]::new);
      java.util.Arrays.sort(sorted, PrimitiveComparator.UNSIGNED_LEXICOGRAPHICAL_BINARY_COMPARATOR);
    }

    @Override
    public boolean keep(Binary value) {
      return value != null && values.contains(value);
    }

    @Override
    public boolean canDrop(org.apache.parquet.filter2.predicate.Statistics<Binary> range) {
      if (range.getMin() == null || range.getMax() == null) {
        return false;
      }
      Comparator<Binary> order = range.getComparator() != null ? range.getComparator()
          : PrimitiveComparator.UNSIGNED_LEXICOGRAPHICAL_BINARY_COMPARATOR;
      // the first value at or above the range's smallest: none in the range when it is past the largest
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (order.compare(sorted[mid], range.getMin()) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == sorted.length || order.compare(sorted[lo], range.getMax()) > 0;
    }

    @Override
    public boolean inverseCanDrop(org.apache.parquet.filter2.predicate.Statistics<Binary> range) {
      return false;
    }
  }

  /** Group records of the named columns alone (Parquet reads no other column's pages). */
  private static final class GroupReader extends ParquetReader.Builder<Group> {
    private final List<String> columns;

    GroupReader(InputFile file, HadoopParquetConfiguration conf, List<String> columns) {
      // given the configuration: without it, each reader parses Hadoop's default XML files again (milliseconds)
      super(file, conf);
      this.columns = columns;
    }

    @Override
    protected ReadSupport<Group> getReadSupport() {
      return new ReadSupport<>() {
        @Override
        public ReadContext init(org.apache.parquet.hadoop.api.InitContext context) {
          // the file's own types (a table Spark wrote marks every column optional); a column it lacks stays out
          MessageType file = context.getFileSchema();
          return new ReadContext(new MessageType(file.getName(),
              columns.stream().filter(file::containsField).map(file::getType).toList()));
        }

        @Override
        public RecordMaterializer<Group> prepareForRead(Configuration conf, java.util.Map<String, String> meta,
            MessageType fileSchema, ReadContext context) {
          return new GroupRecordConverter(context.getRequestedSchema());
        }
      };
    }
  }

  private static InputFile inputFile(Path path, Configuration hadoop) throws IOException {
    java.nio.file.Path local = HadoopPaths.local(path);
    return local != null ? new LocalInputFile(local) : HadoopInputFile.fromPath(path, hadoop);
  }

  private static OutputFile outputFile(Path path, Configuration hadoop) throws IOException {
    java.nio.file.Path local = HadoopPaths.local(path);
    if (local != null) {
      // Straight to the local disk: Hadoop's local file system would add a .crc file and fork chmod.
      Files.createDirectories(local.getParent());
      return new LocalOutputFile(local);
    }
    return HadoopOutputFile.fromPath(path, hadoop);
  }
}
