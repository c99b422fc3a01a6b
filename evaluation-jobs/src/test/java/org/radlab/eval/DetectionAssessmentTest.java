package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.AssessConfig;
import org.radlab.core.task.TaskType;
import org.radlab.core.testing.DetectionReference;

/**
 * A deployed detector's assessment on five cases worked by hand: the operating measures at score 0.5, overall and
 * per month, and mAP against numpy's COCO evaluation of the same boxes.
 */
class DetectionAssessmentTest {
  @TempDir Path dir;

  /*
   * c1 (Jan): read mass [0,0,10,10]; shown mass [0,0,10,10] (IoU 1, found), calc [20,20,30,30] (no read calc: a
   *     false positive); mass [50,50,60,60] at 0.3 is not shown.
   * c2 (Jan): read mass [0,0,10,10] and calc [20,20,30,30]; shown mass [0,0,10,5]: IoU 50/100 = 0.5, found; the calc
   *     is missed (IoU 0).
   * c3 (Feb): read nothing; shown mass [5,5,15,15]: a false positive.
   * c4 (Feb): read mass [0,0,10,10]; shown mass [5,0,15,10]: IoU 50/150 = 1/3, paired but not found, and a false
   *     positive.
   * c5 (Feb): nothing read, nothing drawn.
   * Overall: 4 read boxes, 5 shown, 2 found: sensitivity 1/2, 3 false positives over 5 cases (0.6), mean IoU
   * (1 + 0.5 + 0 + 1/3) / 4. January: 3 read, 3 shown, 2 found, 1 FP, mean IoU 1.5 / 3. February: 1 read, 2 shown,
   * 0 found, 2 FPs, mean IoU 1/3.
   */
  private static final String MODEL = String.join("\n",
      "c1,2024-01-05,0,0,10,10,mass,0.9", "c1,2024-01-05,20,20,30,30,calc,0.8", "c1,2024-01-05,50,50,60,60,mass,0.3",
      "c2,2024-01-20,0,0,10,5,mass,0.7", "c3,2024-02-10,5,5,15,15,mass,0.6", "c4,2024-02-11,5,0,15,10,mass,0.55",
      "c5,2024-02-12,,,,,,");
  private static final String READS = String.join("\n",
      "c1,2024-01-05,0,0,10,10,mass", "c2,2024-01-20,0,0,10,10,mass", "c2,2024-01-20,20,20,30,30,calc",
      "c3,2024-02-10,,,,,", "c4,2024-02-11,0,0,10,10,mass", "c5,2024-02-12,,,,,");

