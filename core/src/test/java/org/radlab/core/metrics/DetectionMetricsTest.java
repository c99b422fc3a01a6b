package org.radlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.metrics.DetectionAp.Detection;
import org.radlab.core.metrics.DetectionAp.Truth;

/**
 * Detection metrics: small cases worked by hand, and a random case against an independent implementation of COCO's
 * evaluation and of FROC (numpy, {@code reference/detection_metrics.py}) run in the test's set-up.
 */
class DetectionMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void onlyTheHundredBestDetectionsOfAnImageCount() {
    // 100 false positives scored above the one hit: the hit is the 101st, so it is dropped (COCO's maxDets)
    List<Detection> dets = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      dets.add(new Detection("i", "mass", 0.5 + i / 1000.0, new double[] {100 + i, 100, 110 + i, 110}));
    }
    List<Truth> truth = List.of(new Truth("i", "mass", new double[] {0, 0, 10, 10}));
    List<Detection> withHit = new ArrayList<>(dets);
    withHit.add(new Detection("i", "mass", 0.1, new double[] {0, 0, 10, 10}));
    assertEquals(0.0, DetectionAp.evaluate(withHit, truth).map(), 0);
    // with one false positive fewer the hit is the 100th: precision 1/100 at recall 1, interpolated everywhere
    withHit.remove(0);
    assertEquals(0.01, DetectionAp.evaluate(withHit, truth).ap50(), 1e-15);
  }

  @Test
  void frocOfASmallCase() {
    // four images, two lesions (A on i1, B on i2); by score: .9 hits A, .8 false positive (i3), .7 hits A again
    // (IoU 90/110: neither a find nor a false positive), .6 false positive (i4), .5 hits B, .4 false positive (i1)
    List<String> images = List.of("i1", "i2", "i3", "i4");
    List<Truth> truth = List.of(new Truth("i1", "mass", new double[] {0, 0, 10, 10}),
        new Truth("i2", "mass", new double[] {0, 0, 10, 10}));
    List<Detection> dets = List.of(
        new Detection("i1", "mass", 0.9, new double[] {0, 0, 10, 10}),
        new Detection("i3", "mass", 0.8, new double[] {0, 0, 10, 10}),
        new Detection("i1", "mass", 0.7, new double[] {1, 0, 11, 10}),
        new Detection("i4", "mass", 0.6, new double[] {0, 0, 10, 10}),
        new Detection("i2", "mass", 0.5, new double[] {0, 0, 10, 10}),
        new Detection("i1", "mass", 0.4, new double[] {50, 50, 60, 60}));
    List<Froc.Point> curve = Froc.of(images, dets, truth).curve();
    assertEquals(List.of(new Froc.Point(Double.POSITIVE_INFINITY, 0, 0), new Froc.Point(0.9, 0, 0.5),
        new Froc.Point(0.8, 0.25, 0.5), new Froc.Point(0.6, 0.5, 0.5), new Froc.Point(0.5, 0.5, 1),
        new Froc.Point(0.4, 0.75, 1)), curve);
    // at 1/8 and 1/4 false positives per image: 0.5; from 1/2 on: 1
    assertEquals(Map.of("0.125", 0.5, "0.25", 0.5, "0.5", 1.0, "1", 1.0, "2", 1.0, "4", 1.0, "8", 1.0),
        Froc.sensitivities(curve));
    assertEquals(6.0 / 7, Froc.mean(curve), 1e-15);
    // a box of the wrong class hits nothing: it is a false positive and the lesion stays unfound
    List<Froc.Point> wrongClass = Froc.of(images, List.of(new Detection("i1", "calc", 0.9,
        new double[] {0, 0, 10, 10})), truth).curve();
    assertEquals(List.of(new Froc.Point(Double.POSITIVE_INFINITY, 0, 0), new Froc.Point(0.9, 0.25, 0)), wrongClass);
  }

  @Test
  void aPerfectDetectorHasNarrowIntervalsAtOne() {
    List<String> images = new ArrayList<>();
    List<Truth> truth = new ArrayList<>();
    List<Detection> dets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      images.add("i" + i);
      if (i % 3 != 0) {
        double[] box = {i, i, i + 20, i + 30};
        truth.add(new Truth("i" + i, i % 2 == 0 ? "mass" : "calc", box));
        dets.add(new Detection("i" + i, i % 2 == 0 ? "mass" : "calc", 0.5 + i / 100.0, box));
      }
    }
    DetectionReport r = DetectionReport.compute(images, dets, truth, new DetectionReport.Options(200, 0.95, 3));
    assertEquals(1.0, r.map(), 0);
    assertEquals(1.0, r.mapCi().lower(), 0);
    assertEquals(1.0, r.froc().mean(), 0);
    assertEquals(1.0, r.froc().meanCi().lower(), 0);
    assertEquals(13, r.references());
    assertEquals(List.of("calc", "mass"), r.classes());
  }

  @Test
  void aBoxOnAnImageThatIsNotEvaluatedIsAnError() {
    List<Truth> truth = List.of(new Truth("i1", "mass", new double[] {0, 0, 10, 10}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionReport.compute(
        List.of("i1"), List.of(new Detection("i9", "mass", 0.5, new double[] {0, 0, 1, 1})), truth,
        new DetectionReport.Options(0, 0.95, 1)));
    assertTrue(e.getMessage().contains("i9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DetectionReport.compute(List.of("i1"), List.of(), List.of(),
        new DetectionReport.Options(0, 0.95, 1)), "no reference box at all");
  }

  @Test
  void agreesWithAnIndependentCocoEvaluationAndFroc() throws Exception {
    Random random = new Random(20261206);
    List<String> images = new ArrayList<>();
    List<BoxTable.Box> truth = new ArrayList<>();
    List<BoxTable.Box> dets = new ArrayList<>();
    String[] classes = {"mass", "calcification"};
    for (int i = 0; i < 60; i++) {
      String image = "1.2.826.0." + i;
      images.add(image);
      int lesions = i % 4 == 0 ? 0 : random.nextInt(4);
      for (int l = 0; l < lesions; l++) {
        String label = classes[random.nextInt(2)];
        double x = random.nextInt(400);
        double y = random.nextInt(400);
        double w = 8 + random.nextInt(60);
        double h = 8 + random.nextInt(60);
        truth.add(new BoxTable.Box(image, label, x, y, x + w, y + h, Double.NaN));
        for (int k = random.nextInt(3); k >= 0; k--) { // 1 to 3 detections near it, overlapping more or less
          double dx = (random.nextDouble() - 0.5) * w * 0.6;
          double dy = (random.nextDouble() - 0.5) * h * 0.6;
          double s = 0.8 + random.nextDouble() * 0.5;
          String guess = random.nextInt(10) == 0 ? classes[1 - List.of(classes).indexOf(label)] : label;
          dets.add(new BoxTable.Box(image, guess, x + dx, y + dy, x + dx + w * s, y + dy + h * s,
              random.nextDouble()));
        }
      }
      for (int f = random.nextInt(3); f > 0; f--) { // false positives anywhere
        double x = random.nextInt(450);
        double y = random.nextInt(450);
        dets.add(new BoxTable.Box(image, classes[random.nextInt(2)], x, y, x + 5 + random.nextInt(40),
            y + 5 + random.nextInt(40), random.nextDouble() * 0.7));
      }
    }
    for (int f = 0; f < 130; f++) { // one image over the cap of 100 detections per image and class
      double x = random.nextInt(450);
      dets.add(new BoxTable.Box(images.get(5), "mass", x, x, x + 30, x + 30, random.nextDouble()));
    }
    Path truthCsv = dir.resolve("truth.csv");
    Path predCsv = dir.resolve("pred.csv");
    Files.writeString(truthCsv, new BoxTable(images, truth).csv(false));
    Files.writeString(predCsv, new BoxTable(images, dets).csv(true));

    DetectionReport ours = DetectionReport.of(BoxTable.readReference(truthCsv, BoxTable.IMAGE),
        BoxTable.readPredictions(predCsv, BoxTable.IMAGE), new DetectionReport.Options(0, 0.95, 1));
    JsonNode ref = reference(truthCsv, predCsv);

    assertTrue(ours.map() > 0.05 && ours.map() < 0.95, "a case that tests something: mAP " + ours.map());
    assertEquals(ref.get("mAP").asDouble(), ours.map(), 1e-12);
    assertEquals(ref.get("AP50").asDouble(), ours.ap50(), 1e-12);
    assertEquals(ref.get("AP75").asDouble(), ours.ap75(), 1e-12);
    for (String c : classes) {
      JsonNode theirs = ref.get("perClass").get(c);
      DetectionAp.ClassAp mine = ours.perClass().get(c);
      assertEquals(theirs.get("ap").asDouble(), mine.ap(), 1e-12, c);
      assertEquals(theirs.get("ap50").asDouble(), mine.ap50(), 1e-12, c);
      assertEquals(theirs.get("ap75").asDouble(), mine.ap75(), 1e-12, c);
      double[] curve = ours.precisionAtRecall50().get(c);
      assertEquals(101, curve.length);
      for (int k = 0; k < 101; k++) {
        assertEquals(ref.get("pr50").get(c).get(k).asDouble(), curve[k], 1e-12, c + " precision at recall " + k);
      }
    }
    List<Double> sensitivity = new ArrayList<>(ours.froc().sensitivity().values());
    for (int r = 0; r < Froc.RATES.length; r++) {
      assertEquals(ref.get("froc").get("sensitivity").get(r).asDouble(), sensitivity.get(r), 1e-12,
          "sensitivity at " + Froc.RATES[r]);
    }
    assertEquals(ref.get("froc").get("mean").asDouble(), ours.froc().mean(), 1e-12);
  }

  /** Runs the numpy reference on the two files. */
  private JsonNode reference(Path truth, Path predictions) throws IOException, InterruptedException {
    return org.radlab.core.testing.DetectionReference.run(truth, predictions, dir, true);
  }
}
