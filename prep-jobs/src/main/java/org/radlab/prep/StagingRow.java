package org.radlab.prep;

import static org.apache.spark.sql.types.DataTypes.*;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The one row shape a conversion task emits, for a converted image or for a rejected file. The task itself splits
 * these rows into the public tables (images, tensors, rejects) and the private ones (id map, sources): see
 * {@link RunWriter}.
 */
public final class StagingRow {
  public static final String CONVERTED = "converted";
  public static final String REJECTED = "rejected";

  public static final StructType SCHEMA = new StructType()
      .add("source_path", StringType, false)
      .add("source_length", LongType, false)
      .add("source_mtime", LongType, false)
      .add("status", StringType, false)
      .add("reason", StringType)
      .add("detail", StringType)
      .add("transfer_syntax", StringType)
      .add("image_id", StringType)
      .add("patient_id", StringType)
      .add("study_uid", StringType)
      .add("series_uid", StringType)
      .add("sop_uid", StringType)
      .add("frame", IntegerType)
      .add("modality", StringType)
      .add("body_part", StringType)
      .add("view_position", StringType)
      .add("laterality", StringType)
      .add("study_date", StringType)
      .add("manufacturer", StringType)
      .add("rows", IntegerType)
      .add("columns", IntegerType)
      .add("bits_stored", IntegerType)
      .add("pixel_representation", IntegerType)
      .add("photometric", StringType)
      .add("number_of_frames", IntegerType)
      .add("burned_in_annotation", StringType)
      .add("png_path", StringType)
      .add("png_width", IntegerType)
      .add("png_height", IntegerType)
      .add("npy_path", StringType)
      .add("tensor_mean", DoubleType)
      .add("tensor_std", DoubleType)
      .add("mirrored", BooleanType)
      .add("row_spacing", DoubleType)
      .add("column_spacing", DoubleType)
      .add("slice_position", DoubleType)
      .add("slice_spacing", DoubleType)
      .add("orig_patient_id", StringType)
      .add("orig_study_uid", StringType)
      .add("orig_series_uid", StringType)
      .add("orig_sop_uid", StringType)
      .add("tensor", BinaryType);

  /** Columns of {@code images.parquet}: pseudonymous ids and header fields, nothing original. */
  public static final String[] IMAGE_COLUMNS = {
      "image_id", "patient_id", "study_uid", "series_uid", "sop_uid", "frame", "modality", "body_part",
      "view_position", "laterality", "study_date", "manufacturer", "rows", "columns", "bits_stored",
      "pixel_representation", "photometric", "number_of_frames", "burned_in_annotation", "transfer_syntax",
      "png_path", "png_width", "png_height", "npy_path", "tensor_mean", "tensor_std", "mirrored", "row_spacing",
      "column_spacing", "slice_position", "slice_spacing"};

  /** Columns of the private id map: original and pseudonymous ids side by side. */
  public static final String[] ID_MAP_COLUMNS = {
      "source_path", "orig_patient_id", "orig_study_uid", "orig_series_uid", "orig_sop_uid", "frame",
      "patient_id", "study_uid", "series_uid", "sop_uid", "image_id"};

  public static final String[] REJECT_COLUMNS = {"source_path", "reason", "detail", "transfer_syntax"};

  /** Columns of the private sources table: every input file seen, with its size, time and outcome. */
  public static final String[] SOURCE_COLUMNS = {"source_path", "source_length", "source_mtime", "status"};

  public static final StructType IMAGES_SCHEMA = project(IMAGE_COLUMNS);
  public static final StructType REJECTS_SCHEMA = project(REJECT_COLUMNS);
  public static final StructType ID_MAP_SCHEMA = project(ID_MAP_COLUMNS);
  public static final StructType SOURCES_SCHEMA = project(SOURCE_COLUMNS);
  /** The tensors table: the image id, the square side, the element type and the raw little-endian values. */
  public static final StructType TENSORS_SCHEMA = new StructType()
      .add("image_id", StringType)
      .add("side", IntegerType, false)
      .add("dtype", StringType, false)
      .add("data", BinaryType);

  /** The values of {@code columns} in a staging row, in that order. */
  static Object[] values(Row row, String[] columns) {
    Object[] out = new Object[columns.length];
    for (int i = 0; i < columns.length; i++) {
      out[i] = row.get(SCHEMA.fieldIndex(columns[i]));
    }
    return out;
  }

  private static StructType project(String[] columns) {
    StructType out = new StructType();
    for (String c : columns) {
      out = out.add(SCHEMA.apply(c));
    }
    return out;
  }

  private StagingRow() {}

  public static Row rejected(SourceFile source, String reason, String detail, String transferSyntax) {
    Object[] v = new Object[SCHEMA.size()];
    v[0] = source.path();
    v[1] = source.length();
    v[2] = source.modificationTime();
    v[3] = REJECTED;
    v[4] = reason;
    v[5] = detail;
    v[6] = transferSyntax;
    return RowFactory.create(v);
  }

  /** A converted image; {@code values} holds every column after {@code transfer_syntax}, in schema order. */
  public static Row converted(SourceFile source, String transferSyntax, Object... values) {
    if (values.length != SCHEMA.size() - 7) {
      throw new IllegalArgumentException("expected " + (SCHEMA.size() - 7) + " values, got " + values.length);
    }
    Object[] v = new Object[SCHEMA.size()];
    v[0] = source.path();
    v[1] = source.length();
    v[2] = source.modificationTime();
    v[3] = CONVERTED;
    v[6] = transferSyntax;
    System.arraycopy(values, 0, v, 7, values.length);
    return RowFactory.create(v);
  }
}
