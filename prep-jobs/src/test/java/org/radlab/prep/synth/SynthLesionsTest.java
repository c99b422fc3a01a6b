package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.radlab.core.testing.DicomTools;

/**
 * {@code synth --lesions}: the ground truth (boxes.csv, the masks) describes what is really in the DICOM files. The
 * same run without lesions is the reference: decoded by dcmtk, the two runs' pixels differ only around the boxes,
 * and inside every box; and without lesions nothing changed, the files equal those of a run that never heard of
 * lesions.
 */
class SynthLesionsTest {
  private static final int STUDIES = 6;
  @TempDir Path tmp;

  @Test
  void theBoxesAndMasksAreWhereThePixelsChanged() throws Exception {
    Path with = tmp.resolve("with");
    Path without = tmp.resolve("without");
    SynthResult drawn = SyntheticMammography.generate(SynthConfig.small(with, STUDIES, 7).withLesions(true));
    SyntheticMammography.generate(SynthConfig.small(without, STUDIES, 7));
    assertTrue(Files.notExists(without.resolve(SyntheticMammography.BOXES_FILE)));
    assertTrue(Files.notExists(without.resolve(SyntheticMammography.MASKS_DIR)));

    BoxTable truth = BoxTable.readReference(with.resolve(SyntheticMammography.BOXES_FILE),
        SyntheticMammography.IMAGE_COLUMN);
    assertEquals(4 * STUDIES, truth.images().size(), "every image is listed, with lesions or not");
    Map<String, List<BoxTable.Box>> byImage = new HashMap<>();
    truth.images().forEach(i -> byImage.put(i, new ArrayList<>()));
    truth.boxes().forEach(b -> byImage.get(b.image()).add(b));
    long none = byImage.values().stream().filter(List::isEmpty).count();
    long several = byImage.values().stream().filter(l -> l.size() >= 2).count();
    assertTrue(none >= 2 && several >= 2, none + " images without lesions, " + several + " with several");
    assertTrue(truth.labels().containsAll(List.of("mass", "calcification")), truth.labels().toString());

    int rows = SynthConfig.SMALL_ROWS;
    int columns = SynthConfig.SMALL_COLUMNS;
    int margin = (int) Math.ceil(0.2 * 0.06 * columns) + 2; // the soft edge outside the half-contrast line
    for (SynthStudy study : drawn.studies()) {
      for (SynthImage image : study.images()) {
        List<BoxTable.Box> boxes = byImage.get(image.sopInstanceUid());
        Path plain = without.resolve(with.relativize(image.file()));
        byte[] a = DicomTools.dcmtkPixels(image.file(), tmp.resolve("work-a"));
        byte[] b = DicomTools.dcmtkPixels(plain, tmp.resolve("work-b"));
        assertEquals(a.length, b.length);
        boolean[] inBox = new boolean[boxes.size()];
        for (int p = 0; p < a.length / 2; p++) {
          if (a[2 * p] == b[2 * p] && a[2 * p + 1] == b[2 * p + 1]) {
            continue;
          }
          int x = p % columns;
          int y = p / columns;
          boolean near = false;
          for (int k = 0; k < boxes.size(); k++) {
            BoxTable.Box box = boxes.get(k);
            near |= x >= box.xMin() - margin && x < box.xMax() + margin && y >= box.yMin() - margin
                && y < box.yMax() + margin;
            inBox[k] |= x >= box.xMin() && x < box.xMax() && y >= box.yMin() && y < box.yMax();
          }
          assertTrue(near, image.file() + ": pixel (" + x + ", " + y + ") changed away from every box " + boxes);
        }
        for (int k = 0; k < boxes.size(); k++) {
          assertTrue(inBox[k], image.file() + ": nothing was drawn in " + boxes.get(k));
        }
        // the mask: its pixels of each class lie in that class's boxes, and touch each box's four edges
        BufferedImage mask = ImageIO.read(with.resolve(SyntheticMammography.MASKS_DIR)
            .resolve(image.sopInstanceUid() + ".png").toFile());
        assertEquals(columns, mask.getWidth());
        assertEquals(rows, mask.getHeight());
        for (int y = 0; y < rows; y++) {
          for (int x = 0; x < columns; x++) {
            int v = mask.getRaster().getSample(x, y, 0);
            if (v == 0) {
              continue;
            }
            String label = v == 1 ? "mass" : v == 2 ? "calcification" : "value " + v;
            int fx = x;
            int fy = y;
            assertTrue(boxes.stream().anyMatch(box -> box.label().equals(label) && fx >= box.xMin()
                && fx < box.xMax() && fy >= box.yMin() && fy < box.yMax()), "mask pixel " + x + "," + y + " " + label);
          }
        }
        for (BoxTable.Box box : boxes) {
          int value = box.label().equals("mass") ? 1 : 2;
          assertTrue(rowHas(mask, (int) box.yMin(), box, value) && rowHas(mask, (int) box.yMax() - 1, box, value)
              && columnHas(mask, (int) box.xMin(), box, value) && columnHas(mask, (int) box.xMax() - 1, box, value),
              "the box is tight around its mask: " + box);
        }
      }
    }
  }

  @Test
  void withoutLesionsTheFilesAreUnchanged() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    SyntheticMammography.generate(SynthConfig.small(a, 2, 9).withSize(96, 80).withLesions(true));
    SyntheticMammography.generate(SynthConfig.small(b, 2, 9).withSize(96, 80));
    // the lesion run's random draws come from their own generators: the studies, UIDs and syntaxes are the same
    assertEquals(Files.readString(a.resolve("labels.csv")), Files.readString(b.resolve("labels.csv")));
    List<Path> dicom = DicomTools.dicomFiles(b).stream().map(b::relativize).toList();
    assertEquals(dicom, DicomTools.dicomFiles(a).stream().map(a::relativize).toList());
    Path c = tmp.resolve("c");
    SyntheticMammography.generate(SynthConfig.small(c, 2, 9).withSize(96, 80));
    for (Path f : dicom) {
      assertArrayEquals(Files.readAllBytes(b.resolve(f)), Files.readAllBytes(c.resolve(f)), f.toString());
    }
  }

  private static boolean rowHas(BufferedImage mask, int y, BoxTable.Box box, int value) {
    for (int x = (int) box.xMin(); x < box.xMax(); x++) {
      if (mask.getRaster().getSample(x, y, 0) == value) {
        return true;
      }
    }
    return false;
  }

  private static boolean columnHas(BufferedImage mask, int x, BoxTable.Box box, int value) {
    for (int y = (int) box.yMin(); y < box.yMax(); y++) {
      if (mask.getRaster().getSample(x, y, 0) == value) {
        return true;
      }
    }
    return false;
  }
}
