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
}
