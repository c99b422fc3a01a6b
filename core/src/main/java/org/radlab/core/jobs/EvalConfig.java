package org.radlab.core.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.radlab.core.Workspace;

/**
 * An evaluation job's config (JSON).
 *
 * @param dataset    prepared dataset folder; every labelled study in it is evaluated
 * @param labels     label snapshot CSV ({@code study_uid,label})
 * @param models     model folders (each with model.json and weights), all with the same classes
 * @param positive   positive classes of the binary view (default: the last class)
 * @param threshold  binary view threshold (default 0.5)
 * @param bootstrap  bootstrap resamples for the intervals (default 1000)
 * @param seed       bootstrap seed (default 1)
 * @param jobId      names the output (default eval-TIMESTAMP)
 * @param output     output folder (default {@code $RADLAB_HOME/evaluations/<jobId>})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record EvalConfig(@SetByServer String dataset, @SetByServer String labels, @SetByServer List<String> models, List<String> positive,
    Double threshold, Integer bootstrap, Long seed, @SetByServer String jobId, @SetByServer String output) implements Serializable, JobConfig {

  /** The most bootstrap resamples a job may ask for (assessments too). */
  public static final int MAX_BOOTSTRAP = 20_000;

  public EvalConfig {
    require(dataset != null && !dataset.isBlank(), "dataset is required: a folder written by radlab prep");
    require(labels != null && !labels.isBlank(), "labels is required: a label snapshot CSV");
    Bounds.size("models", models, 1, 100);
    positive = positive == null ? List.of() : List.copyOf(positive);
    threshold = threshold == null ? 0.5 : threshold;
    Bounds.closed("threshold", threshold, 0, 1);
    bootstrap = bootstrap == null ? 1000 : bootstrap;
    Bounds.between("bootstrap", bootstrap, 0, MAX_BOOTSTRAP);
    seed = seed == null ? 1L : seed;
    jobId = jobId == null || jobId.isBlank()
        ? "eval-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) : jobId;
    require(jobId.matches("[A-Za-z0-9._-]{1,100}"), "jobId may hold letters, digits, '.', '_' and '-' only: " + jobId);
    output = output == null || output.isBlank() ? Workspace.current().evaluation(jobId).toString()
        : output;
  }

  public static EvalConfig read(Path json) throws IOException {
    return JobConfig.read(json, EvalConfig.class);
  }

  @Override
  public JobKind kind() {
    return JobKind.EVALUATE;
  }

  @Override
  public EvalConfig placedAt(Placement p) {
    return new EvalConfig(dataset, JobConfig.pathOr(p.labels(), labels), models, positive, threshold, bootstrap, seed,
        p.jobId() == null ? jobId : p.jobId(), JobConfig.pathOr(p.output(), output));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
