package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.AssessConfig;
import org.radlab.core.task.TaskType;

/**
 * A deployed segmenter's assessment on three cases worked by hand (classes liver = 1, lesion = 2):
 * <pre>
 * c1 2027-01-10, 4 x 2 x 1, spacing 1 x 1 x 2 mm (0.002 mL a voxel)
 *    read  1 1 1 0 / 0 0 2 0     model 1 1 0 0 / 0 1 2 2
 *    liver: 3 and 3 voxels, 2 shared: Dice 4/6, IoU 2/4; lesion: 1 and 2, 1 shared: Dice 2/3, IoU 1/2
 * c2 2027-01-20, 2 x 2 x 2, spacing 1 x 1 x 1 mm (0.001 mL)
 *    read  1 1 0 0 | 1 0 0 0      model 1 1 1 0 | 0 0 0 0
 *    liver: 3 and 3, 2 shared: Dice 2/3, IoU 1/2; no lesion (left out of the means)
 * c3 2027-02-05, 2 x 2 x 1, spacing 2 x 2 x 1 mm (0.004 mL)
 *    read  1 1 1 1                model 1 1 1 0
 *    liver: 4 read, 3 predicted: Dice 6/7, IoU 3/4
 * </pre>
 * Liver: Dice (2/3 + 2/3 + 6/7) / 3, IoU (1/2 + 1/2 + 3/4) / 3; lesion Dice 2/3, IoU 1/2; the overall means average
 * the two classes. Liver volumes predicted minus read: 0, 0 and 0.012 - 0.016 mL, so the bias is -0.004/3 mL and the
 * standard deviation of the differences sqrt(((0.004/3)² · 2 + (0.008/3)²) / 2). One case has a lesion, too few
 * for its Bland-Altman.
 */
class SegmentationAssessmentTest {
  @TempDir Path dir;

  private static final String CSV = SegmentationAssessment.LAYOUT + "\n"
      + "c1,2027-01-10,read,4,2,1,1,1,2,1*3 0*3 2*1 0*1\n"
      + "c1,2027-01-10,model,4,2,1,1,1,2,1*2 0*3 1*1 2*2\n"
      + "c2,2027-01-20,read,2,2,2,1,1,1,1*2 0*2 1*1 0*3\n"
      + "c2,2027-01-20,model,2,2,2,1,1,1,1*3 0*5\n"
      + "c3,2027-02-05,model,2,2,1,2,2,1,1*3 0*1\n"
      + "c3,2027-02-05,read,2,2,1,2,2,1,1*4\n";

  private AssessConfig config(Path input) {
    return new AssessConfig(input.toString(), null, null, "month", 200, 1L, dir.resolve("out").toString(),
        TaskType.SEGMENTATION, List.of("liver", "lesion"));
  }

