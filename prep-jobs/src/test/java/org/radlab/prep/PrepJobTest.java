package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;

class PrepJobTest {
  private static final int STUDIES = 6;
  @TempDir static Path tmp;
  static Path input;
  static SparkSession spark;

  @BeforeAll
  static void synthesize() throws Exception {
    spark = TestTools.spark();
    input = TestTools.synth(tmp.resolve("in"), STUDIES, 11);
    Files.writeString(input.resolve("notes.txt"), "not a DICOM file at all\n");
    // a cut copy of a real file, under its own SOP Instance UID (so it is not a duplicate of the first)
    Path whole = tmp.resolve("whole.dcm");
    Files.copy(DicomTools.dicomFiles(input).get(0), whole);
    DicomTools.output("dcmodify", "-nb", "-i", "(0008,0018)=1.2.826.0.1.3680043.10.1394.99", whole.toString());
    byte[] real = Files.readAllBytes(whole);
    Files.write(input.resolve("truncated.dcm"), java.util.Arrays.copyOf(real, real.length / 3));
  }

  private static PrepJobConfig config(Path in, Path dataset) {
    return PrepJobConfig.of(in.toString(), dataset.toString()).withSizes(200, 64)
        .withSecretFile(tmp.resolve("secret").toString()).withNpy(true);
  }

