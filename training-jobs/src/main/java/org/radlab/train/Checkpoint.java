package org.radlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;

/**
 * A model folder's {@code checkpoint/}: what a run needs to continue after its last finished epoch.
 *
 * <ul>
 *   <li>{@code state.json}: the epoch, the config, the curves, the best epoch so far, and the names of the files
 *       below. It is the checkpoint's commit record.
 *   <li>{@code weights-<epoch>.params}: the weights after that epoch (DJL format); the last epoch's, and the best
 *       epoch's when that is an earlier one.
 *   <li>{@code optimizer-<replica>-<epoch>.bin}: each replica's optimizer state after that epoch.
 * </ul>
 *
 * <p>{@link State} is the run's part of {@code state.json} as a record; {@link #read} gives it back with the files.
 *
 * <p>Every file is written durably and atomically ({@link DurableFiles}), {@code state.json} last, and only then are
 * the files it no longer names removed. A run killed at any moment, even in the middle of a write, leaves the
 * previous checkpoint whole: {@code state.json} and every file it names, perhaps with debris beside them that the
 * next checkpoint removes. Files of a new epoch never replace those of the epoch {@code state.json} still names.
 */
final class Checkpoint {
  static final String DIR = "checkpoint";
  static final String STATE = "state.json";
  /** The weights file of checkpoints written before the files carried their epoch. */
  private static final String LEGACY_WEIGHTS = "last.params";
  private static final int OPTIMIZER_MAGIC = 0x524c4f53; // "RLOS"
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The run's part of {@code state.json}, which {@link Checkpoint#write} completes with the names of the
   * checkpoint's files.
   *
   * @param epoch          the last finished epoch
   * @param config         the run's config (a resume must train the same way: {@link Checkpoint#sameTraining})
   * @param curves         one entry per finished epoch
   * @param bestEpoch      the epoch whose weights are the model's (0: none yet)
   * @param bestScore      that epoch's monitored metric (NaN, written as null: none yet)
   * @param bestValidation that epoch's validation results, or null
   */
  record State(int epoch, TrainConfig config, List<ModelCard.EpochStats> curves, int bestEpoch, double bestScore,
      ModelCard.Validation bestValidation) {
    ObjectNode toJson() {
      ObjectNode s = JSON.createObjectNode();
      s.put("epoch", epoch);
      s.set("config", JSON.valueToTree(config));
      s.set("curves", JSON.valueToTree(curves));
      s.put("bestEpoch", bestEpoch);
      if (Double.isNaN(bestScore)) {
        s.putNull("bestScore");
      } else {
        s.put("bestScore", bestScore);
      }
      s.set("bestValidation", JSON.valueToTree(bestValidation));
      return s;
    }

    static State fromJson(JsonNode s) throws IOException {
      List<ModelCard.EpochStats> curves = new ArrayList<>();
      for (JsonNode c : s.get("curves")) {
        curves.add(JSON.treeToValue(c, ModelCard.EpochStats.class));
      }
      return new State(s.get("epoch").asInt(), JSON.treeToValue(s.get("config"), TrainConfig.class),
          List.copyOf(curves), s.get("bestEpoch").asInt(),
          s.get("bestScore").isNull() ? Double.NaN : s.get("bestScore").asDouble(),
          s.hasNonNull("bestValidation") ? JSON.treeToValue(s.get("bestValidation"), ModelCard.Validation.class)
              : null);
    }
  }

  /** A checkpoint as read back: its state, its weights, the best epoch's weights (or null), optimizer states. */
  record Saved(State state, Path weights, Path best, Map<Integer, OptimizerState> optimizerStates) {}

  private Checkpoint() {}

  /** Same model and data: everything but the epoch budget, early stopping and the job's bookkeeping. */
  static boolean sameTraining(TrainConfig a, TrainConfig b) {
    return normalize(a).equals(normalize(b));
  }

