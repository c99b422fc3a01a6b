package org.radlab.train;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.radlab.core.model.Half;

/**
 * The average of one vector over the tasks of a barrier stage, by ring all-reduce: task {@code r} sends only to task
 * {@code r + 1} and receives only from {@code r - 1}, over a TCP connection of their own, so each moves
 * {@code 2 (n - 1) / n} of the vector a round whatever the number of tasks, and no byte passes through the driver.
 * The vector is cut into {@code n} chunks. In {@code n - 1} steps of reduce-scatter every task adds the partial sum
 * its predecessor sends to its own values, until task {@code r} holds the whole sum of chunk {@code r + 1}; it divides
 * that chunk by {@code n} (and rounds it to fp16 when the changes travel as fp16); in {@code n - 1} steps of
 * all-gather the finished chunks go round the ring and are copied as they are. Every task therefore ends with the
 * same bits. With fp16 the partial sums travel rounded to fp16 too, as NCCL's half-precision all-reduce does.
 *
 * <p>Connections are made once per stage ({@link #open}): each task listens on an ephemeral port of its executor's
 * address, the addresses go round once through the barrier's {@code allGather}, and a connecting task proves itself
 * with the stage's random token and its rank before it is read from; anything else that connects is dropped.
 */
final class RingAllReduce implements AutoCloseable {
  /** Bytes of the random token that admits a task's connection. */
  static final int TOKEN_BYTES = 16;
  /** How long connecting and the handshake may take before the stage fails. */
  private static final int CONNECT_MILLIS = 60_000;
  /** Connections refused for a wrong token before the stage gives up. */
  private static final int MAX_STRANGERS = 16;

  private final int rank;
  private final int size;
  private final ServerSocketChannel listener;
  private final SocketChannel next;
  private final SocketChannel previous;
  private final ExecutorService sender;
  private ByteBuffer out = ByteBuffer.allocateDirect(0);
  private ByteBuffer in = ByteBuffer.allocateDirect(0);

  private RingAllReduce(int rank, int size, ServerSocketChannel listener, SocketChannel next,
      SocketChannel previous) {
    this.rank = rank;
    this.size = size;
    this.listener = listener;
    this.next = next;
    this.previous = previous;
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "radlab-ring-send-" + rank);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Joins the ring as task {@code rank} of {@code size}: listens on {@code host}, learns every task's address
   * through {@code allGather} (the barrier's, which returns each task's message by rank), connects to its successor
   * and admits its predecessor by {@code token}.
   */
  static RingAllReduce open(int rank, int size, String host, byte[] token, Function<String, String[]> allGather)
      throws IOException {
    if (size < 2) {
      throw new IllegalArgumentException("a ring needs at least two tasks, got " + size);
    }
    ServerSocketChannel listener = ServerSocketChannel.open();
    SocketChannel next = null;
    SocketChannel previous = null;
    try {
      listener.bind(new InetSocketAddress(host, 0));
      String[] addresses = allGather.apply(host + ":" + listener.socket().getLocalPort());
      if (addresses.length != size) {
        throw new IllegalStateException("the ring expected " + size + " tasks but " + addresses.length
            + " reported an address");
      }
      String target = addresses[(rank + 1) % size];
      int colon = target.lastIndexOf(':');
      next = SocketChannel.open();
      next.socket().connect(new InetSocketAddress(target.substring(0, colon),
          Integer.parseInt(target.substring(colon + 1))), CONNECT_MILLIS);
      next.socket().setTcpNoDelay(true);
      ByteBuffer hello = ByteBuffer.allocate(TOKEN_BYTES + Integer.BYTES);
      hello.put(token).putInt(rank).flip();
      while (hello.hasRemaining()) {
        next.write(hello);
      }
      previous = admit(listener, token, (rank + size - 1) % size);
      return new RingAllReduce(rank, size, listener, next, previous);
    } catch (IOException | RuntimeException e) {
      for (AutoCloseable c : new AutoCloseable[] {next, previous, listener}) {
        closeQuietly(c);
      }
      throw e;
    }
  }

