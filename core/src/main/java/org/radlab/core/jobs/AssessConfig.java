package org.radlab.core.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.radlab.core.Workspace;

/**
 * An assessment's config (JSON).
 *
 * @param predictions CSV: ID,DATE,READ,CLASS1,CLASS2,... (a deployed model's recorded predictions and the reads)
 * @param positive    positive classes (default: the last class)
 * @param threshold   default 0.5
 * @param period      drift table periods: week, month (default), quarter or year
 * @param bootstrap   resamples for the overall intervals (default 1000)
 * @param seed        default 1
 * @param output      output folder (default {@code $RADLAB_HOME/assessments/<file name>})
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record AssessConfig(@SetByServer String predictions, List<String> positive, Double threshold, String period,
    Integer bootstrap, Long seed, @SetByServer String output) implements JobConfig {

  public AssessConfig {
    if (predictions == null || predictions.isBlank()) {
      throw new IllegalArgumentException("predictions is required: a CSV of ID,DATE,READ,CLASS1,CLASS2,...");
    }
    positive = positive == null ? List.of() : List.copyOf(positive);
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
        seed, JobConfig.pathOr(p.output(), output));
  }
}
