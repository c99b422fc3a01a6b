package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.metrics.BlandAltman;
import org.radlab.core.metrics.VolumePairs;

/** The segmentation charts are written as a readable PNG and an SVG document. */
class ChartsTest {
  @TempDir Path dir;

  @Test
  void blandAltmanAndVolumeCharts() throws Exception {
    List<VolumePairs.Pair> pairs = List.of(new VolumePairs.Pair("a", 10, 12), new VolumePairs.Pair("b", 20, 19),
        new VolumePairs.Pair("c", 31, 30));
    List<Path> files = Charts.blandAltman(VolumePairs.agreement(pairs), "test", dir);
    files = new java.util.ArrayList<>(files);
    files.addAll(Charts.volumes(pairs, "test", dir));
    assertEquals(4, files.size());
    for (Path f : files) {
      if (f.toString().endsWith(".png")) {
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(520, img.getHeight());
      } else {
        assertTrue(Files.readString(f).contains("<svg"), f.toString());
      }
    }
    assertTrue(BlandAltman.of(new double[] {1, 2}, new double[] {1, 3}).points().size() == 2);
  }
}
