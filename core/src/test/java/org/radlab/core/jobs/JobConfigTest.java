package org.radlab.core.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each kind reads its own config from hand-written JSON, and says which fields the server sets. */
class JobConfigTest {
  @Test
  void eachKindReadsItsRecordWithItsOutputFolder() throws JsonProcessingException {
    JobConfig prep = JobKind.PREP.config("{\"input\": \"/in\", \"dataset\": \"/ds\"}");
    assertInstanceOf(PrepJobConfig.class, prep);
    assertEquals("/ds", prep.output());
    JobConfig train = JobKind.TRAIN.config("{\"dataset\": \"/ds\", \"labels\": \"/l.csv\", \"classes\": [\"A\", "
        + "\"B\"], \"jobId\": \"job-7\", \"output\": \"/models/job-7\"}");
    assertEquals(JobKind.TRAIN, train.kind());
    assertEquals("/models/job-7", train.output());
    JobConfig evaluate = JobKind.EVALUATE.config("{\"dataset\": \"/ds\", \"labels\": \"/l.csv\", \"models\": "
        + "[\"/m\"], \"output\": \"/e\"}");
    assertEquals("/e", evaluate.output());
    JobConfig assess = JobKind.ASSESS.config("{\"predictions\": \"/p.csv\", \"output\": \"/a\"}");
    assertEquals(JobKind.ASSESS, assess.kind());
    assertEquals("/a", assess.output());
  }

  @Test
  void aRecordsOwnRefusalComesThroughAndAnUnknownFieldIsNamed() {
    var missing = assertThrows(IllegalArgumentException.class,
        () -> JobKind.TRAIN.config("{\"labels\": \"/l.csv\", \"classes\": [\"A\", \"B\"]}"));
    assertTrue(missing.getMessage().contains("dataset is required"), missing.getMessage());
    var unknown = assertThrows(JsonProcessingException.class,
        () -> JobKind.ASSESS.config("{\"predictions\": \"/p.csv\", \"colour\": \"red\"}"));
    assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JobKind.of("segment"));
  }

  @Test
  void theServerSetsThePathsIdsAndLabelsAndNothingElse() {
    assertEquals(Set.of("input", "dataset", "secretFile", "privateDir", "progressFile"),
        JobConfig.serverFields(PrepJobConfig.class));
    assertEquals(Set.of("pngLongEdge", "tensorSide", "writeNpy", "dates", "allowBurnedIn", "voiIndex",
        "flipByLaterality", "partitions"), JobConfig.requestFields(PrepJobConfig.class));
    assertEquals(Set.of("dataset", "labels", "jobId", "output"), JobConfig.serverFields(TrainConfig.class));
    assertEquals(Set.of("dataset", "labels", "models", "jobId", "output"), JobConfig.serverFields(EvalConfig.class));
    assertEquals(Set.of("predictions", "output"), JobConfig.serverFields(AssessConfig.class));
  }

  @Test
  void aQueuePlacesEachKindThroughItsOwnFields() throws JsonProcessingException {
    JobConfig.Placement where = new JobConfig.Placement("job-7", java.nio.file.Path.of("/w/models/job-7"),
        java.nio.file.Path.of("/w/jobs/job-7/progress"), java.nio.file.Path.of("/w/labels/s.csv"),
        java.nio.file.Path.of("/w/jobs/job-7/predictions.csv"));
    TrainConfig train = (TrainConfig) JobKind.TRAIN.config("{\"dataset\": \"/ds\", \"labels\": \"/old.csv\", "
        + "\"classes\": [\"A\", \"B\"], \"maxEpochs\": 3}").placedAt(where);
    assertEquals("job-7", train.jobId());
    assertEquals("/w/models/job-7", train.output());
    assertEquals("/w/labels/s.csv", train.labels());
    assertEquals("/ds", train.dataset());
    assertEquals(3, train.maxEpochs(), "the request's own fields are kept");
    PrepJobConfig prep = (PrepJobConfig) JobKind.PREP.config("{\"input\": \"/in\", \"dataset\": \"/ds\"}")
        .placedAt(where);
    assertEquals("/w/jobs/job-7/progress", prep.progressFile());
    assertEquals("/ds", prep.output(), "a prep job writes the dataset it was given");
    AssessConfig assess = (AssessConfig) JobKind.ASSESS.config("{\"predictions\": \"x.csv\", \"output\": \"/o\"}")
        .placedAt(where);
    assertEquals("/w/jobs/job-7/predictions.csv", assess.predictions());
    assertEquals("/w/models/job-7", assess.output());
    EvalConfig eval = (EvalConfig) JobKind.EVALUATE.config("{\"dataset\": \"/ds\", \"labels\": \"/l.csv\", "
        + "\"models\": [\"/m\"]}").placedAt(new JobConfig.Placement("e-1", null, null, null, null));
    assertEquals("e-1", eval.jobId());
    assertEquals("/l.csv", eval.labels(), "a placement without labels keeps the config's");
  }
}
