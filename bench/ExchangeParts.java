import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.radlab.core.model.Half;

/**
 * Times, per parameter value, the CPU work of one replica's side of a training round with fp16 changes, in one plain
 * JVM and one thread: encoding its change to fp16 ({@code Half.encode}), adding the decoded update to its weights
 * ({@code Half.addTo}), and Java serialization of the fp16 array both ways (what a task result and a broadcast
 * cost). The first round runs cold, as in a short job on a fresh executor; the median of the later rounds is the
 * steady state. docs/scaling.md uses both.
 *
 * <p>Run: {@code java -cp "cli/target/lib/*" bench/ExchangeParts.java [PARAMETERS [ROUNDS]]} (defaults: 2,796,772,
 * resnet18 at width 0.5; 30 rounds); pin it with {@code taskset -c 1} for a quiet core.
 */
public class ExchangeParts {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_796_772;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    float[] weights = new float[n];
    Random random = new Random(1);
    for (int i = 0; i < n; i++) {
      weights[i] = (float) random.nextGaussian() * 0.01f;
    }
    String[] names = {"encode", "addTo", "serialize", "deserialize"};
    double[][] nanos = new double[names.length][rounds];
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      short[] half = Half.encode(weights);
      long t1 = System.nanoTime();
      float[] base = weights.clone();
      long t2 = System.nanoTime();
      Half.addTo(base, half);
      long t3 = System.nanoTime();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(half);
      }
      long t4 = System.nanoTime();
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        in.readObject();
      }
      long t5 = System.nanoTime();
      long[] spans = {t1 - t0, t3 - t2, t4 - t3, t5 - t4};
      for (int k = 0; k < names.length; k++) {
        nanos[k][round] = spans[k] / (double) n;
      }
    }
    System.out.printf("%d values, %d rounds; ns per value: first round (cold) / median of the others%n", n, rounds);
    double cold = 0;
    double warm = 0;
    for (int k = 0; k < names.length; k++) {
      double[] later = Arrays.copyOfRange(nanos[k], 1, rounds);
      Arrays.sort(later);
      double median = later[later.length / 2];
      cold += nanos[k][0];
      warm += median;
      System.out.printf("  %-12s %7.1f / %5.1f%n", names[k], nanos[k][0], median);
    }
    System.out.printf("  %-12s %7.1f / %5.1f%n", "total", cold, warm);
  }
}
