package org.radlab.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The box CSV: what it reads from a hand-written file, a round trip, and errors that name the line. */
class BoxTableTest {
  @TempDir Path dir;

  @Test
  void readsByColumnNameAndKeepsImagesWithoutBoxes() throws Exception {
    Path csv = dir.resolve("truth.csv");
    Files.writeString(csv, "\uFEFFlabel,X_MIN,y_min,x_max,y_max,SOPInstanceUID\n"
        + "mass,1.5,2,30,40,1.2.3\n"
        + ",,,,,1.2.4\n"
        + "\"calc, cluster\",0,0,5,5,1.2.3\n");
    BoxTable t = BoxTable.readReference(csv, "SOPInstanceUID");
    assertEquals(List.of("1.2.3", "1.2.4"), t.images());
    assertEquals(List.of(new BoxTable.Box("1.2.3", "mass", 1.5, 2, 30, 40, Double.NaN),
        new BoxTable.Box("1.2.3", "calc, cluster", 0, 0, 5, 5, Double.NaN)), t.boxes());
    assertEquals(List.of("mass", "calc, cluster"), t.labels());

    Path again = dir.resolve("again.csv");
    Files.writeString(again, t.csv(false));
    BoxTable back = BoxTable.readReference(again, BoxTable.IMAGE);
    assertEquals(t.images(), back.images());
    assertEquals(t.boxes(), back.boxes());
  }

  @Test
  void badRowsNameTheirLine() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "image,x_min,y_min,x_max,y_max,label,score\na,0,0,5,5,mass,0.5\nb,0,0,,5,mass,0.5\n");
    var partial = assertThrows(IllegalArgumentException.class, () -> BoxTable.readPredictions(csv, "image"));
    assertTrue(partial.getMessage().contains("line 3") && partial.getMessage().contains("x_max"),
        partial.getMessage());
    Files.writeString(csv, "image,x_min,y_min,x_max,y_max,label,score\na,0,0,5,5,mass,NaN\n");
    var nan = assertThrows(IllegalArgumentException.class, () -> BoxTable.readPredictions(csv, "image"));
    assertTrue(nan.getMessage().contains("score must be a finite number"), nan.getMessage());
    Files.writeString(csv, "image,x_min,y_min,x_max,y_max,label\na,0,0,5,5,mass\n");
    var noScore = assertThrows(IllegalArgumentException.class, () -> BoxTable.readPredictions(csv, "image"));
    assertTrue(noScore.getMessage().contains("no column 'score'"), noScore.getMessage());
    Files.writeString(csv, "image,x_min,y_min,x_max,y_max,label\na,0,0,5,5\n");
    var fields = assertThrows(IllegalArgumentException.class, () -> BoxTable.readReference(csv, "image"));
    assertTrue(fields.getMessage().contains("line 2: 5 fields"), fields.getMessage());
  }

  /**
   * A box in a PNG's pixels back in its original's: a 300 x 200 original shown as a 120 x 80 PNG (2.5 original
   * pixels to a PNG pixel). PNG box 10..30 x 20..40 is original 25..75 x 50..100; mirrored (a right breast), the
   * columns count from the right edge: 300 - 75 .. 300 - 25 = 225..275. A box reaching past the PNG is clipped; one
   * wholly outside is null.
   */
  @Test
  void pngBoxesGoBackIntoTheOriginalsPixels() {
    BoxTable.Box b = new BoxTable.Box("i", "mass", 10, 20, 30, 40, 0.7);
    BoxTable.Box plain = BoxTable.pngToOriginal(b, entry(false));
    assertEquals(new BoxTable.Box("i", "mass", 25, 50, 75, 100, 0.7), plain);
    BoxTable.Box mirrored = BoxTable.pngToOriginal(b, entry(true));
    assertEquals(new BoxTable.Box("i", "mass", 225, 50, 275, 100, 0.7), mirrored);
    BoxTable.Box past = BoxTable.pngToOriginal(new BoxTable.Box("i", "mass", 100, -5, 130, 10, 0.5), entry(true));
    assertEquals(new BoxTable.Box("i", "mass", 0, 0, 50, 25, 0.5), past);
    assertEquals(null, BoxTable.pngToOriginal(new BoxTable.Box("i", "mass", 121, 1, 130, 2, 0.5), entry(false)));
    // and back: originalToPng is its reverse
    BoxTable.Box again = BoxTable.originalToPng(mirrored, entry(true));
    assertEquals(List.of(10.0, 20.0, 30.0, 40.0), List.of(again.xMin(), again.yMin(), again.xMax(), again.yMax()));
  }

  static ImageList.Entry entry(boolean mirrored) {
    return new ImageList.Entry("i", null, null, null, 0, "MG", null, null, mirrored ? "R" : "L", null, null, 200, 300,
        null, 120, 80, mirrored, null, null, null, null);
  }
}
