package org.radlab.spark;

import org.apache.spark.sql.SparkSession;

/** The SparkSession a command-line run uses: the given master, or {@code local[*]}, with quiet logs. */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession start(String appName, String master) {
    if (System.getenv("SPARK_LOCAL_IP") == null && System.getProperty("spark.driver.host") == null) {
      System.setProperty("spark.driver.host", "127.0.0.1");
      System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    }
    SparkSession spark = SparkSession.builder()
        .appName(appName)
        .master(master == null || master.isBlank() ? "local[*]" : master)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.debug.maxToStringFields", "200")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
