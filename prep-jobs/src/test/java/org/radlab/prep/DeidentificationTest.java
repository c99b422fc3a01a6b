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
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.deid.DatePolicy;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;

/**
 * No original identifier may reach anything an annotator or a challenge participant can see: images.parquet,
 * tensors, png/, npy/ and summary.json. The identifiers are read from the input files with dcmtk's dcmdump, a
 * parser independent of RadLab's.
 */
class DeidentificationTest {
  /** OtherPatientIDs (0010,1000), retired from the standard but still written by modalities; by tag, for dcmdump. */
  private static final String OTHER_PATIENT_IDS = "0010,1000";
  /** Every identifying attribute synth writes (see MammogramDicom); a test below fails if one is missing. */
  static final String[] IDENTIFYING = {"PatientID", "PatientName", "PatientBirthDate", OTHER_PATIENT_IDS,
      "IssuerOfPatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "AccessionNumber", "StudyID",
      "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName", "ReferringPhysicianName",
      "PerformingPhysicianName", "OperatorsName", "StationName", "DeviceSerialNumber", "StudyDate", "StudyTime",
      "SeriesTime", "ContentTime"};
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path input;
  static Set<String> identifiers = new LinkedHashSet<>();

  @BeforeAll
  static void prepare() throws Exception {
    spark = TestTools.spark();
    input = TestTools.synth(tmp.resolve("in"), 4, 5);
    Set<String> written = new LinkedHashSet<>();
    for (Path f : DicomTools.dicomFiles(input)) {
      for (String keyword : IDENTIFYING) {
        String v = DicomTools.dcmdumpValue(f, keyword);
        if (v != null && v.length() >= 4) {
          identifiers.add(v);
          written.add(keyword);
        }
      }
    }
    assertEquals(List.of(IDENTIFYING), List.copyOf(written), "synth writes every identifying attribute");
    assertTrue(identifiers.size() > 40, "the synthetic files carry identifiers to remove: " + identifiers);
  }

