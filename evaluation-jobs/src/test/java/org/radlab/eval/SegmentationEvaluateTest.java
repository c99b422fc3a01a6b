package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.DerivedUid;
import org.radlab.core.dicom.SegmentationReader;
import org.radlab.core.jobs.EvalConfig;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.testing.DicomTools;
import org.radlab.prep.MaskLabelImport;
import org.radlab.prep.PrepJob;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.spark.SparkSessions;
import org.radlab.train.TrainJob;
import picocli.CommandLine;

/**
 * A U-Net trained by the training job on synthetic CT, evaluated by the evaluation job: its masks come back in the
 * PNG's pixels, each series' reference volume is the one synth counted, and the predicted volumes, the Dice of each
 * series and the Bland-Altman bias are those counted here from the two mask snapshots and synth's spacing; its
 * DICOM SEG export (one per series) is read by dcmdump and by SegmentationReader back into its predicted masks.
 */
class SegmentationEvaluateTest {
  static final List<String> CLASSES = List.of("liver", "lesion");
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path ct;
  static Path dataset;
  static Path labels;
  static Path model;

  @BeforeAll
  static void trainASegmenter() throws Exception {
    spark = SparkSessions.start("radlab-eval-segmentation-test", "local[2]");
    ct = tmp.resolve("ct");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", ct.toString(),
        "--studies", "4", "--slices", "12", "--rows", "64", "--seed", "4"));
    dataset = tmp.resolve("dataset");
    PrepJob.run(spark, PrepJobConfig.of(ct.toString(), dataset.toString()).withSizes(64, 64)
        .withSecretFile(tmp.resolve("secret").toString()));
    MaskLabelImport.Report imported = MaskLabelImport.run(spark, new MaskLabelImport.Request(dataset.toString(), null,
        ct.resolve("_masks"), CLASSES, tmp.resolve("labels"), null));
    assertTrue(!imported.unusable(), imported.toString());
    labels = imported.snapshot();
    model = tmp.resolve("models").resolve("seg");
    TrainConfig cfg = TrainConfig.of(dataset.toString(), labels.toString(), CLASSES).with("{\"task\":"
        + "\"segmentation\",\"inputSize\":64,\"width\":0.125,\"batchSize\":8,\"maxEpochs\":3,\"learningRate\":0.01,"
        + "\"validationFraction\":0.25,\"jobId\":\"seg\",\"output\":\"" + model + "\"}");
    assertEquals("completed", TrainJob.run(spark, cfg).status());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aSegmentersMasksVolumesAndDiceAreThoseCountedFromItsSnapshot() throws Exception {
    Path out = tmp.resolve("eval");
    EvalConfig cfg = new EvalConfig(dataset.toString(), labels.toString(), List.of(model.toString()), null, null,
        50, 3L, "e1", out.toString());
    var row = assertInstanceOf(SegmentationEvaluation.SegmenterResult.class, EvaluateJob.evaluate(spark, cfg).get(0));
    MaskTable reference = MaskTable.read(labels);
    MaskTable predicted = MaskTable.read(out.resolve("seg").resolve("predictions.csv"));
    assertEquals(reference.images(), predicted.images(), "every listed image has its predicted mask");
    assertEquals(reference.images().size(), row.images());
    assertEquals(4, row.series());

    // synth's slices.csv and volumes.csv: each image's series and spacing, and each series' mask volume per class;
    // the catalog maps de-identified image ids back to their series through the slice position
    Map<String, double[]> spacing = new HashMap<>();
    for (String line : Files.readAllLines(ct.resolve("slices.csv")).subList(1, 49)) {
      String[] f = line.split(",");
      spacing.put(f[1], new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])});
    }
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    // seg/: a DICOM SEG per series that dcmdump reads without a warning and that reads back into the predictions
    Map<String, String> imageOfUid = new HashMap<>();
    predicted.images().forEach(i -> imageOfUid.put(DerivedUid.of(i), i));
    List<Path> segs = DicomTools.dicomFiles(out.resolve("seg").resolve("seg"));
    assertEquals(4, segs.size());
    int segmented = 0;
    for (Path seg : segs) {
      DicomTools.Run dump = DicomTools.run(tmp, "/usr/bin/dcmdump", seg.toString());
      assertTrue(dump.ok() && dump.output().lines().noneMatch(l -> l.startsWith("W:") || l.startsWith("E:")),
          dump.output());
      for (var m : SegmentationReader.read(seg, CLASSES).masks().entrySet()) {
        String image = imageOfUid.get(m.getKey().sopInstanceUid());
        assertEquals(catalog.get(image).seriesUid() + ".dcm", seg.getFileName().toString());
        assertArrayEquals(predicted.masks().get(image).labels(), m.getValue().labels(), image);
        segmented++;
      }
    }
    assertEquals(predicted.images().size(), segmented);
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("seg").resolve("metrics.json").toFile());
    Map<String, JsonNode> bySeries = new HashMap<>();
    metrics.get("perSeries").forEach(s -> bySeries.put(s.get("series").asText(), s.get("classes")));
    // per series and class: voxels predicted, referenced and in both, counted here
    Map<String, long[][]> counts = new HashMap<>();
    for (String image : reference.images()) {
      LabelMask r = reference.masks().get(image);
      LabelMask p = predicted.masks().get(image);
      assertEquals(64, p.width());
      long[][] n = counts.computeIfAbsent(catalog.get(image).seriesUid(), k -> new long[3][3]);
      for (int i = 0; i < r.labels().length; i++) {
        for (int c = 1; c <= 2; c++) {
          boolean inP = p.labels()[i] == c;
          boolean inR = r.labels()[i] == c;
          n[c][0] += inP ? 1 : 0;
          n[c][1] += inR ? 1 : 0;
          n[c][2] += inP && inR ? 1 : 0;
        }
      }
    }
    Map<String, Double> synthVolume = new HashMap<>();
    for (String line : Files.readAllLines(ct.resolve("volumes.csv")).subList(1, 9)) {
      String[] f = line.split(",");
      synthVolume.put(f[0] + "/" + f[1], Double.parseDouble(f[3]));
    }
    double liverDifferences = 0;
    for (var e : counts.entrySet()) {
      JsonNode classes = bySeries.get(e.getKey());
      // a de-identified series: find synth's by its reference liver volume, unique to 1e-5 among the four
      double liverMl = classes.get("liver").get("referenceMl").asDouble();
      String synthSeries = synthVolume.entrySet().stream()
          .filter(v -> v.getKey().endsWith("/liver") && Math.abs(v.getValue() - liverMl) < 1e-5 * liverMl)
          .map(v -> v.getKey().split("/")[0]).findFirst().orElseThrow(() -> new AssertionError(
              "no synthetic series has a liver of " + liverMl + " mL: " + synthVolume));
      double[] s = spacing.get(synthSeries);
      double voxelMl = s[0] * s[1] * s[2] / 1000;
      for (int c = 1; c <= 2; c++) {
        String name = CLASSES.get(c - 1);
        long[] n = e.getValue()[c];
        JsonNode got = classes.get(name);
        assertEquals(synthVolume.get(synthSeries + "/" + name), got.get("referenceMl").asDouble(),
            1e-5 * got.get("referenceMl").asDouble(), synthSeries + " " + name + " reference volume");
        assertEquals(n[0] * voxelMl, got.get("predictedMl").asDouble(), 1e-6 * Math.max(1, n[0] * voxelMl),
            synthSeries + " " + name + " predicted volume");
        if (n[0] + n[1] > 0) {
          assertEquals(2.0 * n[2] / (n[0] + n[1]), got.get("dice").asDouble(), 1e-12, synthSeries + " " + name);
        }
        if (c == 1) {
          liverDifferences += n[0] * voxelMl - synthVolume.get(synthSeries + "/liver");
        }
      }
    }
    assertEquals(liverDifferences / 4, metrics.get("volumes").get("liver").get("agreement").get("bias").asDouble(),
        1e-4, "Bland-Altman bias: the mean of predicted minus reference liver volumes");
    for (String chart : new String[] {"liver-volumes.png", "liver-bland-altman.svg", "lesion-volumes.svg"}) {
      assertTrue(Files.size(out.resolve("seg").resolve(chart)) > 1000, chart);
    }
    assertEquals(reference.images().size(), spark.read().parquet(out.resolve("predictions.parquet").toString())
        .count());
    JsonNode comparison = new ObjectMapper().readTree(out.resolve("comparison.json").toFile()).get(0);
    assertEquals(metrics.get("dice").asDouble(), comparison.get("dice").asDouble(), 1e-12);
  }

  @Test
  void aMaskOfAClassTheModelsDoNotSegmentIsRefused() throws Exception {
    String csv = Files.readString(labels);
    Path three = tmp.resolve("three.csv");
    // the first row's first run becomes class 3
    int at = csv.indexOf('\n') + 1;
    int runs = csv.indexOf(',', csv.indexOf(',', csv.indexOf(',', at) + 1) + 1) + 1;
    Files.writeString(three, csv.substring(0, runs) + "3" + csv.substring(csv.indexOf('*', runs)));
    EvalConfig cfg = new EvalConfig(dataset.toString(), three.toString(), List.of(model.toString()), null, null,
        0, 3L, "e2", tmp.resolve("eval2").toString());
    var e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.evaluate(spark, cfg));
    assertTrue(e.getMessage().contains("class index 3"), e.getMessage());
  }
}
