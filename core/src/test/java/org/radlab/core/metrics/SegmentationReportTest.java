package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.LabelMask;

/**
 * Segmentation metrics: a small case worked by hand, and volumes of random blobs with anisotropic spacing against a
 * numpy reference written from the definitions (brute-force surface distances).
 */
class SegmentationReportTest {
  @TempDir Path dir;

  private static LabelMask mask(int w, int h, int... labels) {
    byte[] b = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      b[i] = (byte) labels[i];
    }
    return new LabelMask(w, h, b);
  }

  /*
   * One 4 x 3 image, spacing 0.5 mm (columns) x 1 mm (rows) x 2 mm (slice). Class 1: reference {(0,0), (1,0)},
   * predicted {(1,0), (2,0)}: Dice 2·1/(2+2) = 0.5, IoU 1/3. Every voxel of these one-row masks is on the surface;
   * reference to predicted: (0,0) -> (1,0) 0.5 mm, (1,0) -> 0; predicted to reference: (1,0) 0, (2,0) -> (1,0) 0.5.
   * Each direction's 95th percentile of {0, 0.5} is 0.475, so HD95 0.475 mm. Volumes: 2 voxels of 0.5·1·2 = 1 mm³,
   * 0.002 mL each. Class 2: only the prediction holds it (one voxel at (3,2)): Dice 0, IoU 0, HD95 undefined.
   */
  @Test
  void aSmallCaseWorkedByHand() {
    LabelMask reference = mask(4, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    LabelMask predicted = mask(4, 3, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2);
    SegmentationReport r = SegmentationReport.compute(List.of(new SegmentationReport.Slice("img", "img", 0, 1.0,
        0.5, 2.0, predicted, reference)), List.of("lesion", "vessel"), new SegmentationReport.Options(0, 0.95, 1));
    SegmentationReport.SeriesClass lesion = r.perSeries().get(0).classes().get("lesion");
    assertEquals(0.5, lesion.dice(), 1e-12);
    assertEquals(1.0 / 3, lesion.iou(), 1e-12);
    assertEquals(0.475, lesion.hd95(), 1e-12);
    assertEquals(0.002, lesion.predictedMl(), 1e-12);
    assertEquals(0.002, lesion.referenceMl(), 1e-12);
    SegmentationReport.SeriesClass vessel = r.perSeries().get(0).classes().get("vessel");
    assertEquals(0, vessel.dice(), 0);
    assertTrue(Double.isNaN(vessel.hd95()), "no reference surface: no distance");
    assertEquals(0.25, r.dice(), 1e-12, "the mean of the classes' 0.5 and 0");
    assertEquals(0.475, r.hd95(), 1e-12, "the one class that has a distance");
    assertEquals(0.5, r.perImage().get(0).classes().get("lesion").dice(), 1e-12);
    assertNull(r.volumes().get("lesion").agreement(), "one series: no Bland-Altman");
  }

  @Test
  void volumesOfRandomBlobsMatchNumpy() throws Exception {
    Random random = new Random(5);
    List<SegmentationReport.Slice> slices = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    ObjectNode spec = json.createObjectNode().put("classes", 2);
    ArrayNode specSeries = spec.putArray("series");
    int[][] shapes = {{5, 18, 22}, {4, 16, 16}, {1, 20, 24}, {6, 12, 14}}; // d, h, w: the third is a 2D image
    double[][] spacings = {{2.5, 0.8, 0.7}, {1.0, 0.6, 0.6}, {1.0, 0.1, 0.1}, {3.0, 1.2, 0.9}}; // z, y, x
    for (int s = 0; s < shapes.length; s++) {
      int d = shapes[s][0];
      int h = shapes[s][1];
      int w = shapes[s][2];
      int[] reference = blobs(d, h, w, random, 0);
      int[] predicted = blobs(d, h, w, random, 1);
      ObjectNode one = specSeries.addObject().put("id", "s" + s);
      one.putArray("shape").add(d).add(h).add(w);
      one.putArray("spacing").add(spacings[s][0]).add(spacings[s][1]).add(spacings[s][2]);
      ArrayNode p = one.putArray("predicted");
      ArrayNode r = one.putArray("reference");
      for (int i = 0; i < reference.length; i++) {
        p.add(predicted[i]);
        r.add(reference[i]);
      }
      // slices in shuffled order with their positions: the report must stack them by position
      List<Integer> order = new ArrayList<>();
      for (int z = 0; z < d; z++) {
        order.add(z);
      }
      java.util.Collections.shuffle(order, random);
      for (int z : order) {
        int[] ps = java.util.Arrays.copyOfRange(predicted, z * w * h, (z + 1) * w * h);
        int[] rs = java.util.Arrays.copyOfRange(reference, z * w * h, (z + 1) * w * h);
        slices.add(new SegmentationReport.Slice("s" + s + "-" + z, "s" + s, 10 + z * spacings[s][0],
            spacings[s][1], spacings[s][2], spacings[s][0], mask(w, h, ps), mask(w, h, rs)));
      }
    }
    SegmentationReport report = SegmentationReport.compute(slices, List.of("organ", "lesion"),
        new SegmentationReport.Options(200, 0.95, 3));
    JsonNode numpy = reference(json, spec);
    assertEquals(shapes.length, report.series());
    double[] diceSum = new double[2];
    int[] diceN = new int[2];
    int distances = 0;
    for (int s = 0; s < shapes.length; s++) {
      String id = "s" + s;
      SegmentationReport.SeriesResult ours = report.perSeries().stream().filter(x -> x.series().equals(id))
          .findFirst().orElseThrow();
      JsonNode theirs = null;
      for (JsonNode n : numpy) {
        theirs = n.path("id").asText().equals(id) ? n : theirs;
      }
      for (int c = 0; c < 2; c++) {
        SegmentationReport.SeriesClass o = ours.classes().get(c == 0 ? "organ" : "lesion");
        JsonNode t = theirs.path("classes").get(c);
        String what = id + " class " + (c + 1);
        same(t.path("dice"), o.dice(), 1e-12, what + " Dice");
        same(t.path("iou"), o.iou(), 1e-12, what + " IoU");
        same(t.path("hd95"), o.hd95(), 1e-9, what + " HD95");
        distances += o.hd95() > 0 ? 1 : 0;
        assertEquals(t.path("predictedMl").asDouble(), o.predictedMl(), 1e-12, what + " predicted volume");
        assertEquals(t.path("referenceMl").asDouble(), o.referenceMl(), 1e-12, what + " reference volume");
        if (t.path("dice").isNumber()) {
          diceSum[c] += t.path("dice").asDouble();
          diceN[c]++;
        }
      }
    }
    assertTrue(distances >= 6 && diceN[0] == shapes.length, "the blobs overlap partly: " + numpy);
    assertEquals(diceSum[0] / diceN[0], report.perClass().get("organ").dice(), 1e-12);
    assertEquals((diceSum[0] / diceN[0] + diceSum[1] / diceN[1]) / 2, report.dice(), 1e-12);
    SegmentationReport.ClassSummary organ = report.perClass().get("organ");
    assertTrue(organ.diceCi().lower() <= organ.dice() && organ.dice() <= organ.diceCi().upper(), organ.toString());
    // Bland-Altman of the organ's volumes, worked here from numpy's volumes
    double[] diff = new double[shapes.length];
    double mean = 0;
    for (int s = 0; s < shapes.length; s++) {
      JsonNode t = numpy.get(s).path("classes").get(0);
      diff[s] = t.path("predictedMl").asDouble() - t.path("referenceMl").asDouble();
      mean += diff[s] / shapes.length;
    }
    double ss = 0;
    for (double x : diff) {
      ss += (x - mean) * (x - mean);
    }
    BlandAltman ba = report.volumes().get("organ").agreement();
    assertEquals(mean, ba.bias(), 1e-12);
    assertEquals(mean + 1.96 * Math.sqrt(ss / (shapes.length - 1)), ba.upper(), 1e-12);
  }

  @Test
  void aClassIndexBeyondTheClassesAndMismatchedSlicesAreRefused() {
    LabelMask three = mask(2, 1, 3, 0);
    LabelMask empty = mask(2, 1, 0, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentationReport.compute(
        List.of(new SegmentationReport.Slice("a", "a", 0, 1, 1, 1, three, empty)), List.of("x", "y"),
        SegmentationReport.Options.defaults()));
    assertTrue(e.getMessage().contains("class index 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SegmentationReport.compute(List.of(
        new SegmentationReport.Slice("a", "s", 0, 1, 1, 1, empty, empty),
        new SegmentationReport.Slice("b", "s", 1, 1, 1, 2, empty, empty)), List.of("x"),
        SegmentationReport.Options.defaults()));
    assertTrue(e.getMessage().contains("series s"), e.getMessage());
  }

  /** numpy's number, or its null for undefined (NaN here). */
  private static void same(JsonNode expected, double actual, double tolerance, String what) {
    if (expected.isNull()) {
      assertTrue(Double.isNaN(actual), what + ": undefined in numpy, " + actual + " here");
    } else {
      assertEquals(expected.asDouble(), actual, tolerance, what);
    }
  }

  /** Two classes as overlapping ellipsoids of random centres and radii; {@code shift} moves them a little. */
  private static int[] blobs(int d, int h, int w, Random random, int shift) {
    int[] out = new int[d * h * w];
    for (int c = 1; c <= 2; c++) {
      double cz = random.nextDouble() * d;
      double cy = h * (0.3 + 0.4 * random.nextDouble()) + shift;
      double cx = w * (0.3 + 0.4 * random.nextDouble());
      double rz = 1 + random.nextDouble() * d / 2.0;
      double ry = 2 + random.nextDouble() * h / (c == 1 ? 3.0 : 6.0);
      double rx = 2 + random.nextDouble() * w / (c == 1 ? 3.0 : 6.0);
      for (int z = 0; z < d; z++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            double q = Math.pow((z - cz) / rz, 2) + Math.pow((y - cy) / ry, 2) + Math.pow((x - cx) / rx, 2);
            if (q <= 1) {
              out[(z * h + y) * w + x] = c;
            }
          }
        }
      }
    }
    return out;
  }

  private JsonNode reference(ObjectMapper json, ObjectNode spec) throws Exception {
    Path input = dir.resolve("spec.json");
    json.writeValue(input.toFile(), spec);
    Path script = dir.resolve("segmentation_metrics.py");
    try (InputStream in = getClass().getResourceAsStream("/reference/segmentation_metrics.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), input.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the reference did not end");
    assertEquals(0, p.exitValue(), out);
    return json.readTree(out);
  }
}
