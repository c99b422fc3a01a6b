package org.radlab.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A small local Spark job that touches what RadLab's jobs touch on the driver (a session, a parallelized collection,
 * typed and untyped Datasets, a shuffle, Parquet and CSV written and read back), run once per class path with
 * {@code -XX:ArchiveClassesAtExit} so that the classes it loads go into the class-data archive every later job maps
 * ({@code org.radlab.core.launch.ClassDataArchive}). Its only argument is a scratch folder.
 */
public final class ClassDataWarmup {
  private ClassDataWarmup() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: ClassDataWarmup SCRATCH_DIR");
      System.exit(2);
    }
    Path scratch = Path.of(args[0]);
    SparkSession spark = SparkSessions.start("radlab-class-data-warmup", null);
    try {
      Dataset<Row> rows = spark.createDataset(List.of("a.dcm", "b.dcm", "c.png", "d.dcm"), Encoders.STRING())
          .repartition(2).toDF("path")
          .withColumn("dicom", col("path").endsWith(".dcm"))
          .withColumn("one", lit(1));
      String parquet = scratch.resolve("rows.parquet").toString();
      rows.write().mode(SaveMode.Overwrite).parquet(parquet);
      String csv = scratch.resolve("rows.csv").toString();
      rows.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(csv);
      long dicom = spark.read().parquet(parquet).groupBy("dicom").agg(count("*"), sum("one"))
          .filter(col("dicom")).collectAsList().get(0).getLong(1);
      long read = spark.read().option("header", "true").csv(csv).count();
      List<Integer> lengths = spark.read().parquet(parquet).as(Encoders.bean(Named.class))
          .map((org.apache.spark.api.java.function.MapFunction<Named, Integer>) n -> n.getPath().length(),
              Encoders.INT())
          .collectAsList();
      if (dicom != 3 || read != 4 || lengths.size() != 4) {
        throw new IllegalStateException("the warm-up job computed " + dicom + ", " + read + ", " + lengths);
      }
    } finally {
      spark.stop();
    }
  }

  /** A bean for the typed Dataset. */
  public static final class Named implements java.io.Serializable {
    private String path;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }
  }
}
