package org.radlab.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mask snapshot's run-length text, worked by hand, and the rows it refuses. */
class MaskTableTest {
  @Test
  void runsAreRowMajorClassLengthPairs() {
    // 4 x 2: row 0 = 0 0 1 1, row 1 = 1 2 2 0 -> 0*2 1*3 2*2 0*1
    LabelMask m = new LabelMask(4, 2, new byte[] {0, 0, 1, 1, 1, 2, 2, 0});
    String csv = new MaskTable(Map.of("img", m)).csv();
    assertEquals("image,width,height,runs\nimg,4,2,0*2 1*3 2*2 0*1\n", csv);
    LabelMask back = MaskTable.read(csv.lines().toList(), "t").masks().get("img");
    assertArrayEquals(m.labels(), back.labels());
  }

  @Test
  void runsThatDoNotCoverTheMaskOrAreNotPairsAreRefusedNamingTheLine() {
    for (String[] bad : new String[][] {{"img,4,2,0*2 1*3", "cover 5 of the mask's 8"},
        {"img,4,2,0*9", "does not fit"}, {"img,4,2,0-8", "not CLASS*LENGTH"}, {"img,4,2,300*8", "does not fit"},
        {"img,0,2,0*0", "a mask of 0 x 2"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> MaskTable.read(List.of(MaskTable.HEADER, bad[0]), "t"));
      assertTrue(e.getMessage().contains("t line 2") && e.getMessage().contains(bad[1]), e.getMessage());
    }
  }

  /**
   * A PNG mask back at its original's size, by nearest neighbour: a 6 x 4 original shown as a 3 x 2 PNG (each PNG
   * pixel 2 x 2 original pixels). PNG pixel (column 0, row 0) of class 1 and (2, 1) of class 2 become original columns
   * 0..1, rows 0..1 and columns 4..5, rows 2..3; mirrored, the columns count from the right edge.
   */
  @Test
  void pngMasksGoBackToTheOriginalsSize() {
    LabelMask png = new LabelMask(3, 2, new byte[] {1, 0, 0, 0, 0, 2});
    ImageList.Entry plain = new ImageList.Entry("i", null, null, null, 0, "CT", null, null, null, null, null, 4, 6,
        null, 3, 2, false, null, null, null, null);
    assertArrayEquals(new byte[] {
        1, 1, 0, 0, 0, 0,
        1, 1, 0, 0, 0, 0,
        0, 0, 0, 0, 2, 2,
        0, 0, 0, 0, 2, 2}, MaskTable.pngToOriginal(png, plain).labels());
    ImageList.Entry mirrored = new ImageList.Entry("i", null, null, null, 0, "MG", null, null, "R", null, null, 4, 6,
        null, 3, 2, true, null, null, null, null);
    LabelMask back = MaskTable.pngToOriginal(png, mirrored);
    assertEquals(6, back.width());
    assertArrayEquals(new byte[] {
        0, 0, 0, 0, 1, 1,
        0, 0, 0, 0, 1, 1,
        2, 2, 0, 0, 0, 0,
        2, 2, 0, 0, 0, 0}, back.labels());
    assertArrayEquals(png.labels(), MaskTable.originalToPng(back, mirrored).labels(), "originalToPng reverses it");
  }
}
