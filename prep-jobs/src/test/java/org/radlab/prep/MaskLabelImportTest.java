package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * Masks named by original SOPInstanceUID become a snapshot in the prepared PNGs' pixels: each class's extent in the
 * mapped mask is where the lesions' boxes (boxes.csv, mapped by the box import's own arithmetic) put it, on shrunk
 * and mirrored images alike; an image without lesions maps to an empty mask; what cannot be used is counted.
 */
class MaskLabelImportTest {
  @TempDir Path tmp;

  @Test
  void masksFollowTheirImagesIntoThePngs() throws Exception {
    Path input = tmp.resolve("in");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--out", input.toString(), "--studies", "3",
        "--seed", "9", "--rows", "128", "--columns", "96", "--lesions"));
    Path dataset = tmp.resolve("ds");
    PrepJob.run(TestTools.spark(), PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(64, 32)
        .withSecretFile(tmp.resolve("secret").toString()));
    // a copy of the masks plus three that cannot be used: a wrong size, a class beyond the list, an unknown image
    Path masks = Files.createDirectories(tmp.resolve("masks"));
    List<Path> originals;
    try (var files = Files.list(input.resolve("_masks"))) {
      originals = files.sorted().toList();
    }
    for (Path m : originals) {
      Files.copy(m, masks.resolve(m.getFileName()));
    }
    BufferedImage small = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
    ImageIO.write(small, "png", masks.resolve("1.2.3.4.png").toFile());
    BufferedImage three = ImageIO.read(originals.get(1).toFile());
    three.getRaster().setSample(0, 0, 0, 3);
    ImageIO.write(three, "png", masks.resolve(originals.get(1).getFileName()).toFile());
    ImageIO.write(small, "png", masks.resolve(originals.get(2).getFileName()).toFile());

    MaskLabelImport.Report report = MaskLabelImport.run(TestTools.spark(), new MaskLabelImport.Request(
        dataset.toString(), null, masks, List.of("mass", "calcification"), tmp.resolve("labels"), null));
    assertEquals(List.of("1.2.3.4"), report.unknownImages());
    assertEquals(1, report.wrongSize());
    assertEquals(1, report.unknownClass());
    assertEquals(originals.size() - 2, report.images());
    assertTrue(report.unusable());

    MaskTable table = MaskTable.read(report.snapshot());
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    var pseudonyms = new org.radlab.core.deid.Pseudonymizer(org.radlab.core.deid.SiteSecret.load(
        tmp.resolve("secret")));
    BoxTable boxes = BoxTable.readReference(input.resolve("boxes.csv"), "SOPInstanceUID");
    int checked = 0;
    int mirrored = 0;
    for (String sop : boxes.images()) {
      String id = pseudonyms.imageId(sop, 0);
      LabelMask mask = table.masks().get(id);
      if (mask == null) {
        continue; // one of the two left out above
      }
      ImageList.Entry e = catalog.get(id);
      assertEquals(e.pngWidth(), mask.width());
      assertEquals(e.pngHeight(), mask.height());
      mirrored += e.mirrored() ? 1 : 0;
      for (int c = 1; c <= 2; c++) {
        String label = c == 1 ? "mass" : "calcification";
        List<BoxTable.Box> mapped = new ArrayList<>();
        for (BoxTable.Box b : boxes.boxes()) {
          if (b.image().equals(sop) && b.label().equals(label)) {
            mapped.add(BoxTable.originalToPng(b, e));
          }
        }
        double[] extent = extent(mask, c);
        if (mapped.isEmpty()) {
          assertTrue(extent == null, "no " + label + " on " + sop + " but the mask has some");
          continue;
        }
        double x0 = mapped.stream().mapToDouble(BoxTable.Box::xMin).min().orElseThrow();
        double y0 = mapped.stream().mapToDouble(BoxTable.Box::yMin).min().orElseThrow();
        double x1 = mapped.stream().mapToDouble(BoxTable.Box::xMax).max().orElseThrow();
        double y1 = mapped.stream().mapToDouble(BoxTable.Box::yMax).max().orElseThrow();
        assertTrue(extent != null, label + " on " + sop);
        String what = label + " on " + sop + ": mask extent " + java.util.Arrays.toString(extent) + ", boxes ["
            + x0 + ", " + y0 + ", " + x1 + ", " + y1 + "]";
        assertEquals(x0, extent[0], 2, what);
        assertEquals(y0, extent[1], 2, what);
        assertEquals(x1, extent[2], 2, what);
        assertEquals(y1, extent[3], 2, what);
        checked++;
      }
    }
    assertTrue(checked >= 3 && mirrored > 0, checked + " lesion classes checked, " + mirrored + " mirrored images");
  }

  /** The pixel-edge extent {x0, y0, x1, y1} of class {@code c} in a mask; null when absent. */
  private static double[] extent(LabelMask m, int c) {
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < m.height(); y++) {
      for (int x = 0; x < m.width(); x++) {
        if (m.at(x, y) == c) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x + 1);
          y1 = Math.max(y1, y + 1);
        }
      }
    }
    return x1 < 0 ? null : new double[] {x0, y0, x1, y1};
  }
}