  /** Accepts connections until one shows {@code token} and {@code expectedRank}; drops any other. */
  private static SocketChannel admit(ServerSocketChannel listener, byte[] token, int expectedRank)
      throws IOException {
    listener.socket().setSoTimeout(CONNECT_MILLIS);
    for (int strangers = 0; strangers < MAX_STRANGERS; strangers++) {
      Socket socket;
      try {
        socket = listener.socket().accept();
      } catch (SocketTimeoutException e) {
        throw new IOException("ring: task " + expectedRank + " did not connect within " + CONNECT_MILLIS / 1000
            + " s", e);
      }
      try {
        socket.setSoTimeout(CONNECT_MILLIS);
        DataInputStream hello = new DataInputStream(socket.getInputStream());
        byte[] shown = new byte[TOKEN_BYTES];
        hello.readFully(shown);
        int rank = hello.readInt();
        if (MessageDigest.isEqual(shown, token) && rank == expectedRank) {
          socket.setSoTimeout(0);
          socket.setTcpNoDelay(true);
          return socket.getChannel();
        }
      } catch (IOException e) {
        // a stranger that closed or stalled: drop it and wait for the real predecessor
      }
      socket.close();
    }
    throw new IOException("ring: " + MAX_STRANGERS + " connections without the stage's token; giving up");
  }

  /**
   * Replaces {@code values} by their average over the ring's tasks (each task passes its own); with {@code half}
   * the values travel, and the average is rounded, as fp16.
   */
  void average(float[] values, boolean half) throws IOException {
    int n = size;
    int largest = 0;
    for (int c = 0; c < n; c++) {
      largest = Math.max(largest, end(values.length, c) - start(values.length, c));
    }
    int bytes = largest * (half ? Short.BYTES : Float.BYTES);
    if (out.capacity() < bytes) {
      out = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      in = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    for (int s = 0; s < n - 1; s++) { // reduce-scatter
      exchange(values, mod(rank - s), mod(rank - s - 1), half, true);
    }
    int own = mod(rank + 1);
    float by = n;
    for (int i = start(values.length, own); i < end(values.length, own); i++) {
      float mean = values[i] / by;
      values[i] = half ? Half.toFloat(Half.fromFloat(mean)) : mean;
    }
    for (int s = 0; s < n - 1; s++) { // all-gather
      exchange(values, mod(rank + 1 - s), mod(rank - s), half, false);
    }
  }

  /**
   * Sends chunk {@code send} of {@code values} to the successor while receiving chunk {@code receive} from the
   * predecessor, which is added to the values ({@code add}) or replaces them.
   */
  private void exchange(float[] values, int send, int receive, boolean half, boolean add) throws IOException {
    int from = start(values.length, send);
    int to = end(values.length, send);
    out.clear();
    if (half) {
      for (int i = from; i < to; i++) {
        out.putShort(Half.fromFloat(values[i]));
      }
    } else {
      out.asFloatBuffer().put(values, from, to - from);
      out.position((to - from) * Float.BYTES);
    }
    out.flip();
    Future<?> sent = sender.submit(() -> {
      while (out.hasRemaining()) {
        next.write(out);
      }
      return null;
    });
    int at = start(values.length, receive);
    int count = end(values.length, receive) - at;
    in.clear();
    in.limit(count * (half ? Short.BYTES : Float.BYTES));
    while (in.hasRemaining()) {
      if (previous.read(in) < 0) {
        sent.cancel(true);
        throw new IOException("ring: task " + mod(rank - 1) + " closed its connection in the middle of a round");
      }
    }
    in.flip();
    if (half) {
      for (int i = 0; i < count; i++) {
        float v = Half.toFloat(in.getShort());
        values[at + i] = add ? values[at + i] + v : v;
      }
    } else if (add) {
      java.nio.FloatBuffer got = in.asFloatBuffer();
      for (int i = 0; i < count; i++) {
        values[at + i] += got.get(i);
      }
    } else {
      in.asFloatBuffer().get(values, at, count);
    }
    try {
      sent.get();
    } catch (ExecutionException e) {
      throw new IOException("ring: sending to task " + mod(rank + 1) + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("ring: interrupted while sending", e);
    }
  }

  /** The first index of chunk {@code c} of a vector of {@code length} values. */
  private int start(int length, int c) {
    return (int) ((long) c * length / size);
  }

  private int end(int length, int c) {
    return start(length, c + 1);
  }

  private int mod(int r) {
    return Math.floorMod(r, size);
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (AutoCloseable c : new AutoCloseable[] {next, previous, listener}) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // closing after the work is done or has failed: nothing left to save
    }
  }
}