  @Test
  void convertsEveryImageAndRejectsTheBrokenFilesWithReasons() throws Exception {
    Path dataset = tmp.resolve("ds-basic");
    DatasetSummary summary = PrepJob.run(spark, config(input, dataset));
    int dicomImages = DicomTools.dicomFiles(input).size() - 1; // minus truncated.dcm
    assertEquals(4 * STUDIES, dicomImages, "synth writes four views per study");

    Dataset<Row> images = spark.read().parquet(dataset.resolve("images.parquet").toString());
    assertEquals(dicomImages, images.count());
    assertEquals(dicomImages, summary.images());
    assertEquals(dicomImages, summary.convertedFiles());

    Map<String, String> rejects = spark.read().parquet(dataset.resolve("private/rejects.parquet").toString())
        .collectAsList().stream().collect(Collectors.toMap(r -> Path.of(java.net.URI.create(r.getString(0)))
            .getFileName().toString(), r -> r.getString(1)));
    // synth's labels.csv sits beside the images: it is not DICOM either, and is accounted for like any other file.
    assertEquals(Set.of("notes.txt", "truncated.dcm", "labels.csv"), rejects.keySet());
    assertEquals("not_dicom", rejects.get("notes.txt"));
    assertEquals("not_dicom", rejects.get("labels.csv"));
    assertEquals("size_mismatch", rejects.get("truncated.dcm"));
    assertEquals(3, summary.rejected());
    assertEquals(1, summary.skippedHidden(), "synth's .radlab-synth marker is skipped, not rejected");
    // The summary's tensor statistics agree with the tensors actually written.
    double sum = 0;
    double squares = 0;
    long n = 0;
    for (Row r : spark.read().parquet(dataset.resolve("tensors").toString()).select("data").collectAsList()) {
      var floats = java.nio.ByteBuffer.wrap((byte[]) r.get(0)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      while (floats.hasRemaining()) {
        double v = floats.get();
        sum += v;
        squares += v * v;
        n++;
      }
    }
    assertEquals(dicomImages * 64L * 64L, n);
    assertEquals(sum / n, summary.tensorMean(), 1e-6);
    assertEquals(Math.sqrt(squares / n - (sum / n) * (sum / n)), summary.tensorStd(), 1e-6);
    assertEquals(3L, summary.rejectReasons().values().stream().mapToLong(Long::longValue).sum());

    // Every PNG exists, is 8-bit grey, fits the long edge, and its size is recorded.
    for (Row r : images.select("png_path", "png_width", "png_height", "modality", "npy_path").collectAsList()) {
      BufferedImage png = ImageIO.read(dataset.resolve(r.getString(0)).toFile());
      assertEquals(BufferedImage.TYPE_BYTE_GRAY, png.getType());
      assertEquals(r.getInt(1), png.getWidth());
      assertEquals(r.getInt(2), png.getHeight());
      assertTrue(Math.max(png.getWidth(), png.getHeight()) <= 200);
      assertEquals("MG", r.getString(3));
      byte[] npy = Files.readAllBytes(dataset.resolve(r.getString(4)));
      assertEquals(128 + 64 * 64 * 4, npy.length, "npy header 128 bytes + 64x64 float32");
      assertEquals("\u0093NUMPY", new String(npy, 0, 6, StandardCharsets.ISO_8859_1));
    }

    // Tensors: one per image, square, float32 little endian in [0,1], not all equal, and the same values as the
    // image's .npy file (whose layout NumPy's format defines).
    Dataset<Row> tensors = spark.read().parquet(dataset.resolve("tensors").toString());
    assertEquals(dicomImages, tensors.count());
    Row t = tensors.first();
    assertEquals(64, t.getInt(t.fieldIndex("side")));
    assertEquals("float32", t.getString(t.fieldIndex("dtype")));
    byte[] raw = (byte[]) t.get(t.fieldIndex("data"));
    assertEquals(64 * 64 * 4, raw.length);
    float[] data = new float[64 * 64];
    java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
    Set<Float> levels = new HashSet<>();
    for (float v : data) {
      assertTrue(v >= 0f && v <= 1f, "value " + v);
      levels.add(v);
    }
    assertTrue(levels.size() > 10, "a rendered mammogram has many grey levels");
    String npyPath = images.filter(images.col("image_id").equalTo(t.getString(t.fieldIndex("image_id"))))
        .first().getAs("npy_path");
    byte[] npy = Files.readAllBytes(dataset.resolve(npyPath));
    assertArrayEquals(raw, java.util.Arrays.copyOfRange(npy, npy.length - raw.length, npy.length));

    JsonNode json = new ObjectMapper().readTree(dataset.resolve("summary.json").toFile());
    assertEquals(dicomImages, json.get("converted").asInt());
    assertEquals(3, json.get("rejected").asInt());
    assertTrue(json.get("lastRun").get("elapsedSeconds").asDouble() > 0);
    assertTrue(json.get("transferSyntaxes").size() >= 2, "synth writes a mix of transfer syntaxes");
  }

  @Test
  void reRunConvertsOnlyNewFilesAndDuplicatesAreRejected() throws Exception {
    Path grown = tmp.resolve("grown");
    TestTools.synth(grown.resolve("a"), 3, 21);
    Path dataset = tmp.resolve("ds-grow");
    DatasetSummary first = PrepJob.run(spark, config(grown, dataset));
    assertEquals(12, first.images());

    DatasetSummary unchanged = PrepJob.run(spark, config(grown, dataset));
    assertEquals(0, unchanged.lastRun().filesProcessed());
    assertEquals(12, unchanged.images());

    TestTools.synth(grown.resolve("b"), 2, 22);
    Path copy = grown.resolve("copy-of-first.dcm");
    Files.copy(DicomTools.dicomFiles(grown.resolve("a")).get(0), copy);
    DatasetSummary second = PrepJob.run(spark, config(grown, dataset));
    assertEquals(10, second.lastRun().filesProcessed(), "8 new images, b/labels.csv and one copy");
    assertEquals(20, second.images());
    assertEquals(1L, second.rejectReasons().get("duplicate_instance"));
    Set<Integer> runs = spark.read().parquet(dataset.resolve("images.parquet").toString()).select("run")
        .distinct().collectAsList().stream().map(r -> r.getInt(0)).collect(Collectors.toSet());
    assertEquals(Set.of(1, 3), runs, "run 2 converted nothing");

    // images.csv lists the images of every run, one line each, readable without Spark.
    List<String> catalog = Files.readAllLines(dataset.resolve("images.csv"));
    List<String> header = org.radlab.core.dataset.Csv.fields(catalog.get(0));
    assertEquals("image_id", header.get(0));
    assertEquals(21, catalog.size(), "header plus 20 images");
    int pngColumn = header.indexOf("png_path");
    int studyColumn = header.indexOf("study_uid");
    Set<String> studies = new java.util.HashSet<>();
    for (String line : catalog.subList(1, catalog.size())) {
      List<String> f = org.radlab.core.dataset.Csv.fields(line);
      assertEquals(header.size(), f.size(), line);
      assertTrue(Files.isRegularFile(dataset.resolve(f.get(pngColumn))), "PNG exists: " + f.get(pngColumn));
      studies.add(f.get(studyColumn));
    }
    assertEquals(5, studies.size(), "3 + 2 synthetic studies");
    // sorted by study, then image id
    List<String> keys = catalog.subList(1, catalog.size()).stream().map(org.radlab.core.dataset.Csv::fields)
        .map(f -> f.get(studyColumn) + " " + f.get(0)).toList();
    assertEquals(keys.stream().sorted().toList(), keys);
    // the lines come from the runs' catalog parts; a dataset without them (prepared by an older version) is read
    // from its images table instead, and gives the same file
    try (var parts = Files.newDirectoryStream(dataset.resolve("private/runs"), "*.catalog.csv")) {
      int n = 0;
      for (Path part : parts) {
        Files.delete(part);
        n++;
      }
      assertEquals(3, n, "one part per run");
    }
    // (an older version also wrote no record of the runs images.csv holds, which is what makes a run rebuild it)
    Files.delete(dataset.resolve("private/runs/catalog.runs"));
    PrepJob.run(spark, config(grown, dataset));
    assertEquals(catalog, Files.readAllLines(dataset.resolve("images.csv")));

    // a run killed after its marker but before its catalog: images.csv lacks it, and the record says so, so the
    // next run rebuilds the file rather than merging into it
    Files.write(dataset.resolve("images.csv"), catalog.subList(0, 5));
    Files.deleteIfExists(dataset.resolve(".images.csv.crc"));
    Files.writeString(dataset.resolve("private/runs/catalog.runs"), "[1, 2, 3]");
    Files.deleteIfExists(dataset.resolve("private/runs/.catalog.runs.crc"));
    PrepJob.run(spark, config(grown, dataset));
    assertEquals(catalog, Files.readAllLines(dataset.resolve("images.csv")));
  }

  @Test
  void smallFilesGoManyToATask() {
    java.util.function.BiFunction<Integer, Long, List<SourceFile>> files = (n, bytes) ->
        java.util.stream.IntStream.range(0, n).mapToObj(i -> new SourceFile("f" + i, bytes, 0)).toList();
    // worked by hand: 32 MiB / 13,000 bytes = 2,581 files a task
    assertEquals(39, PrepJob.partitions(files.apply(100_000, 13_000L), 2), "ceil(100,000 / 2,581)");
    assertEquals(8, PrepJob.partitions(files.apply(1_000, 13_000L), 2), "four per core at least");
    assertEquals(16, PrepJob.partitions(files.apply(1_000, 30_000_000L), 2), "64 large files a task");
    assertEquals(3, PrepJob.partitions(files.apply(3, 13_000L), 2), "never more tasks than files");
  }

  @Test
  void sameInputGivesTheSameOutput() throws Exception {
    Path a = tmp.resolve("ds-same-a");
    Path b = tmp.resolve("ds-same-b");
    PrepJob.run(spark, config(input, a));
    PrepJob.run(spark, config(input, b).withPartitions(3));
    List<Row> rowsA = spark.read().parquet(a.resolve("images.parquet").toString()).drop("run").orderBy("image_id")
        .collectAsList();
    List<Row> rowsB = spark.read().parquet(b.resolve("images.parquet").toString()).drop("run").orderBy("image_id")
        .collectAsList();
    assertEquals(rowsA, rowsB);
    Set<String> pngA = new HashSet<>();
    for (Path p : DicomTools.files(a.resolve("png"), ".png")) {
      Path other = b.resolve(a.relativize(p));
      assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(other), "PNG " + a.relativize(p));
      pngA.add(a.relativize(p).toString());
    }
    assertEquals(rowsA.size(), pngA.size());
  }

