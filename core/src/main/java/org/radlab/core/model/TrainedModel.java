package org.radlab.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.model.detection.CenterDecoder;

/**
 * A trained model folder ({@code model.json} and its weights) ready to predict: the model runner that jobs, the
 * API and notebooks share. {@link #cached} keeps recently used models loaded, so repeated predictions do not
 * reload them. Not thread-safe: callers take turns on one instance.
 */
public final class TrainedModel implements AutoCloseable {
  private static final int CACHE_SIZE = 8;
  private static final Map<Path, TrainedModel> CACHE = new LinkedHashMap<>(16, 0.75f, true);

  private final Path dir;
  private final String id;
  private final List<String> classes;
  private final Preprocessing preprocessing;
  private final int tensorSide;
  private final Replica replica;
  private final org.radlab.core.task.TaskType task;

  private TrainedModel(Path dir) throws IOException {
    this.dir = dir;
    ModelCard card = ModelCard.in(dir);
    if (!card.hasWeightsIn(dir)) {
      throw new IOException("model " + dir + " has no weights (status " + (card.status() == null ? "?" : card.status())
          + ")");
    }
    this.id = card.id() != null ? card.id() : dir.getFileName().toString();
    this.classes = List.copyOf(card.classes());
    this.preprocessing = card.preprocessing();
    this.tensorSide = card.tensorSide();
    this.task = card.task();
    var cfg = card.config();
    Replica.Spec spec = new Replica.Spec(card.architecture(), card.width(), classes.size(),
        preprocessing.inputSize(), cfg == null ? "categorical_cross_entropy" : cfg.loss(),
        cfg == null ? 0.25 : cfg.focalAlpha(), cfg == null ? 2 : cfg.focalGamma(), "adam", 1e-3, 0, task);
    this.replica = new Replica(spec);
    try (InputStream in = Files.newInputStream(dir.resolve(card.weights()))) {
      replica.load(in);
    } catch (IOException | RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  /** Loads a model folder (uncached). */
  public static TrainedModel load(Path dir) throws IOException {
    return new TrainedModel(dir);
  }

  /** The model in {@code dir}, from the cache when it was loaded recently. */
  public static synchronized TrainedModel cached(Path dir) throws IOException {
    Path key = dir.toAbsolutePath().normalize();
    TrainedModel m = CACHE.get(key);
    if (m == null) {
      m = new TrainedModel(key);
      CACHE.put(key, m);
      if (CACHE.size() > CACHE_SIZE) {
        var eldest = CACHE.entrySet().iterator().next();
        CACHE.remove(eldest.getKey());
        eldest.getValue().close();
      }
    }
    return m;
  }

  public String id() {
    return id;
  }

  public Path dir() {
    return dir;
  }

  public List<String> classes() {
    return classes;
  }

  /** What the model does: classifies images, finds boxes in them, or outlines findings pixel by pixel. */
  public org.radlab.core.task.TaskType task() {
    return task;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** The side of the square tensors the model was trained from (its dataset's tensor side). */
  public int tensorSide() {
    return tensorSide;
  }

  /** Class probabilities of one image given as a {@code side x side} tensor in [0, 1] (see {@link ImageTensors}). */
  public float[] predictTensor(float[] tensor, int side) {
    return predict(List.of(preprocessing.apply(tensor, side)))[0];
  }

  /** Class probabilities of images already preprocessed to this model's input, {@code inputSize²} values each. */
  public float[][] predict(List<float[]> inputs) {
    return inBatches(inputs, 32, (x, n) -> java.util.Arrays.asList(replica.predict(x, n)))
        .toArray(new float[0][]);
  }

  /** What one batch of {@code n} inputs (laid out image after image in {@code x}) gives, one result per input. */
  private interface BatchRun<T> {
    List<T> run(float[] x, int n);
  }

  /** {@code run} over {@code inputs} in batches of at most {@code batch}; the results in input order. */
  private <T> List<T> inBatches(List<float[]> inputs, int batch, BatchRun<T> run) {
    int side = preprocessing.inputSize();
    List<T> out = new java.util.ArrayList<>(inputs.size());
    for (int from = 0; from < inputs.size(); from += batch) {
      int n = Math.min(batch, inputs.size() - from);
      float[] x = new float[n * side * side];
      for (int i = 0; i < n; i++) {
        System.arraycopy(inputs.get(from + i), 0, x, i * side * side, side * side);
      }
      out.addAll(run.run(x, n));
    }
    return out;
  }

  /**
   * A detector's boxes in each image already preprocessed to its input ({@code inputSize²} values each), in input
   * pixels, decoded with {@link CenterDecoder}'s defaults, highest score first.
   */
  public List<List<CenterDecoder.Detection>> detect(List<float[]> inputs) {
    if (task != org.radlab.core.task.TaskType.DETECTION) {
      throw new IllegalStateException("model " + id + " is a " + task.id() + " model, not a detector");
    }
    return inBatches(inputs, 16, (x, n) -> CenterDecoder.decodeBatch(replica.outputs(x, n, null).arrays(), n,
        classes.size(), preprocessing.inputSize()));
  }

  /**
   * A segmenter's masks of images already preprocessed to its input ({@code inputSize²} values each): each pixel's
   * most likely class, 0 for background and {@code i} for {@code classes().get(i - 1)}, row-major in input pixels.
   */
  public List<byte[]> segment(List<float[]> inputs) {
    if (task != org.radlab.core.task.TaskType.SEGMENTATION) {
      throw new IllegalStateException("model " + id + " is a " + task.id() + " model, not a segmenter");
    }
    return inBatches(inputs, 8, (x, n) -> java.util.Arrays.asList(replica.segment(x, n, null).masks()));
  }

  @Override
  public void close() {
    replica.close();
  }
}
