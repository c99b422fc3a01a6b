package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.jobs.PrepJobConfig;

/**
 * The prep job over every file of Debian's python3-pydicom test data (written by others, many deliberately
 * broken): the job completes, and each file is converted or rejected with a reason; none is lost.
 */
class PydicomConformanceTest {
  static final Path PYDICOM_DATA = Path.of("/usr/lib/python3/dist-packages/pydicom/data");

  @TempDir Path tmp;

  @Test
  void everyFileIsConvertedOrRejectedWithAReason() throws Exception {
    assertTrue(Files.isDirectory(PYDICOM_DATA), "bin/bootstrap installs python3-pydicom");
    SparkSession spark = TestTools.spark();
    Path dataset = tmp.resolve("ds");
    // Decoding is what this test is about: none of pydicom's files says BurnedInAnnotation, and its secondary
    // captures ("OT") would be refused as unknown (see BurnedInText), so they are allowed here.
    Path json = tmp.resolve("prep.json");
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(json.toFile(), java.util.Map.of("input",
        PYDICOM_DATA.toString(), "dataset", dataset.toString(), "pngLongEdge", 128, "tensorSide", 32,
        "allowBurnedIn", true, "secretFile", tmp.resolve("secret").toString()));
    DatasetSummary summary = PrepJob.run(spark, PrepJobConfig.read(json));

    Set<String> listed;
    try (var walk = Files.walk(PYDICOM_DATA)) {
      listed = walk.filter(Files::isRegularFile)
          .filter(p -> !hiddenUnder(PYDICOM_DATA, p))
          .map(p -> p.toAbsolutePath().toString()).collect(Collectors.toSet());
    }
    Set<String> converted = spark.read().parquet(dataset.resolve("private/id-map.parquet").toString())
        .select("source_path").distinct().collectAsList().stream().map(r -> local(r.getString(0)))
        .collect(Collectors.toSet());
    List<Row> rejects = spark.read().parquet(dataset.resolve("private/rejects.parquet").toString()).collectAsList();
    Set<String> rejected = new HashSet<>();
    for (Row r : rejects) {
      rejected.add(local(r.getString(0)));
      assertNotNull(r.getString(1), "reject without reason: " + r);
      assertFalse(r.getString(2) == null || r.getString(2).isBlank(), "reject without detail: " + r);
    }
    Set<String> both = new HashSet<>(converted);
    both.retainAll(rejected);
    assertEquals(Set.of(), both, "a file is either converted or rejected");
    Set<String> accounted = new HashSet<>(converted);
    accounted.addAll(rejected);
    assertEquals(listed, accounted, "every input file is accounted for");
    assertEquals(rejected.size(), summary.rejected());
    System.out.printf("pydicom data: %d files, %d converted (%d images), %d rejected %s%n", listed.size(),
        converted.size(), summary.images(), rejected.size(), summary.rejectReasons());
    assertTrue(converted.size() >= 65, "only " + converted.size() + " files converted");
    assertTrue(summary.rejectReasons().containsKey("not_dicom"), "the data holds non-DICOM files");
  }

  private static boolean hiddenUnder(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      String n = part.toString();
      if (n.startsWith(".") || n.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static String local(String hadoopPath) {
    return Path.of(java.net.URI.create(hadoopPath)).toString();
  }
}
