package org.radlab.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  private TrainedModel(Path dir) throws IOException {
    this.dir = dir;
    Path json = dir.resolve("model.json");
    if (!Files.exists(json)) {
      throw new IOException(dir + " is not a model folder: it has no model.json");
    }
    JsonNode card = new ObjectMapper().readTree(json.toFile());
    String weights = card.path("weights").asText(null);
    if (weights == null || weights.equals("null") || !Files.exists(dir.resolve(weights))) {
      throw new IOException("model " + dir + " has no weights (status " + card.path("status").asText("?") + ")");
    }
    this.id = card.path("id").asText(dir.getFileName().toString());
    List<String> names = new ArrayList<>();
    card.path("classes").forEach(c -> names.add(c.asText()));
    this.classes = List.copyOf(names);
    JsonNode pre = card.path("preprocessing");
    this.preprocessing = new Preprocessing(pre.path("inputSize").asInt(), pre.path("mean").asDouble(0),
        pre.path("std").asDouble(1));
    this.tensorSide = pre.path("tensorSide").asInt(preprocessing.inputSize());
    JsonNode cfg = card.path("config");
    Replica.Spec spec = new Replica.Spec(card.path("architecture").asText(), card.path("width").asDouble(),
        classes.size(), preprocessing.inputSize(), cfg.path("loss").asText("categorical_cross_entropy"),
        cfg.path("focalAlpha").asDouble(0.25), cfg.path("focalGamma").asDouble(2), "adam", 1e-3, 0);
    this.replica = new Replica(spec);
    try (InputStream in = Files.newInputStream(dir.resolve(weights))) {
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
    int side = preprocessing.inputSize();
    float[][] out = new float[inputs.size()][];
    int batch = 32;
    for (int from = 0; from < inputs.size(); from += batch) {
      int n = Math.min(batch, inputs.size() - from);
      float[] x = new float[n * side * side];
      for (int i = 0; i < n; i++) {
        System.arraycopy(inputs.get(from + i), 0, x, i * side * side, side * side);
      }
      float[][] p = replica.predict(x, n);
      System.arraycopy(p, 0, out, from, n);
    }
    return out;
  }

  @Override
  public void close() {
    replica.close();
  }
}
