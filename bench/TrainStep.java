import java.util.Random;
import org.radlab.core.model.Replica;

/**
 * bench/train's RadLab side: optimizer steps of one model replica (DJL, PyTorch engine) on random data, timed after
 * a warm-up. Prints "images_per_second=X". Usage: TrainStep ARCH WIDTH SIDE BATCH STEPS THREADS
 */
public class TrainStep {
  public static void main(String[] args) {
    String arch = args[0];
    double width = Double.parseDouble(args[1]);
    int side = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int steps = Integer.parseInt(args[4]);
    System.setProperty("ai.djl.pytorch.num_threads", args[5]);
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.offline", "true");
    Replica.Spec spec = new Replica.Spec(arch, width, 4, side, "categorical_cross_entropy", 0.25, 2, "adam", 1e-3, 1);
    try (Replica r = new Replica(spec)) {
      Random random = new Random(1);
      float[] x = new float[batch * side * side];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      int[] y = new int[batch];
      for (int i = 0; i < batch; i++) {
        y[i] = random.nextInt(4);
      }
      for (int i = 0; i < 5; i++) {
        r.step(x, y);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        r.step(x, y);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("images_per_second=%.2f%n", steps * batch / seconds);
    }
  }
}
