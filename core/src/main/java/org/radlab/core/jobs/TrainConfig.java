package org.radlab.core.jobs;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.radlab.core.Workspace;
import org.radlab.core.model.Architecture;
import org.radlab.core.model.Augmentation;
import org.radlab.core.model.Choices;
import org.radlab.core.model.ClassifierLoss;
import org.radlab.core.model.LearningRateSchedule;
import org.radlab.core.model.Sampling;
import org.radlab.core.task.TaskType;

/**
 * A training job's config, read from JSON (see docs/training.md for every field). Missing optional fields take the
 * defaults below; every value is checked here, before any Spark work, and an error names the field.
 *
 * @param task               classification (default), detection or segmentation; it decides the network, the
 *                           loss, the label snapshot's shape and the validation metrics
 * @param dataset            prepared dataset folder (from {@code radlab prep})
 * @param labels             label snapshot CSV: {@code study_uid,label} for classification, boxes per image
 *                           ({@code image,x_min,y_min,x_max,y_max,label}) for detection, a mask per image
 *                           ({@code image,width,height,runs}) for segmentation ({@code radlab labels import})
 * @param classes            class names in order: for classification the first is the negative class of binary use
 *                           cases; for detection and segmentation the finding classes (at least 1; mask value i is
 *                           class i), no background class
 * @param inputSize          side of the square model input, at most the dataset's tensor side (default 128; a
 *                           multiple of 16 for detection and segmentation)
 * @param patchSize          segmentation: each training step takes a square patch of this side from every
 *                           (augmented) input, a third of them centred on a finding, and validation and prediction
 *                           still see the whole input; a multiple of 16, at most inputSize (default inputSize: the
 *                           whole input). Small findings at full resolution train far faster this way.
 * @param trainingStudies    train on a stratified subset of this many studies; 0 = all (default)
 * @param architecture       resnet18, resnet34, resnet50, vgg11_bn, vgg16_bn, inception, densenet121 (detection:
 *                           the ResNets, as the detector's backbone); segmentation: unet, its default and only one
 * @param width              channel multiplier in (0, 1] (default 0.25: practical on a CPU)
 * @param augmentation       none or flips_rotations (default none)
 * @param maxRotation        largest random rotation in degrees for flips_rotations (default 15)
 * @param sampling           random, equal_class or positives_only (default random); for detection an image's class
 *                           is whether it holds a box, so equal_class alternates images with and without findings
 * @param loss               categorical_cross_entropy, mean_absolute_error, mean_squared_error, sigmoid_focal
 *                           (detection: sigmoid_focal only, its default, with the box and centre-ness terms;
 *                           segmentation: dice_cross_entropy only)
 * @param focalAlpha         sigmoid_focal's alpha (default 0.25)
 * @param focalGamma         sigmoid_focal's gamma (default 2)
 * @param init               random or pretrained (default random)
 * @param weights            for pretrained: a weights file, or a name under {@code $RADLAB_HOME/weights}
 * @param earlyStopping      stop when the monitored metric has not improved for {@code patience} epochs
 * @param patience           the improvement interval in epochs (default 5)
 * @param monitor            kappa, auc or loss for classification (default kappa); map or loss for detection
 *                           (default map); dice or loss for segmentation (default dice)
 * @param maxEpochs          default 10
 * @param batchSize          images per step over all executors (default 32)
 * @param learningRate       initial learning rate (default 0.001)
 * @param schedule           constant (default) or poly: the learning rate decays as {@code (1 - step/total)^0.9}
 *                           over all steps of maxEpochs epochs (nnU-Net's schedule)
 * @param optimizer          adam or sgd (default adam)
 * @param seed               seeds the split, sampling, augmentation and weight initialization (default 1)
 * @param validationFraction share of patients held out for validation (default 0.2)
 * @param syncEvery          replicas are averaged every this many steps (default 1)
 * @param halfPrecisionUpdates replicas and driver exchange weight changes in fp16 rather than fp32 (default false:
 *                           on one machine converting costs more than the bytes it saves; across a network it
 *                           halves the traffic)
 * @param exchange           how replicas average their changes: driver (default: through the driver, a Spark job
 *                           per round, tree-aggregated and broadcast) or ring (among the executors, a ring all-reduce
 *                           in barrier stages of many rounds, which need a task slot for every replica at once)
 * @param jobId              names the job folder {@code $RADLAB_HOME/jobs/<jobId>} (default train-TIMESTAMP)
 * @param output             model folder (default {@code $RADLAB_HOME/models/<jobId>})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainConfig(
    TaskType task,
    @SetByServer String dataset,
    @SetByServer String labels,
    List<String> classes,
    Integer inputSize,
    Integer patchSize,
    Integer trainingStudies,
    String architecture,
    Double width,
    Augmentation.Kind augmentation,
    Double maxRotation,
    Sampling sampling,
    String loss,
    Double focalAlpha,
    Double focalGamma,
    Init init,
    String weights,
    Boolean earlyStopping,
    Integer patience,
    Monitor monitor,
    Integer maxEpochs,
    Integer batchSize,
    Double learningRate,
    LearningRateSchedule schedule,
    String optimizer,
    Long seed,
    Double validationFraction,
    Integer syncEvery,
    Boolean halfPrecisionUpdates,
    Exchange exchange,
    @SetByServer String jobId,
    @SetByServer String output) implements Serializable, JobConfig {

  public TrainConfig {
    task = or(task, TaskType.CLASSIFICATION);
    boolean detection = task == TaskType.DETECTION;
    boolean segmentation = task == TaskType.SEGMENTATION;
    require(dataset != null && !dataset.isBlank(), "dataset is required: a folder written by radlab prep");
    require(labels != null && !labels.isBlank(), "labels is required: a label snapshot CSV (radlab labels import)");
    Bounds.size("classes", classes, task == TaskType.CLASSIFICATION ? 2 : 1, segmentation ? 254 : 1000);
    require(new HashSet<>(classes).size() == classes.size(), "classes must not repeat a name: " + classes);
    inputSize = or(inputSize, 128);
    Bounds.between("inputSize", inputSize, 16, 1024);
    require(task == TaskType.CLASSIFICATION || inputSize % 16 == 0, "inputSize must be a multiple of 16 for "
        + task.id() + ", got " + inputSize);
    require(segmentation || patchSize == null || patchSize.equals(inputSize), "patchSize applies to segmentation"
        + " only; " + task.id() + " trains on the whole input");
    patchSize = or(patchSize, inputSize);
    Bounds.between("patchSize", patchSize, 16, inputSize);
    require(patchSize % 16 == 0 || !segmentation, "patchSize must be a multiple of 16, got " + patchSize);
    trainingStudies = or(trainingStudies, 0);
    Bounds.between("trainingStudies", trainingStudies, 0, 10_000_000);
    architecture = Architecture.parse(or(architecture, defaultArchitecture(task))).id();
    require(!detection || Architecture.parse(architecture).resnetDepth() > 0, "detection trains on a ResNet"
        + " backbone (resnet18, resnet34 or resnet50), not " + architecture);
    require(segmentation == architecture.equals(Architecture.UNET.id()), segmentation
        ? "segmentation trains a unet, not " + architecture : "unet is a segmentation network; use it with task"
        + " segmentation");
    width = or(width, 0.25);
    Bounds.aboveZero("width", width, 1, false);
    augmentation = or(augmentation, Augmentation.Kind.NONE);
    maxRotation = or(maxRotation, 15.0);
    Bounds.closed("maxRotation", maxRotation, 0, 180);
    sampling = or(sampling, Sampling.RANDOM);
    loss = or(loss, defaultLoss(task)).trim().toLowerCase(Locale.ROOT);
    if (segmentation) {
      require(loss.equals(SEGMENTATION_LOSS), "segmentation trains with the " + SEGMENTATION_LOSS + " loss (soft"
          + " Dice plus cross-entropy), not " + loss);
    } else {
      loss = ClassifierLoss.Kind.parse(loss).id();
    }
    require(!detection || loss.equals("sigmoid_focal"), "detection trains with the sigmoid_focal loss (with its box"
        + " and centre-ness terms), not " + loss);
    focalAlpha = or(focalAlpha, 0.25);
    focalGamma = or(focalGamma, 2.0);
    Bounds.closed("focalAlpha", focalAlpha, 0, 1);
    Bounds.closed("focalGamma", focalGamma, 0, 10);
    init = or(init, Init.RANDOM);
    require(init != Init.PRETRAINED || weights != null && !weights.isBlank(),
        "init pretrained needs weights: a weights file, or a name under $RADLAB_HOME/weights");
    earlyStopping = earlyStopping != null && earlyStopping;
    patience = or(patience, 5);
    Bounds.between("patience", patience, 1, 1000);
    monitor = or(monitor, defaultMonitor(task));
    require(monitor.judges(task), "monitor " + monitor.id() + " does not judge " + task.id() + "; use "
        + Monitor.judging(task));
    maxEpochs = or(maxEpochs, 10);
    Bounds.between("maxEpochs", maxEpochs, 1, 10_000);
    batchSize = or(batchSize, 32);
    Bounds.between("batchSize", batchSize, 1, 4096);
    learningRate = or(learningRate, 1e-3);
    Bounds.aboveZero("learningRate", learningRate, 10, true);
    schedule = or(schedule, LearningRateSchedule.CONSTANT);
    optimizer = or(optimizer, "adam").toLowerCase(Locale.ROOT);
    require(optimizer.equals("adam") || optimizer.equals("sgd"), "optimizer must be adam or sgd, got " + optimizer);
    seed = or(seed, 1L);
    validationFraction = or(validationFraction, 0.2);
    Bounds.aboveZero("validationFraction", validationFraction, 1, true);
    syncEvery = or(syncEvery, 1);
    halfPrecisionUpdates = halfPrecisionUpdates != null && halfPrecisionUpdates;
    Bounds.between("syncEvery", syncEvery, 1, 10_000);
    exchange = or(exchange, Exchange.DRIVER);
    jobId = jobId == null || jobId.isBlank()
        ? "train-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) : jobId;
    require(jobId.matches("[A-Za-z0-9._-]{1,100}"), "jobId may hold letters, digits, '.', '_' and '-' only: " + jobId);
    output = output == null || output.isBlank() ? defaultOutput(jobId) : output;
  }

  /** Whether this config trains a detector. */
  public boolean detection() {
    return task == TaskType.DETECTION;
  }

  /** Whether this config trains a segmenter. */
  public boolean segmentation() {
    return task == TaskType.SEGMENTATION;
  }

  /** A segmenter's loss, the only one it takes: {@code SegmentationLoss}. */
  public static final String SEGMENTATION_LOSS = "dice_cross_entropy";

  /** A config with the required fields and every default. */
  public static TrainConfig of(String dataset, String labels, List<String> classes) {
    return new TrainConfig(null, dataset, labels, classes, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** This config starting from {@code weights}, at the given width. */
  public TrainConfig withPretrained(String weights, double width) throws IOException {
    return with("{\"init\":\"pretrained\",\"weights\":" + JSON.writeValueAsString(weights) + ",\"width\":"
        + width + "}");
  }

  /** Reads a config file; an invalid value is an {@link IllegalArgumentException} naming the field. */
  public static TrainConfig read(Path json) throws IOException {
    return JobConfig.read(json, TrainConfig.class);
  }

  @Override
  public JobKind kind() {
    return JobKind.TRAIN;
  }

  @Override
  public TrainConfig placedAt(Placement p) {
    return new TrainConfig(task, dataset, JobConfig.pathOr(p.labels(), labels), classes, inputSize, patchSize,
        trainingStudies, architecture, width, augmentation, maxRotation, sampling, loss, focalAlpha, focalGamma, init,
        weights, earlyStopping, patience, monitor, maxEpochs, batchSize, learningRate, schedule, optimizer, seed,
        validationFraction, syncEvery, halfPrecisionUpdates, exchange, p.jobId() == null ? jobId : p.jobId(),
        JobConfig.pathOr(p.output(), output));
  }

  /** This config with the fields of {@code json} (a JSON object) laid over it. */
  public TrainConfig with(String json) throws IOException {
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.valueToTree(this);
    var overlay = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
    if (overlay.has("jobId") && !overlay.has("output") && output.equals(defaultOutput(jobId))) {
      tree.remove("output"); // derived from the job id: follow the new one
    }
    if (overlay.has("inputSize") && !overlay.has("patchSize") && patchSize.equals(inputSize)) {
      tree.remove("patchSize"); // the whole input: follow the new one
    }
    if (overlay.has("task")) { // the loss and the monitor left at this task's defaults follow the new task's
      if (!overlay.has("loss") && loss.equals(defaultLoss(task))) {
        tree.remove("loss");
      }
      if (!overlay.has("monitor") && monitor == defaultMonitor(task)) {
        tree.remove("monitor");
      }
      if (!overlay.has("architecture") && architecture.equals(defaultArchitecture(task))) {
        tree.remove("architecture");
      }
    }
    tree.setAll(overlay);
    try {
      return JobConfig.of(tree, TrainConfig.class);
    } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
      throw new IllegalArgumentException("unknown config field '" + e.getPropertyName() + "'", e);
    }
  }

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String defaultOutput(String jobId) {
    return Workspace.current().model(jobId).toString();
  }

  /** {@code $RADLAB_HOME/jobs/<jobId>}: progress lines and the cancel request. */
  public Path jobDir() {
    return Workspace.current().job(jobId);
  }

  public static final ObjectMapper JSON = new ObjectMapper();

  /** A task's default loss: a detector's focal loss, a segmenter's Dice plus cross-entropy, a classifier's cross-entropy. */
  private static String defaultLoss(TaskType task) {
    return switch (task) {
      case CLASSIFICATION -> "categorical_cross_entropy";
      case DETECTION -> "sigmoid_focal";
      case SEGMENTATION -> SEGMENTATION_LOSS;
    };
  }

  /** A task's default monitor: a classifier's kappa, a detector's mAP, a segmenter's Dice. */
  private static Monitor defaultMonitor(TaskType task) {
    return switch (task) {
      case CLASSIFICATION -> Monitor.KAPPA;
      case DETECTION -> Monitor.MAP;
      case SEGMENTATION -> Monitor.DICE;
    };
  }

  private static String defaultArchitecture(TaskType task) {
    return task == TaskType.SEGMENTATION ? "unet" : "resnet18";
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Where training starts: random weights, or pretrained ones ({@code weights}). */
  public enum Init {
    RANDOM, PRETRAINED;

    @JsonValue
    public String id() {
      return Choices.id(this);
    }

    @JsonCreator
    public static Init parse(String name) {
      return Choices.parse(Init.class, name, "init");
    }
  }

  /**
   * How replicas average their changes: through the driver (a Spark job per round, the changes tree-aggregated and
   * the average broadcast), or in a ring among the executors (a barrier stage of many rounds; docs/scaling.md
   * compares).
   */
  public enum Exchange {
    DRIVER, RING;

    @JsonValue
    public String id() {
      return Choices.id(this);
    }

    @JsonCreator
    public static Exchange parse(String name) {
      return Choices.parse(Exchange.class, name, "exchange");
    }
  }

  /** The validation metric that picks the best epoch and drives early stopping. */
  public enum Monitor {
    KAPPA, AUC, LOSS, MAP, DICE;

    /** The metrics that judge {@code task}, as a config would name them ({@code "kappa, auc or loss"}). */
    static String judging(TaskType task) {
      List<String> own = java.util.Arrays.stream(values()).filter(m -> m != LOSS && m.judges(task))
          .map(Monitor::id).toList();
      return String.join(", ", own) + " or " + LOSS.id();
    }

    /** Whether this metric judges a model of {@code task} (the loss judges every task). */
    public boolean judges(TaskType task) {
      return switch (this) {
        case LOSS -> true;
        case KAPPA, AUC -> task == TaskType.CLASSIFICATION;
        case MAP -> task == TaskType.DETECTION;
        case DICE -> task == TaskType.SEGMENTATION;
      };
    }

    @JsonValue
    public String id() {
      return Choices.id(this);
    }

    @JsonCreator
    public static Monitor parse(String name) {
      return Choices.parse(Monitor.class, name, "monitor");
    }
  }

}
