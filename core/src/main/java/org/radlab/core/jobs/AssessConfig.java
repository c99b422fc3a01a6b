package org.radlab.core.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.radlab.core.Workspace;
import org.radlab.core.task.TaskType;

/**
 * An assessment's config (JSON).
 *
 * @param predictions CSV: ID,DATE,READ,CLASS1,CLASS2,... (a deployed model's recorded predictions and the reads);
 *                    for a detector, {@code case,date,source,x_min,y_min,x_max,y_max,label,score} with
 *                    {@code source} {@code model} (scored boxes) or {@code read} (the radiologist's boxes), and a
 *                    row with empty box fields for a case a source found nothing on
 * @param positive    positive classes (default: the last class); none for a detector
 * @param threshold   default 0.5; for a detector, the score from which a box counts as called (sensitivity, false
 *                    positives per case, IoU)
 * @param period      drift table periods: week, month (default), quarter or year
 * @param bootstrap   resamples for the overall intervals (default 1000)
 * @param seed        default 1
 * @param output      output folder (default {@code $RADLAB_HOME/assessments/<file name>})
 * @param task        what the deployed model does: {@code classification} (default), {@code detection} or
 *                    {@code segmentation}
 * @param classes     segmentation: the names of the masks' class indices 1, 2, ... (required, and for no other task)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record AssessConfig(@SetByServer String predictions, List<String> positive, Double threshold, String period,
    Integer bootstrap, Long seed, @SetByServer String output, TaskType task, List<String> classes)
    implements JobConfig {

  /** A classifier's or a detector's config (no mask classes). */
  public AssessConfig(String predictions, List<String> positive, Double threshold, String period, Integer bootstrap,
      Long seed, String output, TaskType task) {
    this(predictions, positive, threshold, period, bootstrap, seed, output, task, null);
  }

  public AssessConfig {
    if (predictions == null || predictions.isBlank()) {
      throw new IllegalArgumentException("predictions is required: a CSV of ID,DATE,READ,CLASS1,CLASS2,...");
    }
    positive = positive == null ? List.of() : List.copyOf(positive);
    task = task == null ? TaskType.CLASSIFICATION : task;
    if (task == TaskType.SEGMENTATION) {
      Bounds.size("classes", classes, 1, 254);
      classes = List.copyOf(classes);
    } else if (classes != null) {
      throw new IllegalArgumentException("classes names a segmenter's mask classes; a " + task.id()
          + " assessment has none");
    }
    if (task == TaskType.SEGMENTATION && !positive.isEmpty()) {
      throw new IllegalArgumentException("positive names classes of a classifier; a segmenter's assessment has none");
    }
    if (task == TaskType.DETECTION && !positive.isEmpty()) {
      throw new IllegalArgumentException("positive names classes of a classifier; a detector's assessment has none "
          + "(threshold is the score from which a box counts)");
    }
    threshold = threshold == null ? 0.5 : threshold;
    Bounds.closed("threshold", threshold, 0, 1);
    period = period == null ? "month" : period;
    if (!List.of("week", "month", "quarter", "year").contains(period)) {
      throw new IllegalArgumentException("period must be week, month, quarter or year, got " + period);
    }
    bootstrap = bootstrap == null ? 1000 : bootstrap;
    Bounds.between("bootstrap", bootstrap, 0, EvalConfig.MAX_BOOTSTRAP);
    seed = seed == null ? 1L : seed;
    output = output == null || output.isBlank() ? Workspace.current()
        .assessment(Path.of(predictions).getFileName().toString().replaceAll("\\.csv$", "")).toString() : output;
  }

  public static AssessConfig read(Path json) throws IOException {
    return JobConfig.read(json, AssessConfig.class);
  }

  @Override
  public JobKind kind() {
    return JobKind.ASSESS;
  }

  @Override
  public AssessConfig placedAt(Placement p) {
    return new AssessConfig(JobConfig.pathOr(p.predictions(), predictions), positive, threshold, period, bootstrap,
        seed, JobConfig.pathOr(p.output(), output), task, classes);
  }
}