  @Test
  void burnedInAnnotationIsRejectedUnlessAllowed() throws Exception {
    Path dir = tmp.resolve("burned");
    Files.createDirectories(dir);
    Path file = dir.resolve("burned.dcm");
    Files.copy(DicomTools.dicomFiles(input).get(1), file);
    DicomTools.output("dcmodify", "-nb", "-i", "(0028,0301)=YES", file.toString());
    assertEquals("YES", DicomTools.dcmdumpValue(file, "BurnedInAnnotation"));

    DatasetSummary refused = PrepJob.run(spark, config(dir, tmp.resolve("ds-burned-no")));
    assertEquals(0, refused.images());
    assertEquals(Map.of("burned_in_annotation", 1L), refused.rejectReasons());

    PrepJobConfig allow = config(dir, tmp.resolve("ds-burned-yes"));
    allow = new PrepJobConfig(allow.input(), allow.dataset(), allow.pngLongEdge(), allow.tensorSide(), false,
        allow.dates(), true, allow.secretFile(), 0, true, 0, null, null);
    assertEquals(1, PrepJob.run(spark, allow).images());
  }

  @Test
  void badConfigIsRefusedBeforeSparkWork() {
    var e = assertThrows(IllegalArgumentException.class, () -> PrepJobConfig.of("in", "out").withSizes(200, 2));
    assertTrue(e.getMessage().contains("tensorSide"), e.getMessage());
    var missing = assertThrows(java.io.IOException.class,
        () -> PrepJob.run(spark, config(tmp.resolve("no-such-dir"), tmp.resolve("ds-none"))));
    assertTrue(missing.getMessage().contains("does not exist"));
  }
}
