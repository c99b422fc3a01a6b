package org.radlab.core.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one job run is told to do: the agreement between whoever queues a job (the CLI, the control API, a notebook,
 * a plain {@code spark-submit}) and the job's main class, which reads it from the job's {@code config.json}. One
 * record per {@link JobKind}; each checks its own fields when it is built, so a config that reads is a valid one.
 */
public sealed interface JobConfig permits PrepJobConfig, TrainConfig, EvalConfig, AssessConfig {
  /** Reads every kind's config; unknown fields are refused by each record's own annotation. */
  ObjectMapper JSON = new ObjectMapper();

  /** The kind of job this config runs. */
  JobKind kind();

  /** The folder the job writes its results to: the dataset, model, evaluation or assessment folder. */
  String output();

  /**
   * Where a queue puts one job: its name, the folder it writes to, its progress file, and the files written with
   * it (a label snapshot, an assessment's predictions); null where the queue has none.
   */
  record Placement(String jobId, Path output, Path progressFile, Path labels, Path predictions) {}

  /**
   * This config placed by a queue: each field {@code placement} has and this kind takes is replaced (an absolute
   * path), the others are kept. A kind takes only what it has a field for: a prep job has no job id, for example.
   */
  JobConfig placedAt(Placement placement);

  /** {@code path} as the absolute text a config holds, or {@code kept} when {@code path} is null. */
  static String pathOr(Path path, String kept) {
    return path == null ? kept : path.toAbsolutePath().normalize().toString();
  }

  /**
   * Reads a config file of {@code type}. A field the record refuses is an IllegalArgumentException with the
   * record's own message; a field the record does not have is one that names it.
   */
  static <T extends JobConfig> T read(Path json, Class<T> type) throws IOException {
    try {
      return JSON.readValue(json.toFile(), type);
    } catch (ValueInstantiationException e) {
      throw unwrap(e);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(json + ": unknown field '" + e.getPropertyName() + "'", e);
    }
  }

  /** The fields of {@code type} marked {@link SetByServer}: filled in by whoever queues the job. */
  static Set<String> serverFields(Class<? extends JobConfig> type) {
    return fields(type, true);
  }

  /** The other fields of {@code type}: the options of whoever asks for the job. */
  static Set<String> requestFields(Class<? extends JobConfig> type) {
    return fields(type, false);
  }

  private static Set<String> fields(Class<? extends JobConfig> type, boolean setByServer) {
    Set<String> names = new TreeSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      if (c.isAnnotationPresent(SetByServer.class) == setByServer) {
        names.add(c.getName());
      }
    }
    return names;
  }

  /** The record a JSON tree describes, as {@link #read} does; Jackson's own exceptions for malformed values. */
  static <T extends JobConfig> T of(JsonNode tree, Class<T> type) throws JsonProcessingException {
    try {
      return JSON.treeToValue(tree, type);
    } catch (ValueInstantiationException e) {
      throw unwrap(e);
    }
  }

  /** A record's own refusal, which Jackson wraps, as the IllegalArgumentException the record threw. */
  private static IllegalArgumentException unwrap(ValueInstantiationException e) {
    return e.getCause() instanceof IllegalArgumentException iae ? iae
        : new IllegalArgumentException(e.getOriginalMessage(), e);
  }
}
