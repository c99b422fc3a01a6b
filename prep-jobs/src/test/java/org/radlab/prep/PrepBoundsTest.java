package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.Workspace;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;
import org.radlab.prep.synth.SynthCommand;

/**
 * Files that declare more pixels than they hold go to the rejects with their reason while the job converts the good
 * files (issue 16), and hidden input (names starting with {@code .} or {@code _}) is skipped and counted, not
 * rejected. The hostile files are made by dcmtk from a real synthetic mammogram: {@code dcmcrle} compresses it,
 * {@code dcmodify} patches Rows and Columns and gives each copy its own SOP Instance UID.
 */
class PrepBoundsTest {
  private static final int STUDIES = 1;
  @TempDir static Path tmp;
  static SparkSession spark;
  /** The input sits below a folder whose name starts with "_": only names below the input count as hidden. */
  static Path input;
  static Path good;

  @BeforeAll
  static void makeInput() throws Exception {
    spark = TestTools.spark();
    input = tmp.resolve("_site").resolve("in");
    int rc = new picocli.CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies",
        String.valueOf(STUDIES), "--seed", "5", "--rows", "96", "--columns", "80", "--transfer-syntax", "explicit-le");
    assertEquals(0, rc, "synth failed");
    List<Path> synthetic = DicomTools.dicomFiles(input);
    assertEquals(4 * STUDIES, synthetic.size());
    good = synthetic.get(0);

    Path rle = input.resolve("rle-40000.dcm");
    DicomTools.output("dcmcrle", good.toString(), rle.toString());
    DicomTools.output("dcmodify", "-nb", "-m", "(0028,0010)=40000", "-m", "(0028,0011)=40000", "-i",
        "(0008,0018)=1.2.826.0.1.3680043.10.1394.16.1", rle.toString());
    assertTrue(DicomTools.output("dcmdump", "-q", "+P", "TransferSyntaxUID", rle.toString()).contains("=RLELossless"));

    Path rleInBounds = input.resolve("rle-4000.dcm");
    DicomTools.output("dcmcrle", good.toString(), rleInBounds.toString());
    DicomTools.output("dcmodify", "-nb", "-m", "(0028,0010)=4000", "-m", "(0028,0011)=4000", "-i",
        "(0008,0018)=1.2.826.0.1.3680043.10.1394.16.2", rleInBounds.toString());

    // 16-bit native pixel data: 96 x 80 x 2 bytes are there, 4000 x 4000 x 2 declared
    Path native16 = input.resolve("native-declared-larger.dcm");
    Files.copy(good, native16);
    DicomTools.output("dcmodify", "-nb", "-m", "(0028,0010)=4000", "-m", "(0028,0011)=4000", "-i",
        "(0008,0018)=1.2.826.0.1.3680043.10.1394.16.3", native16.toString());
    assertTrue(DicomTools.output("dcmdump", "-q", "+P", "BitsAllocated", native16.toString()).contains("US 16"));

