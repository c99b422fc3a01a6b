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
import org.radlab.core.task.TaskType;

/**
 * {@code model.json}: everything needed to use, compare and reproduce a trained model, and the only reader and writer
 * of that file. The training job rewrites it after every epoch (status {@code training}) and at the end
 * ({@code completed}, {@code stopped_early}, {@code cancelled} or {@code failed}); always replaced whole, so a reader
 * never sees half a file. Reading ignores fields it does not know (a card written by a newer version).
 *
 * @param task           what the model does (classification in cards written before there were other tasks)
 * @param weights        the weights file in the model folder (best epoch), or null before the first epoch
 * @param preprocessing  how an image becomes the model input
 * @param curves         one entry per finished epoch
 * @param bestEpoch      the epoch whose weights are kept (by the monitored metric), 0 if none yet
 * @param validation     the best epoch's validation results (by study for classification, by image for detection)
 * @param trainBoxesPerClass      detection: reference boxes of each class in the training images (null otherwise)
 * @param validationBoxesPerClass detection: the same in the validation images
 */
public record ModelCard(
    String id,
    String status,
    TaskType task,
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
    TrainConfig config,
    int[] trainBoxesPerClass,
    int[] validationBoxesPerClass) {

  public ModelCard {
    task = task == null ? TaskType.CLASSIFICATION : task;
  }

  /** Input size and the normalization applied to the dataset's [0,1] tensors: {@code (v - mean) / std}. */

  /**
   * One epoch: mean training loss, validation loss, and the validation scores of the task: study-level kappa
   * (linear), AUC and accuracy for a classifier (NaN for the other tasks); COCO mAP and AP at IoU 0.5 for a
   * detector, mean Dice and IoU for a segmenter (null for the other tasks).
   */
  public record EpochStats(int epoch, double trainLoss, double validationLoss, double kappa, double auc,
      double accuracy, double seconds, double imagesPerSecond, Double map, Double ap50, Double dice, Double iou) {}

  /**
   * Validation of the kept weights. A classifier's is by study, {@code confusionMatrix[reference][predicted]}; a
   * detector's is by image ({@code studies} counts images), with mAP, AP50, AP75 and the AP of each class, and NaN
   * kappa, AUC and accuracy; a segmenter's is by image too, with the mean over images and foreground classes of Dice
   * and IoU, and each class's mean Dice.
   */
  public record Validation(int studies, double kappaLinear, double auc, double accuracy, double loss,
      long[][] confusionMatrix, Double map, Double ap50, Double ap75, java.util.Map<String, Double> apPerClass,
      Double dice, Double iou, java.util.Map<String, Double> dicePerClass) {
    /** A classifier's or a detector's validation (no Dice). */
    public Validation(int studies, double kappaLinear, double auc, double accuracy, double loss,
        long[][] confusionMatrix, Double map, Double ap50, Double ap75, java.util.Map<String, Double> apPerClass) {
      this(studies, kappaLinear, auc, accuracy, loss, confusionMatrix, map, ap50, ap75, apPerClass, null, null, null);
    }
  }

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
