package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;

class LabelImportTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path input;
  static Path dataset;

  @BeforeAll
  static void prepare() throws Exception {
    spark = TestTools.spark();
    input = TestTools.synth(tmp.resolve("in"), 5, 3);
    dataset = tmp.resolve("ds");
    PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(128, 32)
        .withSecretFile(tmp.resolve("secret").toString()));
  }

  @Test
  void labelsFollowTheirStudiesAndUnusableRowsAreReported() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(input.resolve("labels.csv")));
    String header = lines.get(0);
    List<String> columns = List.of(header.split(","));
    int studyCol = columns.indexOf("StudyInstanceUID");
    int densityCol = columns.indexOf("density");
    assertTrue(studyCol >= 0 && densityCol >= 0, header);
    Map<String, String> expected = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      expected.put(f[studyCol], f[densityCol]);
    }
    assertEquals(5, expected.size());
    String[] blank = new String[columns.size()];
    java.util.Arrays.fill(blank, "");
    String[] unknownStudy = blank.clone();
    unknownStudy[studyCol] = "1.2.3.999";
    unknownStudy[densityCol] = "B";
    String[] unknownClass = blank.clone();
    unknownClass[studyCol] = lines.get(1).split(",")[studyCol];
    unknownClass[densityCol] = "E";
    lines.add(String.join(",", unknownStudy));
    lines.add(String.join(",", unknownClass));
    Path csv = tmp.resolve("labels-plus.csv");
    Files.write(csv, lines);

    var request = new LabelImport.Request(dataset.toString(), null, csv, "StudyInstanceUID", "density",
        List.of("A", "B", "C", "D"), tmp.resolve("labels"), null);
    LabelImport.Report report = LabelImport.run(spark, request);
    assertEquals(7, report.rowsRead());
    assertEquals(5, report.imported());
    assertEquals(List.of("1.2.3.999"), report.unknownStudies());
    assertEquals(Map.of("E", 1), report.unknownClasses());
    assertFalse(report.alreadyExisted());
    assertFalse(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
        report.snapshot())).contains("w"), "snapshots are read-only");

    // Each snapshot row: its pseudonymous study's images came from files whose StudyInstanceUID (per dcmdump)
    // carries exactly the label the CSV gave that original study.
    List<String> snapshot = Files.readAllLines(report.snapshot());
    assertEquals("study_uid,label", snapshot.get(0));
    assertEquals(6, snapshot.size());
    var idMap = spark.read().parquet(dataset.resolve("private/id-map.parquet").toString());
    for (String row : snapshot.subList(1, snapshot.size())) {
      String[] f = row.split(",");
      assertFalse(expected.containsKey(f[0]), "snapshot must hold pseudonymous ids only");
      Row source = idMap.filter(idMap.col("study_uid").equalTo(f[0])).select("source_path").first();
      Path file = Path.of(java.net.URI.create(source.getString(0)));
      String originalStudy = DicomTools.dcmdumpValue(file, "StudyInstanceUID");
      assertEquals(expected.get(originalStudy), f[1], "label of " + file);
    }

    LabelImport.Report again = LabelImport.run(spark, request);
    assertTrue(again.alreadyExisted());
    assertEquals(report.snapshot(), again.snapshot());

    Path other = tmp.resolve("labels/taken.csv");
    Files.createDirectories(other.getParent());
    Files.writeString(other, "something else\n");
    var clash = new LabelImport.Request(dataset.toString(), null, csv, "StudyInstanceUID", "density",
        List.of("A", "B", "C", "D"), tmp.resolve("labels"), other);
    var e = assertThrows(java.io.IOException.class, () -> LabelImport.run(spark, clash));
    assertTrue(e.getMessage().contains("immutable"), e.getMessage());
  }

  @Test
  void aMissingColumnIsNamed() {
    var request = new LabelImport.Request(dataset.toString(), null, input.resolve("labels.csv"), "StudyUID",
        "density", List.of(), tmp.resolve("labels2"), null);
    var e = assertThrows(IllegalArgumentException.class, () -> LabelImport.run(spark, request));
    assertTrue(e.getMessage().contains("'StudyUID'"), e.getMessage());
  }
}
