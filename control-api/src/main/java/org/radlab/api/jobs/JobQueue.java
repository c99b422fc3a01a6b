package org.radlab.api.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DeploymentDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Times;
import org.radlab.core.Workspace;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.jobs.JobConfig;
import org.radlab.core.jobs.JobKind;

/**
 * Queues jobs: each one is a job row, its label snapshot, its folder and its {@code config.json}, written in one
 * transaction and checked by the kind's config record first, so a refused config leaves nothing behind and a queued
 * one will read in the job. The runner is told at once. Routes decide who may queue what; this owns how.
 */
public final class JobQueue {
  /** The labels a train or evaluate job gets, frozen at submission. */
  /**
   * The label snapshot a job is to use: its CSV (written read-only under the workspace's labels), how many labelled
   * studies it holds, and where they came from ({@code mine} or {@code reference}).
   */
  public record Snapshot(long useCaseId, String source, String csv, int studies) {
    /** A classification snapshot: study UID to category code. */
    public static Snapshot ofStudies(long useCaseId, String source, Map<String, String> labels) {
      return new Snapshot(useCaseId, source, LabelSnapshot.csv(labels), labels.size());
    }

    /** A segmentation snapshot: the mask of every image of {@code studies} studies read, in PNG pixels. */
    public static Snapshot ofMasks(long useCaseId, String source, org.radlab.core.dataset.MaskTable masks,
        int studies) {
      return new Snapshot(useCaseId, source, masks.csv(), studies);
    }

    /** A detection snapshot: the boxes of every image of {@code studies} studies read, in PNG pixels. */
    public static Snapshot ofBoxes(long useCaseId, String source, org.radlab.core.dataset.BoxTable boxes,
        int studies) {
      return new Snapshot(useCaseId, source, boxes.csv(false), studies);
    }
  }

  private final Database db;
  private final Workspace workspace;
  private final JobDao jobs;
  private final DatasetDao datasets;
  private final JobRunner runner;

  public JobQueue(Database db, Path home, JobRunner runner) {
    this.db = db;
    this.workspace = new Workspace(home);
    this.jobs = db.dao(JobDao.class);
    this.datasets = db.dao(DatasetDao.class);
    this.runner = runner;
  }

  /** Queues a job whose config is complete but for its job folder, id and output. */
  public Job enqueue(Caller caller, JobKind kind, ObjectNode config, Long datasetId) {
    return enqueue(caller, kind, config, datasetId, null, null, null);
  }

  /** Queues a train or evaluate job with the label snapshot it is to use. */
  public Job enqueue(Caller caller, JobKind kind, ObjectNode config, Long datasetId, Snapshot snapshot) {
    return enqueue(caller, kind, config, datasetId, snapshot, null, null);
  }

  /**
   * Queues an assessment of recorded predictions and reads given as CSV (case,date,read,CLASS1,...); with a
   * deployment, the job is recorded as one of its assessments in the same transaction.
   */
  public Job enqueueAssessment(Caller caller, ObjectNode config, String csv, Long deploymentId) {
    return enqueue(caller, JobKind.ASSESS, config, null, null, csv, deploymentId);
  }

  /**
   * Queues an evaluation of {@code modelPaths} on a dataset against its reference labels (a detection use case's:
   * its reference boxes), owned by {@code owner} (a challenge's admin, so the participant never sees the hidden
   * set's job, config or log).
   */
  public Job enqueueHiddenEvaluation(Caller owner, Dataset d, UseCaseDao.UseCase useCase, List<String> modelPaths) {
    long useCaseId = useCase.id();
    Snapshot reference = switch (useCase.taskType()) {
      case CLASSIFICATION -> Snapshot.ofStudies(useCaseId, "reference", datasets.referenceLabels(d.id(), useCaseId));
      case DETECTION -> Snapshot.ofBoxes(useCaseId, "reference", datasets.referenceBoxes(d.id(), useCaseId),
          datasets.referenceBoxStudies(d.id(), useCaseId));
      case SEGMENTATION -> Snapshot.ofMasks(useCaseId, "reference", datasets.referenceMasks(d.id(), useCaseId),
          datasets.referenceMaskStudies(d.id(), useCaseId));
    };
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("dataset", d.path());
    ArrayNode models = config.putArray("models");
    modelPaths.forEach(models::add);
    config.put("bootstrap", 200);
    return enqueue(owner, JobKind.EVALUATE, config, d.id(), reference);
  }

