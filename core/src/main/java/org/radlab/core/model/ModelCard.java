package org.radlab.core.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.jobs.TrainConfig;

/**
 * {@code model.json}: everything needed to use, compare and reproduce a trained model, and the only reader and writer
 * of that file. The training job rewrites it after every epoch (status {@code training}) and at the end
 * ({@code completed}, {@code stopped_early}, {@code cancelled} or {@code failed}); always replaced whole, so a reader
 * never sees half a file. Reading ignores fields it does not know (a card written by a newer version).
 *
 * @param weights        the weights file in the model folder (best epoch), or null before the first epoch
 * @param preprocessing  how an image becomes the model input
 * @param curves         one entry per finished epoch
 * @param bestEpoch      the epoch whose weights are kept (by the monitored metric), 0 if none yet
 * @param validation     the best epoch's study-level validation results
 */
public record ModelCard(
    String id,
    String status,
    String architecture,
    double width,
    List<String> classes,
    long parameterCount,
    String weights,
    Preprocessing preprocessing,
    String dataset,
    String labels,
    String labelsSha256,
    int[] trainStudiesPerClass,
    int[] validationStudiesPerClass,
    int trainImages,
    int validationImages,
    int replicas,
    List<EpochStats> curves,
    int bestEpoch,
    Validation validation,
    String message,
    String createdAt,
    String updatedAt,
    double elapsedSeconds,
    TrainConfig config) {

  /** Input size and the normalization applied to the dataset's [0,1] tensors: {@code (v - mean) / std}. */

  /** One epoch: mean training loss, validation loss, and study-level kappa (linear), AUC and accuracy. */
  public record EpochStats(int epoch, double trainLoss, double validationLoss, double kappa, double auc,
      double accuracy, double seconds, double imagesPerSecond) {}

  /** Study-level validation of the kept weights; {@code confusionMatrix[reference][predicted]}. */
  public record Validation(int studies, double kappaLinear, double auc, double accuracy, double loss,
      long[][] confusionMatrix) {}

  /** The card's file name in a model folder. */
  public static final String FILE = "model.json";

  /** How cards are written (indented) and read. */
  public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The card of the model folder {@code dir}; fails naming the folder when it has no card. */
  public static ModelCard in(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new java.io.FileNotFoundException(dir + " is not a model folder: it has no " + FILE);
    }
    return read(file);
  }

  public static ModelCard read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), ModelCard.class);
  }

  /** True when the card names a weights file that is in {@code dir} (a regular file, not a folder). */
  public boolean hasWeightsIn(Path dir) {
    return weights != null && !weights.isEmpty() && !weights.equals("null")
        && Files.isRegularFile(dir.resolve(weights));
  }


  /** The side of the dataset tensors the model was trained on (its input size when the card does not say). */
  public int tensorSide() {
    return preprocessing.side();
  }

  /** Replaces {@code file} whole with this card (written next to it, then moved over it). */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, out -> JSON.writeValue(out, this));
  }
}