  private static TrainConfig normalize(TrainConfig c) {
    try {
      return c.with("{\"maxEpochs\":1,\"earlyStopping\":false,\"patience\":1,\"jobId\":\"x\",\"output\":\"x\","
          + "\"exchange\":\"driver\"}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String weightsFile(int epoch) {
    return "weights-" + epoch + ".params";
  }

  /**
   * Writes the checkpoint of {@code run}'s epoch: {@code model}'s weights, the optimizer states, then {@code run}
   * (to which this adds the file names) as the new {@code state.json}.
   */
  static void write(Path dir, State run, Replica model, Map<Integer, OptimizerState> optimizerStates)
      throws IOException {
    int epoch = run.epoch();
    int bestEpoch = run.bestEpoch();
    ObjectNode state = run.toJson();
    Files.createDirectories(dir);
    Set<String> keep = new HashSet<>();
    String weights = weightsFile(epoch);
    AtomicFiles.writeDurably(dir.resolve(weights), model::save);
    state.put("weights", weights);
    keep.add(weights);
    if (bestEpoch > 0) {
      state.put("best", weightsFile(bestEpoch));
      keep.add(weightsFile(bestEpoch));
    }
    ArrayNode states = state.putArray("optimizerStates");
    for (var e : new TreeMap<>(optimizerStates).entrySet()) {
      String file = "optimizer-" + e.getKey() + "-" + epoch + ".bin";
      AtomicFiles.writeDurably(dir.resolve(file), out -> writeOptimizerState(out, e.getValue()));
      states.addObject().put("replica", e.getKey()).put("steps", e.getValue().steps()).put("file", file);
      keep.add(file);
    }
    byte[] json = JSON.writeValueAsBytes(state);
    AtomicFiles.writeDurably(dir.resolve(STATE), out -> out.write(json));
    keep.add(STATE);
    try (var files = Files.newDirectoryStream(dir)) { // earlier epochs' files, debris of interrupted writes
      for (Path f : files) {
        if (!keep.contains(f.getFileName().toString())) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** The checkpoint in {@code dir}, or null when there is none. */
  static Saved read(Path dir) throws IOException {
    Path statePath = dir.resolve(STATE);
    if (!Files.exists(statePath)) {
      return null;
    }
    JsonNode s = JSON.readTree(statePath.toFile());
    Path weights = dir.resolve(s.path("weights").asText(LEGACY_WEIGHTS));
    if (!Files.exists(weights)) {
      throw new IOException("the checkpoint " + statePath + " names the weights " + weights.getFileName()
          + ", which are missing; remove the folder " + dir + " to start afresh");
    }
    Path best = s.hasNonNull("best") ? dir.resolve(s.get("best").asText()) : null;
    Map<Integer, OptimizerState> states = new HashMap<>();
    for (JsonNode o : s.path("optimizerStates")) {
      states.put(o.get("replica").asInt(), readOptimizerState(dir.resolve(o.get("file").asText()),
          o.get("steps").asInt()));
    }
    return new Saved(State.fromJson(s), weights, best, states);
  }

  /** A header of four ints ("RLOS", format 1, step count, value count), then the raw little-endian float32 values. */
  private static void writeOptimizerState(OutputStream stream, OptimizerState state) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(OPTIMIZER_MAGIC);
    out.writeInt(1);
    out.writeInt(state.steps());
    out.writeInt(state.values().length());
    state.values().writeTo(out);
    out.flush();
  }

  private static OptimizerState readOptimizerState(Path file, int steps) throws IOException {
    try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file),
        1 << 20))) {
      if (in.readInt() != OPTIMIZER_MAGIC || in.readInt() != 1 || in.readInt() != steps) {
        throw new IOException(file + " is not the optimizer state the checkpoint's state.json names");
      }
      return new OptimizerState(steps, PackedFloats.readFrom(in, in.readInt()));
    } catch (java.io.EOFException | java.nio.file.NoSuchFileException e) {
      throw new IOException("the checkpoint's optimizer state " + file + " is missing or cut short", e);
    }
  }
}