  @Test
  void diceIouVolumesAndDriftAreThoseWorkedByHand() throws Exception {
    Path input = Files.writeString(dir.resolve("cases.csv"), CSV);
    SegmentationAssessment.Assessment a = SegmentationAssessment.run(config(input));
    double liverDice = (2.0 / 3 + 2.0 / 3 + 6.0 / 7) / 3;
    double liverIou = (0.5 + 0.5 + 0.75) / 3;
    assertEquals(3, a.cases());
    assertEquals(liverDice, a.overall().perClass().get("liver").dice(), 1e-12);
    assertEquals(liverIou, a.overall().perClass().get("liver").iou(), 1e-12);
    assertEquals(2.0 / 3, a.overall().perClass().get("lesion").dice(), 1e-12);
    assertEquals(0.5, a.overall().perClass().get("lesion").iou(), 1e-12);
    assertEquals((liverDice + 2.0 / 3) / 2, a.overall().dice(), 1e-12);
    assertEquals((liverIou + 0.5) / 2, a.overall().iou(), 1e-12);
    assertTrue(a.overall().perClass().get("liver").diceCi().lower() <= liverDice
        && liverDice <= a.overall().perClass().get("liver").diceCi().upper(), "the interval holds the mean");

    var liver = a.overall().volumes().get("liver").agreement();
    assertEquals(-0.004 / 3, liver.bias(), 1e-12);
    double sd = Math.sqrt((Math.pow(0.004 / 3, 2) * 2 + Math.pow(0.008 / 3, 2)) / 2);
    assertEquals(sd, liver.sd(), 1e-12);
    assertEquals(-0.004 / 3 + 1.96 * sd, liver.upper(), 1e-12);
    assertNull(a.overall().volumes().get("lesion").agreement(), "one case with a lesion: no agreement");

    assertEquals(List.of("c1", "c2", "c3"), a.timeline().stream().map(SegmentationAssessment.CasePoint::caseId)
        .toList());
    assertEquals(2.0 / 3, a.timeline().get(0).dice(), 1e-12); // mean of 4/6 and 2/3
    assertEquals(2.0 / 3, a.timeline().get(1).dice(), 1e-12); // the lesion is in neither mask
    assertEquals(6.0 / 7, a.timeline().get(2).dice(), 1e-12);
    assertEquals(0.004, a.timeline().get(0).volumes().get("lesion").predicted(), 1e-12);
    assertEquals(0.002, a.timeline().get(0).volumes().get("lesion").reference(), 1e-12);
    assertEquals(0.016, a.timeline().get(2).volumes().get("liver").reference(), 1e-12);

    assertEquals(List.of("2027-01", "2027-02"), a.drift().stream().map(SegmentationAssessment.PeriodRow::period)
        .toList());
    assertEquals(2.0 / 3, a.drift().get(0).dice(), 1e-12);
    assertEquals(0.5, a.drift().get(0).iou(), 1e-12);
    assertEquals(2.0 / 3, a.drift().get(0).dicePerClass().get("lesion"), 1e-12);
    assertEquals(6.0 / 7, a.drift().get(1).dice(), 1e-12);
    assertTrue(Double.isNaN(a.drift().get(1).dicePerClass().get("lesion")));

    JsonNode json = new ObjectMapper().readTree(dir.resolve("out").resolve("assessment.json").toFile());
    assertEquals("segmentation", json.get("task").asText());
    assertEquals(3, json.get("timeline").size());
    assertTrue(Files.size(dir.resolve("out").resolve("liver-bland-altman.png")) > 1000);
    assertTrue(Files.size(dir.resolve("out").resolve("lesion-volumes.svg")) > 1000);
    assertTrue(SegmentationAssessment.describe(a).contains("liver volume bias"), SegmentationAssessment.describe(a));
  }

  @Test
  void aCaseWithoutBothMasksOrWithMismatchedOnesIsRefusedNamingIt() throws Exception {
    String missing = CSV.replace("c3,2027-02-05,read,2,2,1,2,2,1,1*4\n", "");
    var e = assertThrows(IllegalArgumentException.class, () -> SegmentationAssessment.run(config(
        Files.writeString(dir.resolve("a.csv"), missing))));
    assertTrue(e.getMessage().contains("case c3 has no read row"), e.getMessage());
    String resized = CSV.replace("c3,2027-02-05,read,2,2,1,2,2,1,1*4", "c3,2027-02-05,read,4,1,1,2,2,1,1*4");
    e = assertThrows(IllegalArgumentException.class, () -> SegmentationAssessment.run(config(
        Files.writeString(dir.resolve("b.csv"), resized))));
    assertTrue(e.getMessage().contains("differ in size or spacing"), e.getMessage());
    String three = CSV.replace("1*2 0*3 1*1 2*2", "1*2 0*3 1*1 3*2");
    e = assertThrows(IllegalArgumentException.class, () -> SegmentationAssessment.run(config(
        Files.writeString(dir.resolve("c.csv"), three))));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("class index 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new AssessConfig("x.csv", null, null, null, 0, null, null,
        TaskType.SEGMENTATION, null));
    assertTrue(e.getMessage().contains("classes"), e.getMessage());
  }
}