  /** The folder a job writes its results to, from its config as its record reads it; empty if it reads no more. */
  public static Optional<Path> output(Job job) {
    try {
      String out = JobKind.of(job.kind()).config(job.config()).output();
      return out == null || out.isEmpty() ? Optional.empty() : Optional.of(Path.of(out).toAbsolutePath().normalize());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * One transaction: the job row, its label snapshot (file and row), its config (checked by the job's own record)
   * and its files. If anything is refused, nothing is left behind: no row, no snapshot, no folder.
   */
  private Job enqueue(Caller caller, JobKind kind, ObjectNode config, Long datasetId, Snapshot snapshot,
      String predictionsCsv, Long deploymentId) {
    Path[] snapshotFile = new Path[1];
    long id;
    try {
      id = db.<Long, IOException>write(h -> {
        JobDao dao = h.attach(JobDao.class);
        long jobId = dao.insert(kind.key(), caller.id(), datasetId, null, Times.now());
        if (deploymentId != null) {
          h.attach(DeploymentDao.class).linkAssessment(deploymentId, jobId);
        }
        if (snapshot != null) {
          snapshotFile[0] = writeSnapshot(caller, snapshot.csv());
          dao.setSnapshot(jobId, dao.insertSnapshot(snapshot.useCaseId(), datasetId, caller.id(), snapshot.source(),
              snapshotFile[0].toString(), snapshot.studies(), Times.now()));
        }
        return configure(dao, jobId, kind, config, snapshotFile[0], predictionsCsv);
      });
    } catch (IOException e) {
      deleteQuietly(snapshotFile[0]);
      throw new UncheckedIOException("cannot write the job's files: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(snapshotFile[0]);
      throw e;
    }
    runner.poke();
    return jobs.find(id).orElseThrow();
  }

  /**
   * Checks the config with its record, places it (its job id, output folder, progress file, label snapshot and
   * predictions, through the record's own {@link JobConfig#placedAt}), writes the job folder and the config: the
   * fields the request sent and the fields the server set, as the placed record holds them.
   */
  private long configure(JobDao dao, long jobId, JobKind kind, ObjectNode config, Path snapshot,
      String predictionsCsv) throws IOException {
    JobFiles files = JobFiles.of(workspace.root(), jobId);
    String name = JobFiles.name(jobId);
    if (snapshot != null) {
      config.put("labels", snapshot.toString()); // the record requires its labels before it can be placed
    }
    if (predictionsCsv != null) {
      config.put("predictions", files.dir().resolve("predictions.csv").toString());
    }
    Path output = switch (kind) {
      case PREP -> null; // the dataset folder the request named
      case TRAIN -> workspace.model(name);
      case EVALUATE -> workspace.evaluation(name);
      case ASSESS -> workspace.assessment(name);
    };
    JobConfig placed = check(kind, config).placedAt(new JobConfig.Placement(name, output, files.progress(), snapshot,
        predictionsCsv == null ? null : files.dir().resolve("predictions.csv")));
    ObjectNode typed = Json.MAPPER.valueToTree(placed);
    for (String field : JobConfig.serverFields(kind.configType())) {
      if (typed.hasNonNull(field)) {
        config.set(field, typed.get(field));
      }
    }
    String text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config);
    Files.createDirectories(files.dir());
    if (predictionsCsv != null) {
      Files.writeString(files.dir().resolve("predictions.csv"), predictionsCsv, StandardCharsets.UTF_8);
    }
    AtomicFiles.writeString(files.config(), text);
    dao.setConfig(jobId, text);
    return jobId;
  }

  /** Builds the job's own config record from the JSON, so a bad value is a 400 now, not a failed job later. */
  private static JobConfig check(JobKind kind, ObjectNode config) {
    try {
      return kind.config(config);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("invalid " + kind.key() + " config: " + Json.describe(e));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid " + kind.key() + " config: " + e.getMessage());
    }
  }

  /** Writes an immutable label snapshot (study_uid,label) under {@code labels/}; returns its absolute path. */
  private Path writeSnapshot(Caller caller, String csv) throws IOException {
    Path dir = Files.createDirectories(workspace.labels());
    Path file = Files.createTempFile(dir, "snapshot-u" + caller.id() + "-", ".csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    file.toFile().setReadOnly();
    return file.toAbsolutePath();
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a stray snapshot file is harmless: nothing refers to it
      }
    }
  }

}
