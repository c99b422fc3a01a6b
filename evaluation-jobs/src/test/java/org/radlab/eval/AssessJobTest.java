package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.jobs.AssessConfig;

/** A deployed model's predictions over two months, against the reads, worked out by hand. */
class AssessJobTest {
  @TempDir Path dir;

  @Test
  void metricsTimelineAndDriftByMonth() throws Exception {
    Path csv = dir.resolve("deployed.csv");
    // January: perfect (2 positive read and called, 2 negative); February: one FP (s6) and one FN (s7)
    Files.writeString(csv, String.join("\n",
        "study,date,read,benign,malignant",
        "s1,2024-01-03,malignant,0.1,0.9",
        "s2,2024-01-10,benign,0.8,0.2",
        "s3,20240115,malignant,0.3,0.7",
        "s4,2024-01-20,benign,0.9,0.1",
        "s5,2024-02-02,malignant,0.2,0.8",
        "s6,2024-02-09,benign,0.4,0.6",
        "s7,2024-02-16,malignant,0.7,0.3",
        "s8,2024-02-23,benign,0.95,0.05") + "\n");
    AssessConfig cfg = new AssessConfig(csv.toString(), List.of("malignant"), 0.5, null, 100, 1L,
        dir.resolve("out").toString(), null);
    AssessJob.Assessment a = AssessJob.run(cfg);

    assertEquals(8, a.overall().cases());
    // at 0.5: TP s1 s3 s5, FP s6, FN s7, TN s2 s4 s8 -> sensitivity 3/4, specificity 3/4
    assertEquals(0.75, a.overall().binary().sensitivity(), 1e-12);
    assertEquals(0.75, a.overall().binary().specificity(), 1e-12);
    Map<String, String> outcomes = a.timeline().stream()
        .collect(Collectors.toMap(AssessJob.TimelinePoint::study, AssessJob.TimelinePoint::outcome));
    assertEquals("FP", outcomes.get("s6"));
    assertEquals("FN", outcomes.get("s7"));
    assertEquals("TP", outcomes.get("s3"));
    assertEquals("2024-01-15", a.timeline().get(2).date(), "YYYYMMDD dates read, timeline sorted");

    assertEquals(2, a.drift().size());
    AssessJob.PeriodRow jan = a.drift().get(0);
    AssessJob.PeriodRow feb = a.drift().get(1);
    assertEquals("2024-01", jan.period());
    assertEquals(1.0, jan.kappaLinear(), 1e-12);
    assertEquals(1.0, jan.auc(), 1e-12);
    // February scores .8(+) .6(-) .3(+) .05(-): pairs (.8>.6) (.8>.05) (.3<.6) (.3>.05) -> 3/4
    assertEquals(0.75, feb.auc(), 1e-12);
    // February calls: s5, s6 positive -> 2/4; reads: s5, s7 -> 2/4; agreement 2/4 with pe 1/2 -> kappa 0
    assertEquals(0.5, feb.predictedPositiveRate(), 1e-12);
    assertEquals(0.0, feb.kappaLinear(), 1e-12);

    // the sweep is monotone in sensitivity
    for (int i = 1; i < a.thresholdSweep().size(); i++) {
      assertTrue(a.thresholdSweep().get(i).sensitivity() <= a.thresholdSweep().get(i - 1).sensitivity());
    }
    for (String f : new String[] {"assessment.json", "probability-over-time.png", "probability-over-time.svg",
        "roc.png", "confusion-matrix.svg"}) {
      assertTrue(Files.size(dir.resolve("out").resolve(f)) > 100, f);
    }
  }

  @Test
  void badRowsAndOptionsAreNamed() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "study,date,read,neg,pos\ns1,2024-13-01,pos,0.1,0.9\n");
    var e = assertThrows(IllegalArgumentException.class,
        () -> AssessJob.run(new AssessConfig(csv.toString(), null, null, null, 0, null, dir.resolve("o").toString(),
            null)));
    assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("date"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new AssessConfig(csv.toString(), null, null, "fortnight", 0, null, null, null));
  }
}
