package org.radlab.spark;

import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Checks on paths as Spark sees them (local, HDFS, S3 and the rest), through the session's Hadoop settings. */
public final class HadoopPaths {
  private static volatile org.apache.hadoop.conf.Configuration shared;

  private HadoopPaths() {}

  /**
   * One Hadoop configuration per JVM, for code running inside tasks, which has no session to ask: making one parses
   * Hadoop's XML defaults on first use (tens of milliseconds), too much to pay in every task of a job of many small
   * tasks. Shared: read it, never change it.
   */
  public static org.apache.hadoop.conf.Configuration taskConfiguration() {
    org.apache.hadoop.conf.Configuration conf = shared;
    if (conf == null) {
      synchronized (HadoopPaths.class) {
        if (shared == null) {
          org.apache.hadoop.conf.Configuration made = new org.apache.hadoop.conf.Configuration();
          made.size();                         // loads the defaults now, under the lock, not in a reader's get
          shared = made;
        }
        conf = shared;
      }
    }
    return conf;
  }

  /**
   * The local file a Hadoop path names ({@code file:} or no scheme), for java.nio, which skips what Hadoop's local
   * file system adds (a {@code .crc} file beside each file, chmod processes for new folders); null for any other
   * file system.
   */
  public static java.nio.file.Path local(Path path) {
    java.net.URI uri = path.toUri();
    return uri.getScheme() == null || "file".equals(uri.getScheme()) ? java.nio.file.Path.of(uri.getPath()) : null;
  }

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
