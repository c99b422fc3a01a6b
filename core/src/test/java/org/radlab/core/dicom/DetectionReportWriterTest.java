package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * The SR a detector's boxes become, read back by dcmtk's dsrdump (the content tree, no warning) and dcmdump (the
 * evidence). The PACS round trip, with boxes moved from prepared PNGs into the originals, is cli's PullTest.
 */
class DetectionReportWriterTest {
  @TempDir Path tmp;
  private static final LocalDateTime NOW = LocalDateTime.of(2027, 3, 4, 5, 6, 7);
  private static final String MAMMOGRAM = "1.2.840.10008.5.1.4.1.1.1.2";
  private static final String TOMOSYNTHESIS = "1.2.840.10008.5.1.4.1.1.13.1.3";
  private static final DetectionReportWriter.Image LEFT = new DetectionReportWriter.Image("1.2.3.1", MAMMOGRAM,
      "1.2.3.1.1", null);
  private static final DetectionReportWriter.Image SLICE = new DetectionReportWriter.Image("1.2.3.2", TOMOSYNTHESIS,
      "1.2.3.2.1", 7);
  private static final DetectionReportWriter.Image EMPTY = new DetectionReportWriter.Image("1.2.3.1", MAMMOGRAM,
      "1.2.3.1.2", null);

  private static DetectionReportWriter.Detections detections(double score) {
    return new DetectionReportWriter.Detections(Map.of("StudyInstanceUID", "1.2.3", "PatientID", "P-9"),
        "masses-v1", List.of(LEFT, EMPTY, SLICE), List.of(
            new DetectionReportWriter.Box(LEFT, "mass", "mass", "RDE77.1", "A mass.", score, 10.5, 20, 30, 44.25),
            new DetectionReportWriter.Box(SLICE, "calcification", "calcification", null, null, 0.6, 1, 2, 3, 4)));
  }

  @Test
  void dcmtkReadsEachBoxAsAFindingWithItsScoreAndRegionOnItsImage() throws Exception {
    DetectionReportWriter.Detections d = detections(0.875);
    Path f = tmp.resolve("boxes.dcm");
    Files.write(f, DetectionReportWriter.bytes(d, NOW));
    String tree = DicomTools.output("dsrdump", "-v", "+Pc", "+Pl", "+Pu", "+Psu", f.toString());
    assertFalse(tree.contains("W: ") || tree.contains("E: "), tree);
    List<String> lines = tree.lines().map(String::strip).toList();
    int mass = lines.indexOf("<contains CODE:(121071,DCM,\"Finding\")=(RDE77.1,RADELEMENT,\"mass\")>");
    assertTrue(mass > 0, tree);
    assertEquals("<has properties NUM:(score,99RADLAB,\"Detection score\")=\"0.875\" (1,UCUM,\"no units\")>",
        lines.get(mass + 1));
    assertEquals("<inferred from SCOORD:(111030,DCM,\"Image Region\")=(POLYLINE,10.5/20,30/20,30/44.25,10.5/44.25,"
        + "10.5/20)>", lines.get(mass + 2));
    assertTrue(lines.get(mass + 3).equals("<selected from IMAGE:=(\"" + MAMMOGRAM + "\",\"1.2.3.1.1\")>"),
        lines.get(mass + 3));
    int calcification = lines.indexOf(
        "<contains CODE:(121071,DCM,\"Finding\")=(calcification,99RADLAB,\"calcification\")>");
    assertTrue(calcification > mass, "no CDE: the local code, after the first box: " + tree);
    assertEquals("<selected from IMAGE:=(\"" + TOMOSYNTHESIS + "\",\"1.2.3.2.1\",7)>", lines.get(calcification + 3),
        "the frame of the multi-frame image");
    assertTrue(tree.contains("(121073,DCM,\"Impression\")=\"A mass.\""), tree);
    String dump = DicomTools.output("dcmdump", "-Un", "+P", "ReferencedSOPInstanceUID", f.toString());
    for (String sop : List.of("1.2.3.1.1", "1.2.3.1.2", "1.2.3.2.1")) {
      assertTrue(dump.contains("[" + sop + "]"), "evidence names every image read, boxes or not: " + dump);
    }
    assertEquals("1.2.3", DicomTools.dcmdumpValue(f, "StudyInstanceUID"));
    assertEquals("P-9", DicomTools.dcmdumpValue(f, "PatientID"));
    assertEquals(DetectionReportWriter.sopInstanceUid(d), DicomTools.dcmdumpValue(f, "SOPInstanceUID"));
  }

  @Test
  void theSameBoxesGetTheSameUidAndOtherBoxesANewOne() {
    String once = DetectionReportWriter.sopInstanceUid(detections(0.875));
    assertEquals(once, DetectionReportWriter.sopInstanceUid(detections(0.875)));
    assertNotEquals(once, DetectionReportWriter.sopInstanceUid(detections(0.8)));
    assertTrue(once.matches("2\\.25\\.\\d+") && once.length() <= 64, once);
  }

  @Test
  void aBoxMustBeOnAnImageRead() {
    var e = assertThrows(IllegalArgumentException.class, () -> new DetectionReportWriter.Detections(
        Map.of("StudyInstanceUID", "1.2.3"), "m", List.of(LEFT), List.of(new DetectionReportWriter.Box(SLICE, "mass",
        "mass", null, null, 0.5, 0, 0, 1, 1))));
    assertTrue(e.getMessage().contains("1.2.3.2.1"), e.getMessage());
  }
}
