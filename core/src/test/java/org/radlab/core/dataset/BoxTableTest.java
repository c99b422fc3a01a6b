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
}