    // Hidden input: a file, a folder with DICOM inside, an "_" folder; synth's own ".radlab-synth" marker is the
    // fourth. Each holds a convertible DICOM under its own UID, so converting it would show.
    hiddenCopy(input.resolve(".hidden.dcm"), "16.4");
    hiddenCopy(input.resolve(".cache").resolve("inside.dcm"), "16.5");
    hiddenCopy(input.resolve("_staging").resolve("inside.dcm"), "16.6");
    assertTrue(Files.exists(input.resolve(".radlab-synth")));
  }

  private static void hiddenCopy(Path target, String uidSuffix) throws Exception {
    Files.createDirectories(target.getParent());
    Files.copy(good, target);
    DicomTools.output("dcmodify", "-nb", "-i", "(0008,0018)=1.2.826.0.1.3680043.10.1394." + uidSuffix,
        target.toString());
  }

  private static PrepJobConfig config(Path dataset) {
    return PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(64, 32)
        .withSecretFile(tmp.resolve("secret").toString());
  }

  private static Map<String, Row> rejects(Path dataset) {
    return spark.read().parquet(dataset.resolve("private/rejects.parquet").toString()).collectAsList().stream()
        .collect(Collectors.toMap(r -> Path.of(java.net.URI.create(r.getString(0))).getFileName().toString(),
            r -> r));
  }

  @Test
  void hostileHeadersAreRejectedWithTheirReasonAndTheGoodFilesConverted() throws Exception {
    Path dataset = tmp.resolve("ds");
    DatasetSummary summary = PrepJob.run(spark, config(dataset));

    assertEquals(4 * STUDIES, summary.convertedFiles(), "every synthetic view converts");
    Map<String, Row> rejects = rejects(dataset);
    assertEquals(Map.of("rle-40000.dcm", "too_large", "rle-4000.dcm", "size_mismatch",
        "native-declared-larger.dcm", "size_mismatch", "labels.csv", "not_dicom"),
        rejects.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getString(1))));
    assertEquals("40000 x 40000 pixels exceeds the limit of 8192 x 8192 pixels (columns x rows)",
        rejects.get("rle-40000.dcm").getString(2));
    assertTrue(rejects.get("rle-4000.dcm").getString(2).contains("too few to decode to the 16000000 bytes"),
        rejects.get("rle-4000.dcm").getString(2));
    assertTrue(rejects.get("native-declared-larger.dcm").getString(2).contains("holds 15360 bytes but "
        + "4000x4000x1 samples x 1 frames at 16 bits need 32000000"), rejects.get("native-declared-larger.dcm")
        .getString(2));

    assertEquals(4, summary.rejected());
    assertEquals(Map.of("too_large", 1L, "size_mismatch", 2L, "not_dicom", 1L), summary.rejectReasons());
    assertEquals(4, summary.skippedHidden(), ".radlab-synth, .hidden.dcm, .cache/ and _staging/");
    assertEquals(8, summary.lastRun().filesListed(), "4 views, 3 hostile files and labels.csv");
    JsonNode json = new ObjectMapper().readTree(dataset.resolve("summary.json").toFile());
    assertEquals(4, json.path("skippedHidden").asInt(), json.toString());
    assertEquals(1, json.path("rejectReasons").path("too_large").asInt(), json.toString());

    assertEquals(4, spark.read().parquet(dataset.resolve("images.parquet").toString()).count());
    // every file the run looked at, converted or rejected, is in the private sources table
    List<String> sources = spark.read().parquet(dataset.resolve("private").resolve("sources.parquet").toString())
        .collectAsList().stream().map(r -> r.getAs("source_path").toString()).toList();
    assertEquals(8, sources.size(), sources.toString());
    for (String s : sources) {
      assertFalse(s.contains("/.") || s.contains("/_staging"), "a hidden file was converted: " + s);
    }
  }

  @Test
  void aSiteBoundsFileInTheWorkspaceReachesTheExecutors() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home);
    // the synthetic views are 96 rows high
    Files.writeString(home.resolve("image-limits.json"), "{\"maxRows\": 90}");
    String before = System.getProperty(Workspace.PROPERTY);
    System.setProperty(Workspace.PROPERTY, home.toString());
    DatasetSummary summary;
    try {
      summary = PrepJob.run(spark, config(tmp.resolve("ds-site")));
    } finally {
      if (before == null) {
        System.clearProperty(Workspace.PROPERTY);
      } else {
        System.setProperty(Workspace.PROPERTY, before);
      }
    }
    assertEquals(0, summary.convertedFiles());
    assertEquals(Map.of("too_large", 7L, "not_dicom", 1L), summary.rejectReasons(),
        "the four views are 96 rows high, the three hostile copies declare 4000 or 40000");
    assertEquals("80 x 96 pixels exceeds the limit of 8192 x 90 pixels (columns x rows)",
        rejects(tmp.resolve("ds-site")).get(good.getFileName().toString()).getString(2));
  }
}
