package org.radlab.spark;

import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Checks on paths as Spark sees them (local, HDFS, S3 and the rest), through the session's Hadoop settings. */
public final class HadoopPaths {
  private HadoopPaths() {}

  /** Whether {@code dir} exists; false also when its file system cannot be reached. */
  public static boolean exists(SparkSession spark, String dir) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      return false;
    }
  }
}
