package org.radlab.cli.cluster;

import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A tiny Spark job for submission tests: sums i*i for i = 1..n over {@code partitions} partitions
 * and prints the result, the master and the serializer. A negative n fails the job.
 */
public final class SumOfSquaresApp {

  public static final String APP_NAME = "radlab-sum-of-squares";

  private SumOfSquaresApp() {}

  public static void main(String[] args) {
    long n = Long.parseLong(args[0]);
    int partitions = Integer.parseInt(args[1]);
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    SparkSession spark = SparkSession.builder().appName(APP_NAME).getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<Long> values = LongStream.rangeClosed(1, n).boxed().toList();
      long sum = jsc.parallelize(values, partitions).map(x -> x * x).fold(0L, Long::sum);
      System.out.println("sum-of-squares n=" + n + " result=" + sum);
      System.out.println("master=" + spark.sparkContext().master());
      System.out.println("serializer=" + spark.conf().get("spark.serializer", "(default)"));
    } finally {
      spark.stop();
    }
  }

  /** n(n+1)(2n+1)/6, worked out independently of Spark. */
  static long expected(long n) {
    return n * (n + 1) * (2 * n + 1) / 6;
  }
}
