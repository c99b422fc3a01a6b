import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.radlab.core.model.TorchSetup;
import org.radlab.core.model.TrainedModel;

/**
 * bench/eval's reference: a model's plain forward pass (TrainedModel.predict, batches of 32) on N preprocessed
 * inputs already in memory, with THREADS libtorch threads. Prints "images_per_second=X".
 * Usage: ForwardPass MODEL_DIR N THREADS
 */
public class ForwardPass {
  public static void main(String[] args) throws Exception {
    TorchSetup.useThreads(Integer.parseInt(args[2]));
    try (TrainedModel m = TrainedModel.load(Path.of(args[0]))) {
      int side = m.preprocessing().inputSize();
      int n = Integer.parseInt(args[1]);
      Random random = new Random(1);
      List<float[]> inputs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] x = new float[side * side];
        for (int j = 0; j < x.length; j++) {
          x[j] = (float) random.nextGaussian();
        }
        inputs.add(x);
      }
      m.predict(inputs.subList(0, Math.min(64, n))); // warm-up
      long t0 = System.nanoTime();
      m.predict(inputs);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("images_per_second=%.1f%n", n / s);
    }
  }
}
