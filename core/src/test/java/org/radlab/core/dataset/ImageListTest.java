package org.radlab.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images.csv read by header names from hand-written files: quoting, empty fields, column order, broken files. */
class ImageListTest {
  @TempDir Path tmp;

  @Test
  void readsColumnsByNameWithQuotedAndEmptyFields() throws IOException {
    // the columns of the file's own header, shuffled: png_* first, image_id last
    Path csv = Files.writeString(tmp.resolve("images.csv"), String.join("\n",
        "png_path,png_width,png_height,patient_id,study_uid,series_uid,frame,modality,body_part,view_position,"
            + "laterality,study_date,manufacturer,rows,columns,image_id",
        "png/ab/ab12.png,819,1024,P1,1.2.3,1.2.3.4,0,MG,BREAST,CC,L,,\"Acme, Inc.\",2500,2000,ab12",
        "",
        "png/cd/cd34.png,,,P1,1.2.3,1.2.3.5,,MG,,MLO,,20240102,,,,cd34", ""));
    List<ImageList.Entry> images = ImageList.read(csv);
    assertEquals(2, images.size());
    ImageList.Entry first = images.get(0);
    assertEquals("ab12", first.imageId());
    assertEquals("Acme, Inc.", first.manufacturer());
    assertEquals(819, first.pngWidth());
    assertEquals(1024, first.pngHeight());
    assertEquals(2500, first.rows());
    assertNull(first.studyDate());
    ImageList.Entry second = images.get(1);
    assertEquals("MLO", second.viewPosition());
    assertNull(second.pngWidth());
    assertNull(second.frame());
    assertNull(second.laterality());
    assertNull(first.mirrored(), "a catalog written before prep recorded mirroring");
  }

  @Test
  void readsWhetherPrepMirroredTheImage() throws IOException {
    Path csv = Files.writeString(tmp.resolve("images.csv"), String.join(",", ImageList.COLUMNS) + "\n"
        + "ab12,P1,1.2.3,1.2.3.4,0,MG,BREAST,CC,R,,,2500,2000,png/ab/ab12.png,819,1024,true,0.1,0.1,,\n"
        + "cd34,P1,1.2.3,1.2.3.5,0,CT,ABDOMEN,,,,,512,512,png/cd/cd34.png,512,512,false,0.78,0.7,-102.5,2.5\n");
    List<ImageList.Entry> images = ImageList.read(csv);
    assertEquals(true, images.get(0).mirrored());
    assertEquals(false, images.get(1).mirrored());
    assertNull(images.get(0).slicePosition(), "a mammogram has no slice position");
    assertEquals(0.78, images.get(1).rowSpacing());
    assertEquals(0.7, images.get(1).columnSpacing());
    assertEquals(-102.5, images.get(1).slicePosition());
    assertEquals(2.5, images.get(1).sliceSpacing());
  }

  @Test
  void aMissingColumnAShortLineOrABadNumberIsNamed() throws IOException {
    Path noFrame = Files.writeString(tmp.resolve("a.csv"), "image_id,patient_id\nx,y\n");
    assertTrue(assertThrows(IOException.class, () -> ImageList.read(noFrame)).getMessage()
        .contains("no column study_uid"));
    String header = String.join(",", ImageList.COLUMNS);
    Path shortLine = Files.writeString(tmp.resolve("b.csv"), header + "\nab12,P1\n");
    assertTrue(assertThrows(IOException.class, () -> ImageList.read(shortLine)).getMessage()
        .contains("line 2 has 2 fields"));
    Path badNumber = Files.writeString(tmp.resolve("c.csv"), header
        + "\nab12,P1,1.2.3,1.2.3.4,one,MG,BREAST,CC,L,,,2500,2000,png/ab/ab12.png,819,1024,false,,,,\n");
    assertTrue(assertThrows(IOException.class, () -> ImageList.read(badNumber)).getMessage()
        .contains("line 2: not a number"));
    Path empty = Files.writeString(tmp.resolve("d.csv"), "");
    assertTrue(assertThrows(IOException.class, () -> ImageList.read(empty)).getMessage().contains("is empty"));
  }
}
