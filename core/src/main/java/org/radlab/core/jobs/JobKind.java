package org.radlab.core.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of job: each one's config record and the main class that runs it under SparkSubmit. */
public enum JobKind {
  PREP("org.radlab.prep.PrepJob", PrepJobConfig.class),
  TRAIN("org.radlab.train.TrainJob", TrainConfig.class),
  EVALUATE("org.radlab.eval.EvaluateJob", EvalConfig.class),
  ASSESS("org.radlab.eval.AssessJob", AssessConfig.class);

  private final String mainClass;
  private final Class<? extends JobConfig> configType;

  JobKind(String mainClass, Class<? extends JobConfig> configType) {
    this.mainClass = mainClass;
    this.configType = configType;
  }

  public String mainClass() { return mainClass; }

  public Class<? extends JobConfig> configType() { return configType; }

  /** The name in job rows and requests: {@code prep}, {@code train}, {@code evaluate}, {@code assess}. */
  public String key() { return name().toLowerCase(Locale.ROOT); }

  /** This kind's config from a JSON tree, checked by its record (see {@link JobConfig#of}). */
  public JobConfig config(JsonNode tree) throws JsonProcessingException {
    return JobConfig.of(tree, configType);
  }

  /** This kind's config from JSON text, such as a job row's or a {@code config.json}'s. */
  public JobConfig config(String json) throws JsonProcessingException {
    return config(JobConfig.JSON.readTree(json));
  }

  /** The kind named {@code key}; an IllegalArgumentException listing the kinds otherwise. */
  public static JobKind of(String key) {
    for (JobKind k : values()) {
      if (k.key().equals(key)) {
        return k;
      }
    }
    throw new IllegalArgumentException("kind must be one of " + Arrays.stream(values()).map(JobKind::key)
        .collect(Collectors.joining(", ")) + ", got " + (key == null ? "nothing" : "'" + key + "'"));
  }
}