  @Test
  void operatingMeasuresAreTheHandWorkedOnesAndMapIsNumpys() throws Exception {
    StringBuilder csv = new StringBuilder("case,date,source,x_min,y_min,x_max,y_max,label,score\n");
    MODEL.lines().forEach(l -> csv.append(insertSource(l, "model")).append('\n'));
    READS.lines().forEach(l -> csv.append(insertSource(l, "read")).append(",\n"));
    Path input = Files.writeString(dir.resolve("deployment.csv"), csv);
    AssessConfig cfg = new AssessConfig(input.toString(), null, 0.5, "month", 50, 1L, dir.resolve("out").toString(),
        TaskType.DETECTION);
    DetectionAssessment.Assessment a = DetectionAssessment.run(cfg);

    DetectionAssessment.Operating all = a.overall().operating();
    assertEquals(5, a.overall().cases());
    assertEquals(4, all.readBoxes());
    assertEquals(5, all.shownBoxes());
    assertEquals(0.5, all.sensitivity(), 1e-12);
    assertEquals(3, all.falsePositives());
    assertEquals(0.6, all.falsePositivesPerCase(), 1e-12);
    assertEquals((1 + 0.5 + 0 + 1.0 / 3) / 4, all.meanIou(), 1e-12);
    assertEquals(2, a.drift().size());
    DetectionAssessment.Operating jan = a.drift().get(0).operating();
    DetectionAssessment.Operating feb = a.drift().get(1).operating();
    assertEquals("2024-01", a.drift().get(0).period());
    assertEquals(2, jan.cases());
    assertEquals(2.0 / 3, jan.sensitivity(), 1e-12);
    assertEquals(0.5, jan.meanIou(), 1e-12);
    assertEquals(1, jan.falsePositives());
    assertEquals(3, feb.cases());
    assertEquals(0, feb.sensitivity(), 0);
    assertEquals(1.0 / 3, feb.meanIou(), 1e-12);
    assertEquals(2.0 / 3, feb.falsePositivesPerCase(), 1e-12);
    DetectionAssessment.CasePoint c4 = a.timeline().stream().filter(p -> p.caseId().equals("c4")).findFirst()
        .orElseThrow();
    assertEquals(0, c4.found());
    assertEquals(1, c4.falsePositives());

    // mAP and AP50 over every box with its score, against numpy's COCO evaluation of the same boxes
    Path truth = Files.writeString(dir.resolve("truth.csv"), "image,x_min,y_min,x_max,y_max,label\n"
        + READS.lines().map(l -> l.replaceFirst(",2024-\\d\\d-\\d\\d", "")).reduce((x, y) -> x + "\n" + y)
        .orElseThrow() + "\n");
    Path predictions = Files.writeString(dir.resolve("predictions.csv"), "image,x_min,y_min,x_max,y_max,label,score\n"
        + MODEL.lines().map(l -> l.replaceFirst(",2024-\\d\\d-\\d\\d", "")).reduce((x, y) -> x + "\n" + y)
        .orElseThrow() + "\n");
    JsonNode numpy = DetectionReference.run(truth, predictions, dir, false);
    assertEquals(numpy.get("mAP").asDouble(), a.overall().metrics().map(), 1e-9);
    assertEquals(numpy.get("AP50").asDouble(), a.overall().metrics().ap50(), 1e-9);
    assertTrue(a.overall().metrics().mapCi() != null, "the overall mAP has its interval");

    JsonNode written = new ObjectMapper().readTree(dir.resolve("out").resolve("assessment.json").toFile());
    assertEquals("detection", written.path("task").asText());
    assertEquals(5, written.path("timeline").size());
    assertTrue(Files.size(dir.resolve("out").resolve("precision-recall.png")) > 1000);
  }

  @Test
  void aCaseWithoutReadsAnUnknownSourceAndTwoDatesAreRefusedNamingThem() throws Exception {
    String header = "case,date,source,x_min,y_min,x_max,y_max,label,score\n";
    String both = "a,2024-01-01,model,,,,,,\na,2024-01-01,read,,,,,,\n";
    for (String[] bad : new String[][] {
        {both + "b,2024-01-02,model,0,0,5,5,mass,0.5\n", "case b has no read rows"},
        {both + "b,2024-01-02,radiologist,0,0,5,5,mass,\n", "source must be 'model' or 'read'"},
        {both + "b,2024-01-02,model,,,,,,\nb,2024-01-03,read,,,,,,\n", "dated 2024-01-03 here and 2024-01-02"},
        {both + "b,2024-01-02,model,0,0,5,5,mass,\nb,2024-01-02,read,,,,,,\n", "score must be a finite number"}}) {
      Path input = Files.writeString(dir.resolve("bad.csv"), header + bad[0]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionAssessment.run(
          new AssessConfig(input.toString(), null, null, null, 0, null, dir.resolve("o").toString(),
              TaskType.DETECTION)));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new AssessConfig("x.csv", java.util.List.of("mass"), null,
        null, 0, null, null, TaskType.DETECTION), "a detector's assessment names no positive classes");
  }

  private static String insertSource(String line, String source) {
    int second = line.indexOf(',', line.indexOf(',') + 1);
    return line.substring(0, second) + "," + source + line.substring(second);
  }
}
