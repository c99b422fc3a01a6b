import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.radlab.core.model.Architecture;
import org.radlab.core.model.BatchTargets;
import org.radlab.core.model.Replica;
import org.radlab.core.task.TaskType;

/**
 * bench/segment speed's RadLab side: optimizer steps of one U-Net replica (DJL, PyTorch engine; the segmentation loss,
 * Adam) on the batch and from the initial weights that bench/segment_step.py wrote (DIR/data.bin, DIR/weights.bin),
 * timed after a warm-up. Each weight file tensor must match this replica's parameter of the same position by shape
 * and kind, so the two networks are laid out alike. Prints one line: "images_per_second=X parameters=N eval_loss=E
 * first_loss=F last_loss=L" (trainable parameters; the loss in inference mode before training, that of the first
 * step before its update, and that of the last step), as segment_step.py does.
 * Usage: SegmentStep DIR WIDTH SIDE BATCH CLASSES STEPS WARMUP THREADS
 */
public class SegmentStep {
  /** DJL's parameter names and the last part of the PyTorch names they stand for. */
  private static final Map<String, String> NAMES = Map.of("weight", "weight", "bias", "bias", "gamma", "weight",
      "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    double width = Double.parseDouble(args[1]);
    int side = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int classes = Integer.parseInt(args[4]);
    int steps = Integer.parseInt(args[5]);
    int warmup = Math.max(1, Integer.parseInt(args[6]));
    System.setProperty("ai.djl.pytorch.num_threads", args[7]);
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.offline", "true");

    int pixels = side * side;
    ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("data.bin"))).order(ByteOrder.LITTLE_ENDIAN);
    if (data.capacity() != 5 * batch * pixels) {
      throw new IllegalArgumentException("data.bin holds " + data.capacity() + " bytes, not " + 5 * batch * pixels);
    }
    float[] x = new float[batch * pixels];
    data.asFloatBuffer().get(x);
    data.position(4 * batch * pixels);
    List<byte[]> masks = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      byte[] m = new byte[pixels];
      data.get(m);
      masks.add(m);
    }
    BatchTargets targets = new BatchTargets.Masks(masks, side);

    Replica.Spec spec = new Replica.Spec("unet", width, classes, side, "dice_cross_entropy", 0.25, 2, "adam", 1e-3, 1,
        TaskType.SEGMENTATION);
    try (Replica r = new Replica(spec)) {
      r.setParameters(weights(dir.resolve("weights.bin"), r));
      float evalLoss = r.outputs(x, batch, targets).loss();
      float first = r.step(x, targets);
      for (int i = 1; i < warmup; i++) {
        r.step(x, targets);
      }
      float last = first;
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        last = r.step(x, targets);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("images_per_second=%.2f parameters=%d eval_loss=%.6f first_loss=%.6f last_loss=%.6f%n",
          steps * batch / seconds, Architecture.trainableParameters(r.block()), evalLoss, first, last);
    }
  }

  /** The weight file's tensors as one flat array in the replica's parameter order, each checked against its slot. */
  private static float[] weights(Path file, Replica r) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Pair<String, Parameter>> params = new ArrayList<>();
    r.block().getParameters().forEach(params::add);
    int count = b.getInt();
    if (count != params.size()) {
      throw new IllegalStateException("the PyTorch network has " + count + " tensors, RadLab's U-Net "
          + params.size() + " parameters");
    }
    float[] flat = new float[r.parameterCount()];
    int at = 0;
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[b.getInt()];
      b.get(name);
      String torchName = new String(name, StandardCharsets.UTF_8);
      long[] shape = new long[b.getInt()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = b.getInt();
      }
      Parameter p = params.get(i).getValue();
      long[] ours = p.getArray().getShape().getShape();
      String expected = NAMES.get(p.getName());
      if (!Arrays.equals(shape, ours) || expected == null || !torchName.endsWith("." + expected)) {
        throw new IllegalStateException("tensor " + i + " differs: PyTorch's " + torchName + " "
            + Arrays.toString(shape) + ", RadLab's " + params.get(i).getKey() + " " + Arrays.toString(ours));
      }
      int n = Math.toIntExact(p.getArray().size());
      b.asFloatBuffer().get(flat, at, n);
      b.position(b.position() + 4 * n);
      at += n;
    }
    if (at != flat.length || b.hasRemaining()) {
      throw new IllegalStateException("the weight file does not fill the replica's " + flat.length + " values");
    }
    return flat;
  }
}
