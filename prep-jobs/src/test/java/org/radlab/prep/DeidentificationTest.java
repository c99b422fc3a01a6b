package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.deid.DatePolicy;
import org.radlab.core.jobs.PrepJobConfig;

/**
 * No original identifier may reach anything an annotator or a challenge participant can see: images.parquet,
 * tensors, png/, npy/ and summary.json. The identifiers are read from the input files with dcmtk's dcmdump, a
 * parser independent of RadLab's.
 */
class DeidentificationTest {
  private static final String[] IDENTIFYING = {"PatientID", "PatientName", "PatientBirthDate", "StudyInstanceUID",
      "SeriesInstanceUID", "SOPInstanceUID", "AccessionNumber", "StudyID", "InstitutionName",
      "ReferringPhysicianName", "StudyDate"};
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path input;
  static Set<String> identifiers = new LinkedHashSet<>();

  @BeforeAll
  static void prepare() throws Exception {
    spark = TestTools.spark();
    input = TestTools.synth(tmp.resolve("in"), 4, 5);
    for (Path f : TestTools.dicomFiles(input)) {
      for (String keyword : IDENTIFYING) {
        String v = TestTools.dcmdumpValue(f, keyword);
        if (v != null && v.length() >= 4) {
          identifiers.add(v);
        }
      }
    }
    assertTrue(identifiers.size() > 20, "the synthetic files carry identifiers to remove: " + identifiers);
  }

  @Test
  void noOriginalIdentifierReachesAnnotatorOutputs() throws Exception {
    Path dataset = tmp.resolve("ds");
    PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withNpy(true)
        .withSecretFile(tmp.resolve("secret").toString()));

    List<String> leaks = new ArrayList<>();
    for (String table : List.of("images.parquet", "tensors")) {
      var df = spark.read().parquet(dataset.resolve(table).toString());
      for (Row row : df.collectAsList()) {
        for (StructField field : df.schema().fields()) {
          Object v = row.getAs(field.name());
          if (v instanceof String s) {
            identifiers.stream().filter(s::contains).forEach(id -> leaks.add(table + "." + field.name() + ": " + id));
          }
        }
      }
    }
    List<Path> files = new ArrayList<>();
    files.addAll(TestTools.files(dataset.resolve("png"), ".png"));
    files.addAll(TestTools.files(dataset.resolve("npy"), ".npy"));
    files.add(dataset.resolve("summary.json"));
    files.addAll(TestTools.files(dataset.resolve("images.parquet"), ".parquet"));
    files.addAll(TestTools.files(dataset.resolve("tensors"), ".parquet"));
    assertTrue(files.size() > 30);
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      identifiers.stream().filter(bytes::contains).forEach(id -> leaks.add(dataset.relativize(f) + ": " + id));
      if (f.toString().endsWith(".png")) {
        for (String chunk : List.of("tEXt", "iTXt", "zTXt", "eXIf")) {
          assertFalse(bytes.contains(chunk), f + " carries a " + chunk + " chunk");
        }
      }
      identifiers.stream().filter(id -> f.toString().contains(id)).forEach(id -> leaks.add("file name " + f));
    }
    assertEquals(List.of(), leaks);

    // The private id map, for admins, does hold them: the test would see a leak if the tables were swapped.
    String map = spark.read().parquet(dataset.resolve("private/id-map.parquet").toString())
        .collectAsList().toString();
    String firstStudy = TestTools.dcmdumpValue(TestTools.dicomFiles(input).get(0), "StudyInstanceUID");
    assertTrue(map.contains(firstStudy));
  }

  @Test
  void datePolicies() throws Exception {
    Path file = TestTools.dicomFiles(input).get(0);
    String original = TestTools.dcmdumpValue(file, "StudyDate");
    assertNotNull(original);
    for (DatePolicy policy : DatePolicy.values()) {
      Path dataset = tmp.resolve("ds-dates-" + policy);
      PrepJob.run(spark, PrepJobConfig.of(file.toString(), dataset.toString()).withDates(policy)
          .withSecretFile(tmp.resolve("secret").toString()));
      Object date = spark.read().parquet(dataset.resolve("images.parquet").toString()).first().getAs("study_date");
      switch (policy) {
        case REMOVE -> assertNull(date);
        case KEEP -> assertEquals(original, date);
        case SHIFT -> {
          var f = java.time.format.DateTimeFormatter.BASIC_ISO_DATE;
          long days = java.time.temporal.ChronoUnit.DAYS.between(java.time.LocalDate.parse(original, f),
              java.time.LocalDate.parse((String) date, f));
          assertTrue(days <= -1 && days >= -365, "shifted by " + days + " days");
        }
      }
    }
  }
}
