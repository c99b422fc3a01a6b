package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The ring all-reduce over real sockets on the loopback, its tasks in threads: every task ends with the mean of
 * all tasks' vectors (worked out here in double precision), bit for bit the same in each, for ring sizes 2 to 5 and
 * vector lengths that do not divide evenly (one shorter than the ring). Connections without the stage's token are
 * dropped, and a task that dies mid-round makes its neighbour fail instead of wait.
 */
class RingAllReduceTest {
  private static final byte[] TOKEN = "sixteen byte key".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** An allGather for {@code n} threads: each gets every thread's message by rank once all have sent theirs. */
  private static final class Gather {
    final String[] messages;
    final java.util.concurrent.CyclicBarrier barrier;

    /** {@code whenAll} sees the addresses before any task does. */
    Gather(int n, java.util.function.Consumer<String[]> whenAll) {
      messages = new String[n];
      barrier = new java.util.concurrent.CyclicBarrier(n, () -> whenAll.accept(messages.clone()));
    }

    Function<String, String[]> forRank(int rank) {
      return message -> {
        messages[rank] = message;
        try {
          barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return messages.clone();
      };
    }
  }

  private static float[][] averaged(float[][] vectors, boolean half) throws Exception {
    return averaged(vectors, half, addresses -> {}, () -> {});
  }

  /**
   * Each of {@code vectors} averaged twice by a task of its own in a ring of them all; {@code whenGathered} sees
   * the tasks' addresses before the tasks do, {@code whileRunning} runs once the tasks are started.
   */
  private static float[][] averaged(float[][] vectors, boolean half, java.util.function.Consumer<String[]> whenGathered,
      Runnable whileRunning) throws Exception {
    int n = vectors.length;
    Gather gather = new Gather(n, whenGathered);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<float[]>> done = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int rank = r;
        done.add(pool.submit(() -> {
          float[] v = vectors[rank].clone();
          try (RingAllReduce ring = RingAllReduce.open(rank, n, "127.0.0.1", TOKEN, gather.forRank(rank))) {
            ring.average(v, half);
            ring.average(v, half); // again, on equal vectors: the buffers are reused, the mean barely moves
          }
          return v;
        }));
      }
      whileRunning.run();
      float[][] out = new float[n][];
      for (int r = 0; r < n; r++) {
        out[r] = done.get(r).get(120, TimeUnit.SECONDS);
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[][] random(int n, int length, long seed) {
    Random random = new Random(seed);
    float[][] v = new float[n][length];
    for (float[] row : v) {
      for (int i = 0; i < length; i++) {
        row[i] = (float) (random.nextGaussian() * 1e-3);
      }
    }
    return v;
  }

  @Test
  void everyTaskEndsWithTheSameMean() throws Exception {
    for (int n = 2; n <= 5; n++) {
      for (int length : new int[] {n - 1, 1000, 1003}) {
        float[][] in = random(n, length, 17L * n + length);
        for (boolean half : new boolean[] {false, true}) {
          float[][] out = averaged(in, half);
          for (int r = 1; r < n; r++) {
            assertArrayEquals(out[0], out[r], 0f, "task " + r + " of " + n + " differs from task 0");
          }
          for (int i = 0; i < length; i++) {
            double mean = 0;
            double size = 0;
            for (float[] row : in) {
              mean += row[i];
              size += Math.abs(row[i]);
            }
            mean /= n;
            // fp32: a rounding per partial sum (about 6e-8 of its size); fp16: the partial sums and the mean
            // rounded to 11 bits (about 5e-4 of their size each)
            double tolerance = (half ? 1e-3 : 1e-6) * size + 1e-12;
            assertEquals(mean, out[0][i], tolerance, "value " + i + " of " + length + ", ring of " + n);
            if (half) {
              assertTrue(isHalf(out[0][i]), out[0][i] + " is not an fp16 value");
            }
          }
        }
      }
    }
  }

  /** Whether {@code v} is exactly an fp16 value: 11 significant bits, or a multiple of 2^-24 below 2^-14. */
  private static boolean isHalf(float v) {
    float a = Math.abs(v);
    if (a < 0x1p-14f) {
      double scaled = a * 0x1p24;
      return scaled == Math.rint(scaled);
    }
    return a <= 65504f && (Float.floatToRawIntBits(a) & 0x1FFF) == 0;
  }

  @Test
  void twoTasksInFp32AddInEitherOrderAlike() throws Exception {
    // with two replicas the ring's sum is a + b in each chunk, which is exactly the driver's a + b then / 2
    float[][] in = random(2, 777, 5);
    float[][] out = averaged(in, false);
    for (int i = 0; i < 777; i++) {
      assertEquals((in[0][i] + in[1][i]) / 2f, out[0][i], 0f);
    }
  }

  @Test
  void connectionsWithoutTheTokenAreDropped() throws Exception {
    float[][] in = random(3, 500, 9);
    List<Socket> strangers = new ArrayList<>();
    // as soon as the addresses are known, strangers connect to every task first: one silent, one with a wrong token
    java.util.function.Consumer<String[]> attack = addresses -> {
      for (String address : addresses) {
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try {
          strangers.add(new Socket("127.0.0.1", port));
          Socket wrong = new Socket("127.0.0.1", port);
          OutputStream o = wrong.getOutputStream();
          o.write("not the token!!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          o.write(new byte[] {0, 0, 0, 0});
          o.flush();
          strangers.add(wrong);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    // the silent stranger holds each listener until its handshake times out; closing it moves on sooner
    Runnable hangUp = () -> {
      try {
        Thread.sleep(200);
        for (Socket s : strangers) {
          s.close();
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    float[][] out = averaged(in, false, attack, hangUp);
    assertEquals(6, strangers.size(), "two strangers tried each task");
    for (int r = 1; r < 3; r++) {
      assertArrayEquals(out[0], out[r], 0f);
    }
    for (int i = 0; i < 500; i++) {
      assertEquals((in[0][i] + in[1][i] + in[2][i]) / 3.0, out[0][i], 1e-9);
    }
  }

  @Test
  void aTaskThatDiesMidRoundFailsItsNeighbourInsteadOfHangingIt() throws Exception {
    Gather gather = new Gather(2, addresses -> {});
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> survivor = pool.submit(() -> {
        try (RingAllReduce ring = RingAllReduce.open(0, 2, "127.0.0.1", TOKEN, gather.forRank(0))) {
          ring.average(new float[1_000_000], false);
        }
        return null;
      });
      pool.submit(() -> {
        RingAllReduce ring = RingAllReduce.open(1, 2, "127.0.0.1", TOKEN, gather.forRank(1));
        ring.close(); // joins, then dies before sending anything
        return null;
      }).get(60, TimeUnit.SECONDS);
      ExecutionException e = assertThrows(ExecutionException.class, () -> survivor.get(60, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof IOException, "an IOException, not " + e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRingOfOneIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> RingAllReduce.open(0, 1, "127.0.0.1", TOKEN, m -> new String[] {m}));
  }
}
