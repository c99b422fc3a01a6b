package org.radlab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.radlab.core.jobs.TrainConfig;

/**
 * {@code model.json}: everything needed to use, compare and reproduce a trained model. Rewritten after every epoch
 * (status {@code training}) and at the end ({@code completed}, {@code stopped_early}, {@code cancelled} or
 * {@code failed}); always replaced whole, so a reader never sees half a file.
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
  public record Preprocessing(int inputSize, int tensorSide, double mean, double std) {}

  /** One epoch: mean training loss, validation loss, and study-level kappa (linear), AUC and accuracy. */
  public record EpochStats(int epoch, double trainLoss, double validationLoss, double kappa, double auc,
      double accuracy, double seconds, double imagesPerSecond) {}

  /** Study-level validation of the kept weights; {@code confusionMatrix[reference][predicted]}. */
  public record Validation(int studies, double kappaLinear, double auc, double accuracy, double loss,
      long[][] confusionMatrix) {}

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ModelCard read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), ModelCard.class);
  }

  void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
