package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.eval.MetricsCommand;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * Volumes from synthetic CT to the segmentation metrics: {@code synth --modality CT} writes masks and their geometry,
 * and {@code radlab metrics --task segmentation --geometry slices.csv} gives each series' reference volumes as synth
 * counted them (volumes.csv); a prediction that misses the lesion on one slice loses exactly that slice's lesion
 * voxels (counted here from the PNG, times the voxel size from slices.csv).
 */
class SegmentationVolumesTest {
  @TempDir Path tmp;

  @Test
  void ctVolumesReachTheMetrics() throws Exception {
    Path ct = tmp.resolve("ct");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", ct.toString(),
        "--studies", "2", "--slices", "16", "--rows", "64", "--seed", "5"));
    Path predicted = Files.createDirectories(tmp.resolve("predicted"));
    List<String> slices = Files.readAllLines(ct.resolve("slices.csv"));
    // the slice of series ct0000 with the most lesion pixels loses its lesion in the prediction
    String erased = null;
    long most = 0;
    Map<String, double[]> spacing = new HashMap<>();
    for (String line : slices.subList(1, slices.size())) {
      String[] f = line.split(",");
      spacing.put(f[1], new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])});
      Path mask = ct.resolve("_masks").resolve(f[0] + ".png");
      Files.copy(mask, predicted.resolve(f[0] + ".png"));
      long lesion = count(ImageIO.read(mask.toFile()), 2);
      if (f[1].equals("ct0000") && lesion > most) {
        most = lesion;
        erased = f[0];
      }
    }
    assertTrue(most > 0, "the lesion shows on some slice");
    BufferedImage cut = ImageIO.read(predicted.resolve(erased + ".png").toFile());
    for (int y = 0; y < cut.getHeight(); y++) {
      for (int x = 0; x < cut.getWidth(); x++) {
        if (cut.getRaster().getSample(x, y, 0) == 2) {
          cut.getRaster().setSample(x, y, 0, 1); // the lesion read as liver
        }
      }
    }
    ImageIO.write(cut, "png", predicted.resolve(erased + ".png").toFile());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = new CommandLine(new MetricsCommand()).execute("--task", "segmentation", "--predictions",
          predicted.toString(), "--truth", ct.resolve("_masks").toString(), "--classes", "liver,lesion",
          "--geometry", ct.resolve("slices.csv").toString(), "--bootstrap", "0");
    } finally {
      System.setOut(old);
    }
    assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
    JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    Map<String, JsonNode> bySeries = new HashMap<>();
    report.get("perSeries").forEach(s -> bySeries.put(s.get("series").asText(), s.get("classes")));
    for (String line : Files.readAllLines(ct.resolve("volumes.csv")).subList(1, 5)) {
      String[] f = line.split(",");
      // slices.csv gives the spacing to 6 decimals, synth counted with the exact one: a relative 1e-5 covers it
      double expected = Double.parseDouble(f[3]);
      assertEquals(expected, bySeries.get(f[0]).get(f[1]).get("referenceMl").asDouble(), 1e-5 * expected, line);
    }
    double[] s = spacing.get("ct0000");
    double voxelMl = s[0] * s[1] * s[2] / 1000;
    JsonNode lesion = bySeries.get("ct0000").get("lesion");
    assertEquals(lesion.get("referenceMl").asDouble() - most * voxelMl, lesion.get("predictedMl").asDouble(), 1e-9);
    assertEquals(1.0, bySeries.get("ct0001").get("lesion").get("dice").asDouble(), 1e-12);
    assertTrue(lesion.get("dice").asDouble() < 1, lesion.toString());
  }

  private static long count(BufferedImage mask, int label) {
    long n = 0;
    for (int v : mask.getRaster().getPixels(0, 0, mask.getWidth(), mask.getHeight(), (int[]) null)) {
      n += v == label ? 1 : 0;
    }
    return n;
  }
}
