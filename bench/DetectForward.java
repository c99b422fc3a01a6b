import java.util.Random;
import org.radlab.core.model.Replica;
import org.radlab.core.task.TaskType;

/**
 * bench/detect speed's RadLab side: the detector's forward pass in inference mode (Replica.outputs, as a model run
 * and validation use it: the outputs copied out to Java arrays) on random inputs, timed after a warm-up. Prints
 * "images_per_second=X parameters=N". Usage: DetectForward WIDTH SIDE BATCH BATCHES THREADS
 */
public class DetectForward {
  public static void main(String[] args) {
    double width = Double.parseDouble(args[0]);
    int side = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int batches = Integer.parseInt(args[3]);
    System.setProperty("ai.djl.pytorch.num_threads", args[4]);
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.offline", "true");
    Replica.Spec spec = new Replica.Spec("resnet18", width, 2, side, "sigmoid_focal", 0.25, 2, "adam", 1e-3, 1,
        TaskType.DETECTION);
    try (Replica r = new Replica(spec)) {
      Random random = new Random(1);
      float[] x = new float[batch * side * side];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      for (int i = 0; i < 3; i++) {
        r.outputs(x, batch, null);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < batches; i++) {
        r.outputs(x, batch, null);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("images_per_second=%.2f parameters=%d%n", batches * batch / seconds,
          org.radlab.core.model.Architecture.trainableParameters(r.block()));
    }
  }
}