  /**
   * Where {@code text} holds one of the identifiers. A value of digits only (a date, a time) counts where no
   * letter or digit is next to it, so it is not found by chance inside a pseudonymous UID or a hex id.
   */
  static List<String> found(String text, Set<String> identifiers) {
    List<String> out = new ArrayList<>();
    for (String id : identifiers) {
      if (id.chars().allMatch(Character::isDigit)) {
        if (java.util.regex.Pattern.compile("(?<![0-9A-Za-z])" + id + "(?![0-9A-Za-z])").matcher(text).find()) {
          out.add(id);
        }
      } else if (text.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  @Test
  void noOriginalIdentifierReachesAnnotatorOutputs() throws Exception {
    Path dataset = tmp.resolve("ds");
    PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withNpy(true)
        .withSecretFile(tmp.resolve("secret").toString()));

    List<String> leaks = new ArrayList<>();
    // Every public table; the private folder (id map, sources, rejects with their source paths) is for admins.
    for (String table : List.of("images.parquet", "tensors")) {
      var df = spark.read().parquet(dataset.resolve(table).toString());
      for (Row row : df.collectAsList()) {
        for (StructField field : df.schema().fields()) {
          Object v = row.getAs(field.name());
          if (v instanceof String s) {
            found(s, identifiers).forEach(id -> leaks.add(table + "." + field.name() + ": " + id));
          }
        }
      }
    }
    // Every file outside the private folder, byte for byte: images.csv, summary.json, PNGs (text chunks
    // included), .npy headers, and the Parquet files' footers and key-value metadata.
    List<Path> files = DicomTools.files(dataset, "").stream()
        .filter(f -> !dataset.relativize(f).startsWith("private")).toList();
    assertTrue(files.contains(dataset.resolve("images.csv")) && files.contains(dataset.resolve("summary.json")));
    assertTrue(files.size() > 30);
    assertTrue(Files.isDirectory(dataset.resolve("private/rejects.parquet")), "rejects are private");
    assertFalse(Files.exists(dataset.resolve("rejects.parquet")), "rejects name source paths: not public");
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      found(bytes, identifiers).forEach(id -> leaks.add(dataset.relativize(f) + ": " + id));
      if (f.toString().endsWith(".png")) {
        for (String chunk : List.of("tEXt", "iTXt", "zTXt", "eXIf")) {
          assertFalse(bytes.contains(chunk), f + " carries a " + chunk + " chunk");
        }
      }
      found(dataset.relativize(f).toString(), identifiers).forEach(id -> leaks.add("file name " + f));
    }
    assertEquals(List.of(), leaks);

    // The private id map, for admins, does hold them: the test would see a leak if the tables were swapped.
    String map = spark.read().parquet(dataset.resolve("private/id-map.parquet").toString())
        .collectAsList().toString();
    String firstStudy = DicomTools.dcmdumpValue(DicomTools.dicomFiles(input).get(0), "StudyInstanceUID");
    assertTrue(map.contains(firstStudy));
  }

  /**
   * BurnedInAnnotation YES is refused; absent, it is unknown: refused for modalities that often burn text into the
   * pixels (ultrasound, secondary capture, ...), accepted for mammography; --allow-burned-in accepts all. The
   * variants are made with dcmtk's dcmodify from one synthetic mammogram.
   */
  @Test
  void burnedInAnnotationMissingOrYes() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("burned-in"));
    Path original = DicomTools.dicomFiles(input).get(0);
    java.util.Map<String, String[]> variants = new java.util.LinkedHashMap<>();
    variants.put("mg-yes.dcm", new String[] {"-m", "(0028,0301)=YES"});
    variants.put("mg-missing.dcm", new String[] {"-ea", "(0028,0301)"});
    variants.put("us-missing.dcm", new String[] {"-ea", "(0028,0301)", "-m", "(0008,0060)=US"});
    variants.put("ot-missing.dcm", new String[] {"-ea", "(0028,0301)", "-m", "(0008,0060)=OT"});
    variants.put("us-no.dcm", new String[] {"-m", "(0008,0060)=US"});
    int n = 0;
    for (var v : variants.entrySet()) {
      Path f = dir.resolve(v.getKey());
      Files.copy(original, f);
      List<String> cmd = new ArrayList<>(List.of("dcmodify", "-nb", "-gin"));
      cmd.addAll(List.of(v.getValue()));
      // a new SOP instance UID each, so the five files are five images
      cmd.addAll(List.of("-m", "(0008,0018)=1.2.826.0.1.3680043.10.1234." + (++n), f.toString()));
      DicomTools.output(cmd.toArray(String[]::new));
    }
    assertNull(DicomTools.dcmdumpValue(dir.resolve("us-missing.dcm"), "BurnedInAnnotation"));
    assertEquals("US", DicomTools.dcmdumpValue(dir.resolve("us-missing.dcm"), "Modality"));

    java.util.Map<String, String> expected = java.util.Map.of("mg-yes.dcm", "burned_in_annotation",
        "us-missing.dcm", "burned_in_unknown", "ot-missing.dcm", "burned_in_unknown");
    assertEquals(expected, rejects(dir, false));
    assertEquals(java.util.Map.of(), rejects(dir, true), "--allow-burned-in converts all five");
  }

  private java.util.Map<String, String> rejects(Path input, boolean allow) throws Exception {
    Path dataset = tmp.resolve("ds-burned-in-" + allow);
    Path json = tmp.resolve("burned-in-" + allow + ".json");
    new com.fasterxml.jackson.databind.ObjectMapper().writeValue(json.toFile(), java.util.Map.of("input",
        input.toString(), "dataset", dataset.toString(), "secretFile", tmp.resolve("secret").toString(),
        "allowBurnedIn", allow));
    DatasetSummary summary = PrepJob.run(spark, PrepJobConfig.read(json));
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (Row r : spark.read().parquet(dataset.resolve("private/rejects.parquet").toString()).collectAsList()) {
      out.put(Path.of(java.net.URI.create(r.getString(0))).getFileName().toString(), r.getString(1));
    }
    assertEquals(5 - out.size(), summary.images());
    return out;
  }

  @Test
  void datePolicies() throws Exception {
    Path file = DicomTools.dicomFiles(input).get(0);
    String original = DicomTools.dcmdumpValue(file, "StudyDate");
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
