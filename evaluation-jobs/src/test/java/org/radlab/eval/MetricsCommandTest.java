package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.metrics.MetricsReport;
import picocli.CommandLine;

/** radlab metrics on a hand-checked file, through the real command line, and its errors. */
class MetricsCommandTest {
  @TempDir Path dir;

  @Test
  void fullMetricSetAsJson() throws Exception {
    Path csv = dir.resolve("vendor.csv");
    // 6 studies; argmax predictions: A, B, B, C, D, C against references A, B, C, C, D, D
    Files.writeString(csv, String.join("\n",
        "study,reference,A,B,C,D",
        "s1,A,0.7,0.2,0.1,0.0",
        "s2,B,0.1,0.6,0.2,0.1",
        "s3,C,0.1,0.5,0.3,0.1",
        "s4,C,0.0,0.2,0.6,0.2",
        "s5,D,0.0,0.1,0.2,0.7",
        "s6,D,0.0,0.1,0.5,0.4")
        + "\n");
    String[] out = new String[1];
    int rc = run(out, "--predictions", csv.toString(), "--positive", "C,D", "--bootstrap", "200", "--charts",
        dir.resolve("charts").toString());
    assertEquals(0, rc, out[0]);
    JsonNode j = MetricsCommand.JSON.readTree(out[0]);
    assertEquals(6, j.get("cases").asInt());
    assertEquals(4.0 / 6, j.get("accuracy").asDouble(), 1e-12);
    // confusion: row C has (B, C), row D has (C, D)
    assertEquals(1, j.get("confusionMatrix").get(2).get(1).asInt());
    assertEquals(1, j.get("confusionMatrix").get(3).get(2).asInt());
    // dense (C+D) scores: .1 .3 .4 .8 .9 .9 ; positives s3..s6 -> all positives above all negatives: AUC 1
    assertEquals(1.0, j.get("binary").get("auc").asDouble(), 1e-12);
    // at 0.5: s4 .8, s5 .9, s6 .9 positive; s3 .4 missed: sensitivity 3/4, specificity 1
    assertEquals(0.75, j.get("binary").get("sensitivity").asDouble(), 1e-12);
    assertEquals(1.0, j.get("binary").get("specificity").asDouble(), 1e-12);
    assertEquals(List.of("C", "D"), List.of(j.get("binary").get("positiveClasses").get(0).asText(),
        j.get("binary").get("positiveClasses").get(1).asText()));
    assertTrue(j.get("kappaLinearCi").get("lower").asDouble() <= j.get("kappa").get("linear").asDouble());
    assertTrue(j.get("binary").get("roc").size() >= 3);
    for (String chart : new String[] {"confusion-matrix", "roc"}) {
      java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("charts/" + chart + ".png").toFile());
      assertEquals(640, png.getWidth());
      assertTrue(Files.readString(dir.resolve("charts/" + chart + ".svg")).contains("<svg"), chart);
    }
  }

  @Test
  void malformedFilesNameTheLine() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "study,reference,A,B\ns1,A,0.5,0.5\ns2,Z,0.5,0.5\n");
    var e = assertThrows(IllegalArgumentException.class,
        () -> MetricsCommand.compute(csv, MetricsReport.Options.defaults()));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("'Z'"), e.getMessage());
    Files.writeString(csv, "study,reference,A,B\ns1,A,x,0.5\n");
    var n = assertThrows(IllegalArgumentException.class,
        () -> MetricsCommand.compute(csv, MetricsReport.Options.defaults()));
    assertTrue(n.getMessage().contains("not a number"), n.getMessage());
  }

  @Test
  void detectionMetricsAsJson() throws Exception {
    // img1 holds a mass, found exactly (score .9); img2 holds nothing but gets a box scored higher (.95).
    // Ranked: a false positive, then the hit: precision 0 then 1/2 at recall 1, interpolated to 1/2 at every
    // recall level and every IoU threshold: mAP = AP50 = AP75 = 0.5. FROC: the false positive alone is 1/2 per
    // image with nothing found, then the mass at 1/2 per image: sensitivity 0 at 1/8 and 1/4, 1 from 1/2 on.
    Path truth = dir.resolve("truth.csv");
    Path boxes = dir.resolve("boxes.csv");
    Files.writeString(truth, "SOPInstanceUID,x_min,y_min,x_max,y_max,label\nimg1,10,10,50,50,mass\nimg2,,,,,\n");
    Files.writeString(boxes, "label,score,SOPInstanceUID,x_min,y_min,x_max,y_max\nmass,0.9,img1,10,10,50,50\n"
        + "mass,0.95,img2,0,0,20,20\n");
    String[] out = new String[1];
    int rc = run(out, "--task", "detection", "--predictions", boxes.toString(), "--truth", truth.toString(),
        "--image-column", "SOPInstanceUID", "--bootstrap", "100", "--charts", dir.resolve("charts").toString());
    assertEquals(0, rc, out[0]);
    JsonNode j = MetricsCommand.JSON.readTree(out[0]);
    assertEquals("detection", j.get("task").asText());
    assertEquals(2, j.get("images").asInt());
    assertEquals(0.5, j.get("mAP").asDouble(), 1e-12);
    assertEquals(0.5, j.get("AP50").asDouble(), 1e-12);
    assertEquals(0.5, j.get("AP75").asDouble(), 1e-12);
    assertEquals(0.5, j.get("perClass").get("mass").get("ap").asDouble(), 1e-12);
    assertEquals(0.0, j.get("froc").get("sensitivity").get("0.25").asDouble(), 0);
    assertEquals(1.0, j.get("froc").get("sensitivity").get("0.5").asDouble(), 0);
    assertEquals(5.0 / 7, j.get("froc").get("mean").asDouble(), 1e-12);
    assertTrue(j.get("mAPCi").get("lower").asDouble() <= 0.5 && j.get("mAPCi").get("upper").asDouble() >= 0.5);
    assertEquals(101, j.get("precisionAtRecall50").get("mass").size());
    assertEquals(0.5, j.get("precisionAtRecall50").get("mass").get(100).asDouble(), 1e-12);
    for (String chart : new String[] {"precision-recall", "froc"}) {
      java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("charts/" + chart + ".png").toFile());
      assertEquals(640, png.getWidth());
      assertTrue(Files.readString(dir.resolve("charts/" + chart + ".svg")).contains("<svg"), chart);
    }
  }

  @Test
  void detectionOptionsThatDoNotFitAreRefused() throws Exception {
    Path truth = dir.resolve("truth.csv");
    Path boxes = dir.resolve("boxes.csv");
    Files.writeString(truth, "image,x_min,y_min,x_max,y_max,label\nimg1,10,10,50,50,mass\n");
    Files.writeString(boxes, "image,x_min,y_min,x_max,y_max,label,score\nimg1,10,10,50,50,mass,0.9\n");
    String[] err = new String[1];
    assertEquals(2, runErr(err, "--task", "detection", "--predictions", boxes.toString()));
    assertTrue(err[0].contains("--truth"), err[0]);
    assertEquals(2, runErr(err, "--task", "boxes", "--predictions", boxes.toString()));
    assertTrue(err[0].contains("classification") && err[0].contains("detection"), err[0]);
    assertEquals(2, runErr(err, "--predictions", boxes.toString(), "--truth", truth.toString()));
    assertTrue(err[0].contains("--truth is for --task detection"), err[0]);
    // a box whose corners are swapped names its line
    Files.writeString(boxes, "image,x_min,y_min,x_max,y_max,label,score\nimg1,50,10,10,50,mass,0.9\n");
    var e = assertThrows(IllegalArgumentException.class,
        () -> org.radlab.core.dataset.BoxTable.readPredictions(boxes, "image"));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("x_max > x_min"), e.getMessage());
  }

  /*
   * Series "ct": two 4 x 4 slices, 1 mm columns, 2 mm rows, 5 mm apart. Liver (class 1): reference (x,y,z)
   * (0,0,0), (1,0,0), (0,0,1); predicted (0,0,0), (0,0,1), (0,1,1). Two shared of 3 and 3: Dice 4/6, IoU 2/4. Both
   * slices are the volume's border, so every voxel is on the surface. Reference to predicted: 0, 1, 0 mm, whose 95th
   * percentile (rank 1.9 of 0, 0, 1) is 0.9; predicted to reference: 0, 0, 2 mm (one row down), 1.8. HD95 1.8 mm.
   * Volumes 3 voxels of 10 mm³: 0.03 mL each. Image "xr" (a series of its own, 0.5 mm): the lesion (class 2) at
   * (0,0) in both: Dice 1, HD95 0. Liver is defined on ct only, the lesion on xr only: mean Dice (2/3 + 1) / 2.
   */
  @Test
  void segmentationMetricsAsJson() throws Exception {
    Path truth = Files.createDirectories(dir.resolve("truth"));
    Path pred = Files.createDirectories(dir.resolve("pred"));
    png(truth.resolve("ct0.png"), 4, 4, new int[][] {{0, 0, 1}, {1, 0, 1}});
    png(truth.resolve("ct1.png"), 4, 4, new int[][] {{0, 0, 1}});
    png(pred.resolve("ct0.png"), 4, 4, new int[][] {{0, 0, 1}});
    png(pred.resolve("ct1.png"), 4, 4, new int[][] {{0, 0, 1}, {0, 1, 1}});
    png(truth.resolve("xr.png"), 3, 2, new int[][] {{0, 0, 2}});
    png(pred.resolve("xr.png"), 3, 2, new int[][] {{0, 0, 2}});
    Path geometry = Files.writeString(dir.resolve("slices.csv"), "image,series,position,row_spacing,column_spacing,"
        + "slice_spacing\nct1,ct,-95,2,1,5\nct0,ct,-100,2,1,5\nxr,xr,0,0.5,0.5,1\n");
    String[] out = new String[1];
    int rc = run(out, "--task", "segmentation", "--predictions", pred.toString(), "--truth", truth.toString(),
        "--classes", "liver,lesion", "--geometry", geometry.toString(), "--bootstrap", "0", "--charts",
        dir.resolve("charts").toString());
    assertEquals(0, rc, out[0]);
    JsonNode j = MetricsCommand.JSON.readTree(out[0]);
    JsonNode ct = null;
    for (JsonNode s : j.get("perSeries")) {
      ct = s.get("series").asText().equals("ct") ? s : ct;
    }
    JsonNode liver = ct.get("classes").get("liver");
    assertEquals(2.0 / 3, liver.get("dice").asDouble(), 1e-12);
    assertEquals(0.5, liver.get("iou").asDouble(), 1e-12);
    assertEquals(1.8, liver.get("hd95").asDouble(), 1e-12);
    assertEquals(0.03, liver.get("predictedMl").asDouble(), 1e-12);
    assertEquals(0.03, liver.get("referenceMl").asDouble(), 1e-12);
    assertEquals((2.0 / 3 + 1) / 2, j.get("dice").asDouble(), 1e-12);
    assertEquals(1.0, j.get("perClass").get("lesion").get("dice").asDouble(), 1e-12);
    assertEquals(0.0, j.get("perClass").get("lesion").get("hd95").asDouble(), 1e-12);
    assertEquals(3, j.get("images").asInt());
    assertEquals(2, j.get("series").asInt());
    assertTrue(j.get("volumes").get("liver").get("pairs").size() == 2, j.get("volumes").toString());
    assertTrue(Files.size(dir.resolve("charts/liver/volumes.png")) > 1000);

    String[] err = new String[1];
    Files.delete(pred.resolve("xr.png"));
    assertEquals(2, runErr(err, "--task", "segmentation", "--predictions", pred.toString(), "--truth",
        truth.toString(), "--classes", "liver,lesion"));
    assertTrue(err[0].contains("1 reference masks have no prediction (such as xr)"), err[0]);
    png(pred.resolve("xr.png"), 3, 2, new int[][] {{0, 0, 3}});
    assertEquals(2, runErr(err, "--task", "segmentation", "--predictions", pred.toString(), "--truth",
        truth.toString(), "--classes", "liver,lesion"));
    assertTrue(err[0].contains("class index 3"), err[0]);
    assertEquals(2, runErr(err, "--predictions", pred.toString(), "--classes", "liver"));
    assertTrue(err[0].contains("--classes, --geometry and --dataset are for --task segmentation"), err[0]);
  }

  /*
   * Two slices of series S1 in a prepared dataset: originals 8 x 4 pixels of 0.25 mm (columns) x 0.5 mm (rows), PNGs
   * 4 x 2, so a PNG pixel is 0.5 x 1.0 mm; 2.5 mm apart. Reference: 2 lesion pixels on slice a, 1 on slice b;
   * prediction: the same 2 on a, none on b. Dice 2·2/(2+3) = 0.8; volumes 3 and 2 voxels of 1.25 mm³: 0.00375 and
   * 0.0025 mL.
   */
  @Test
  void segmentationSnapshotsArePlacedByTheDatasetsCatalog() throws Exception {
    Path ds = Files.createDirectories(dir.resolve("ds"));
    String header = String.join(",", org.radlab.core.dataset.ImageList.COLUMNS);
    Files.writeString(ds.resolve("images.csv"), header + "\n"
        + "a,P1,st,S1,0,CT,,,,,,4,8,png/a.png,4,2,false,0.5,0.25,10,2.5\n"
        + "b,P1,st,S1,0,CT,,,,,,4,8,png/b.png,4,2,false,0.5,0.25,12.5,2.5\n");
    Path truth = Files.writeString(dir.resolve("truth.csv"), "image,width,height,runs\na,4,2,1*2 0*6\n"
        + "b,4,2,1*1 0*7\n");
    Path pred = Files.writeString(dir.resolve("pred.csv"), "image,width,height,runs\na,4,2,1*2 0*6\nb,4,2,0*8\n");
    String[] out = new String[1];
    assertEquals(0, run(out, "--task", "segmentation", "--predictions", pred.toString(), "--truth", truth.toString(),
        "--dataset", ds.toString(), "--classes", "lesion", "--bootstrap", "0"), out[0]);
    JsonNode j = MetricsCommand.JSON.readTree(out[0]);
    assertEquals(1, j.get("series").asInt());
    JsonNode lesion = j.get("perSeries").get(0).get("classes").get("lesion");
    assertEquals(0.8, lesion.get("dice").asDouble(), 1e-12);
    assertEquals(0.00375, lesion.get("referenceMl").asDouble(), 1e-12);
    assertEquals(0.0025, lesion.get("predictedMl").asDouble(), 1e-12);
  }

  /** An 8-bit grey mask PNG, all 0 but the given {x, y, class} pixels. */
  private static void png(Path file, int w, int h, int[][] pixels) throws Exception {
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(w, h,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int[] p : pixels) {
      image.getRaster().setSample(p[0], p[1], 0, p[2]);
    }
    javax.imageio.ImageIO.write(image, "png", file.toFile());
  }

  private static int run(String[] out, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(bytes, true));
    try {
      return new CommandLine(new MetricsCommand()).execute(args);
    } finally {
      System.setOut(old);
      out[0] = bytes.toString();
    }
  }

  private static int runErr(String[] err, String... args) {
    java.io.StringWriter text = new java.io.StringWriter();
    CommandLine cl = new CommandLine(new MetricsCommand());
    cl.setErr(new java.io.PrintWriter(text, true));
    int rc = cl.execute(args);
    err[0] = text.toString();
    return rc;
  }
}
