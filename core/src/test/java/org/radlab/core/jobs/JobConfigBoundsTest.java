package org.radlab.core.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every numeric field of every job config, at hand-picked values: the smallest and largest allowed, one past each
 * end, negative, NaN and infinity. A value outside the range is refused when the config file is read, and the error
 * names the field, the value and the range (the ranges below are the documented ones, typed in by hand).
 */
class JobConfigBoundsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}.{1} = {2}")
  @CsvSource(delimiter = '|', textBlock = """
      train   | inputSize          | 16          |
      train   | inputSize          | 1024        |
      train   | inputSize          | 15          | between 16 and 1024, got 15
      train   | inputSize          | 1025        | between 16 and 1024, got 1025
      train   | inputSize          | -5          | between 16 and 1024, got -5
      train   | trainingStudies    | 0           |
      train   | trainingStudies    | 10000000    |
      train   | trainingStudies    | -1          | between 0 and 10000000, got -1
      train   | trainingStudies    | 10000001    | between 0 and 10000000, got 10000001
      train   | width              | 1           |
      train   | width              | 0.01        |
      train   | width              | 0           | in (0, 1], got 0.0
      train   | width              | 1.0001      | in (0, 1], got 1.0001
      train   | width              | "NaN"       | in (0, 1], got NaN
      train   | maxRotation        | 0           |
      train   | maxRotation        | 180         |
      train   | maxRotation        | -0.5        | in [0, 180], got -0.5
      train   | maxRotation        | 180.5       | in [0, 180], got 180.5
      train   | maxRotation        | "NaN"       | in [0, 180], got NaN
      train   | focalAlpha         | 0           |
      train   | focalAlpha         | 1           |
      train   | focalAlpha         | 1.5         | in [0, 1], got 1.5
      train   | focalAlpha         | "NaN"       | in [0, 1], got NaN
      train   | focalGamma         | 0           |
      train   | focalGamma         | 10          |
      train   | focalGamma         | -1          | in [0, 10], got -1.0
      train   | focalGamma         | 10.5        | in [0, 10], got 10.5
      train   | focalGamma         | "Infinity"  | in [0, 10], got Infinity
      train   | patience           | 1           |
      train   | patience           | 1000        |
      train   | patience           | 0           | between 1 and 1000, got 0
      train   | patience           | 1001        | between 1 and 1000, got 1001
      train   | patience           | -5          | between 1 and 1000, got -5
      train   | maxEpochs          | 1           |
      train   | maxEpochs          | 10000       |
      train   | maxEpochs          | 0           | between 1 and 10000, got 0
      train   | maxEpochs          | 10001       | between 1 and 10000, got 10001
      train   | maxEpochs          | 2147483647  | between 1 and 10000, got 2147483647
      train   | batchSize          | 1           |
      train   | batchSize          | 4096        |
      train   | batchSize          | 0           | between 1 and 4096, got 0
      train   | batchSize          | 4097        | between 1 and 4096, got 4097
      train   | batchSize          | -5          | between 1 and 4096, got -5
      train   | learningRate       | 1e-9        |
      train   | learningRate       | 9.99        |
      train   | learningRate       | 0           | in (0, 10), got 0.0
      train   | learningRate       | 10          | in (0, 10), got 10.0
      train   | learningRate       | -0.001      | in (0, 10), got -0.001
      train   | learningRate       | "NaN"       | in (0, 10), got NaN
      train   | learningRate       | "Infinity"  | in (0, 10), got Infinity
      train   | validationFraction | 0.01        |
      train   | validationFraction | 0.99        |
      train   | validationFraction | 0           | in (0, 1), got 0.0
      train   | validationFraction | 1           | in (0, 1), got 1.0
      train   | validationFraction | "NaN"       | in (0, 1), got NaN
      train   | syncEvery          | 1           |
      train   | syncEvery          | 10000       |
      train   | syncEvery          | 0           | between 1 and 10000, got 0
      train   | syncEvery          | 10001       | between 1 and 10000, got 10001
      train   | syncEvery          | 2147483647  | between 1 and 10000, got 2147483647
      evaluate | bootstrap         | 0           |
      evaluate | bootstrap         | 20000       |
      evaluate | bootstrap         | -1          | between 0 and 20000, got -1
      evaluate | bootstrap         | -5          | between 0 and 20000, got -5
      evaluate | bootstrap         | 20001       | between 0 and 20000, got 20001
      evaluate | bootstrap         | 2147483647  | between 0 and 20000, got 2147483647
      evaluate | threshold         | 0           |
      evaluate | threshold         | 1           |
      evaluate | threshold         | -0.01       | in [0, 1], got -0.01
      evaluate | threshold         | 1.01        | in [0, 1], got 1.01
      evaluate | threshold         | "NaN"       | in [0, 1], got NaN
      assess  | bootstrap          | 0           |
      assess  | bootstrap          | 20000       |
      assess  | bootstrap          | -1          | between 0 and 20000, got -1
      assess  | bootstrap          | -5          | between 0 and 20000, got -5
      assess  | bootstrap          | 20001       | between 0 and 20000, got 20001
      assess  | bootstrap          | 2147483647  | between 0 and 20000, got 2147483647
      assess  | threshold          | 1           |
      assess  | threshold          | "NaN"       | in [0, 1], got NaN
      assess  | threshold          | -1          | in [0, 1], got -1.0
      prep    | pngLongEdge        | 16          |
      prep    | pngLongEdge        | 16384       |
      prep    | pngLongEdge        | 15          | between 16 and 16384, got 15
      prep    | pngLongEdge        | 16385       | between 16 and 16384, got 16385
      prep    | pngLongEdge        | -5          | between 16 and 16384, got -5
      prep    | tensorSide         | 8           |
      prep    | tensorSide         | 4096        |
      prep    | tensorSide         | 7           | between 8 and 4096, got 7
      prep    | tensorSide         | 4097        | between 8 and 4096, got 4097
      prep    | voiIndex           | 0           |
      prep    | voiIndex           | 1000        |
      prep    | voiIndex           | -1          | between 0 and 1000, got -1
      prep    | voiIndex           | 1001        | between 0 and 1000, got 1001
      prep    | partitions         | 0           |
      prep    | partitions         | 10000       |
      prep    | partitions         | -1          | between 0 and 10000, got -1
      prep    | partitions         | 10001       | between 0 and 10000, got 10001
      """)
  void everyNumericFieldHasARange(String kind, String field, String value, String refusal) throws IOException {
    ObjectNode config = base(kind);
    config.set(field, JSON.readTree(value));
    Path file = tmp.resolve(kind + ".json");
    JSON.writeValue(file.toFile(), config);
    if (refusal == null) {
      Object read = read(kind, file);
      assertEquals(JSON.readTree(value).asDouble(), JSON.valueToTree(read).path(field).asDouble(), field);
      return;
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(kind, file));
    assertTrue(e.getMessage().startsWith(field + " must "), e.getMessage());
    assertTrue(e.getMessage().endsWith(refusal), "'" + e.getMessage() + "' should end with '" + refusal + "'");
  }

  @ParameterizedTest(name = "{0}.{1}: {2} entries")
  @CsvSource(delimiter = '|', textBlock = """
      train    | classes | 2    |
      train    | classes | 1000 |
      train    | classes | 1    | classes must list 2 to 1000 entries, got 1
      train    | classes | 1001 | classes must list 2 to 1000 entries, got 1001
      evaluate | models  | 1    |
      evaluate | models  | 100  |
      evaluate | models  | 0    | models must list 1 to 100 entries, got 0
      evaluate | models  | 101  | models must list 1 to 100 entries, got 101
      """)
  void listsHaveASize(String kind, String field, int entries, String refusal) throws IOException {
    ObjectNode config = base(kind);
    ArrayNode list = config.putArray(field);
    for (int i = 0; i < entries; i++) {
      list.add("c" + i);
    }
    Path file = tmp.resolve(kind + ".json");
    JSON.writeValue(file.toFile(), config);
    if (refusal == null) {
      assertEquals(entries, JSON.valueToTree(read(kind, file)).path(field).size());
    } else {
      assertEquals(refusal, assertThrows(IllegalArgumentException.class, () -> read(kind, file)).getMessage());
    }
  }

  private static ObjectNode base(String kind) {
    ObjectNode c = JSON.createObjectNode();
    switch (kind) {
      case "train" -> {
        c.put("dataset", "d").put("labels", "l.csv");
        c.putArray("classes").add("A").add("B");
      }
      case "evaluate" -> {
        c.put("dataset", "d").put("labels", "l.csv");
        c.putArray("models").add("m");
      }
      case "assess" -> c.put("predictions", "p.csv");
      case "prep" -> c.put("input", "in").put("dataset", "d");
      default -> throw new IllegalArgumentException(kind);
    }
    return c;
  }

  private static Object read(String kind, Path file) throws IOException {
    return switch (kind) {
      case "train" -> TrainConfig.read(file);
      case "evaluate" -> EvalConfig.read(file);
      case "assess" -> AssessConfig.read(file);
      case "prep" -> PrepJobConfig.read(file);
      default -> throw new IllegalArgumentException(kind);
    };
  }
}
