package org.radlab.cli.cluster;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark job for the executor-loss test, run as a SparkSubmit child: sums i*i for i = 1..n with
 * tasks that each take {@code sleepMillis}, printing task starts and executor losses as they
 * happen so the test can kill an executor mid-job. Afterwards it waits until it has
 * {@code executors} executors again and prints their ids.
 */
public final class SlowSumApp {

  public static final String APP_NAME = "radlab-slow-sum";

  private SlowSumApp() {}

  public static void main(String[] args) throws InterruptedException {
    long n = Long.parseLong(args[0]);
    int partitions = Integer.parseInt(args[1]);
    long sleepMillis = Long.parseLong(args[2]);
    int executors = Integer.parseInt(args[3]);
    // Registered at start-up, so that it also sees the first executors being added.
    SparkSession spark = SparkSession.builder().appName(APP_NAME)
        .config("spark.extraListeners", EventPrinter.class.getName()).getOrCreate();
    try {
      SparkContext sc = spark.sparkContext();
      EventPrinter events = EventPrinter.instance;
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
      List<Long> values = LongStream.rangeClosed(1, n).boxed().toList();
      long sum = jsc.parallelize(values, partitions)
          .mapPartitions(it -> slowSquares(it, sleepMillis))
          .fold(0L, Long::sum);
      System.out.println("sum-of-squares n=" + n + " result=" + sum);
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (events.live().size() < executors && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      System.out.println("executors-after-job=" + events.live());
    } finally {
      spark.stop();
    }
  }

  private static Iterator<Long> slowSquares(Iterator<Long> values, long sleepMillis)
      throws InterruptedException {
    Thread.sleep(sleepMillis);
    List<Long> squares = new ArrayList<>();
    values.forEachRemaining(x -> squares.add(x * x));
    return squares.iterator();
  }

  /** Prints the events the test waits for, one line each, and tracks the live executors. */
  public static final class EventPrinter extends SparkListener {
    static volatile EventPrinter instance;
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    public EventPrinter() {
      instance = this;
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded added) {
      live.add(added.executorId());
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      System.out.println("event task-start executor=" + start.taskInfo().executorId());
      System.out.flush();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removal) {
      live.remove(removal.executorId());
      System.out.println("event executor-removed executor=" + removal.executorId());
      System.out.flush();
    }

    TreeSet<String> live() {
      return new TreeSet<>(live);
    }
  }
}
