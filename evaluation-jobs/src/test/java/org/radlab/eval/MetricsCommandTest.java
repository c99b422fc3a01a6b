package org.radlab.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.metrics.MetricsReport;
import picocli.CommandLine;

/** radlab metrics on a hand-checked file, through the real command line, and its errors. */
class MetricsCommandTest {
  @TempDir Path dir;

  @Test
  void fullMetricSetAsJson() throws Exception {
    Path csv = dir.resolve("vendor.csv");
    // 6 studies; argmax predictions: A, B, B, C, D, C against references A, B, C, C, D, D
    Files.writeString(csv, String.join("\n",
        "study,reference,A,B,C,D",
        "s1,A,0.7,0.2,0.1,0.0",
        "s2,B,0.1,0.6,0.2,0.1",
        "s3,C,0.1,0.5,0.3,0.1",
        "s4,C,0.0,0.2,0.6,0.2",
        "s5,D,0.0,0.1,0.2,0.7",
        "s6,D,0.0,0.1,0.5,0.4")
        + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true));
    int rc;
    try {
      rc = new CommandLine(new MetricsCommand()).execute("--predictions", csv.toString(), "--positive", "C,D",
          "--bootstrap", "200", "--charts", dir.resolve("charts").toString());
    } finally {
      System.setOut(old);
    }
    assertEquals(0, rc);
    JsonNode j = MetricsCommand.JSON.readTree(out.toString());
    assertEquals(6, j.get("cases").asInt());
    assertEquals(4.0 / 6, j.get("accuracy").asDouble(), 1e-12);
    // confusion: row C has (B, C), row D has (C, D)
    assertEquals(1, j.get("confusionMatrix").get(2).get(1).asInt());
    assertEquals(1, j.get("confusionMatrix").get(3).get(2).asInt());
    // dense (C+D) scores: .1 .3 .4 .8 .9 .9 ; positives s3..s6 -> all positives above all negatives: AUC 1
    assertEquals(1.0, j.get("binary").get("auc").asDouble(), 1e-12);
    // at 0.5: s4 .8, s5 .9, s6 .9 positive; s3 .4 missed: sensitivity 3/4, specificity 1
    assertEquals(0.75, j.get("binary").get("sensitivity").asDouble(), 1e-12);
    assertEquals(1.0, j.get("binary").get("specificity").asDouble(), 1e-12);
    assertEquals(List.of("C", "D"), List.of(j.get("binary").get("positiveClasses").get(0).asText(),
        j.get("binary").get("positiveClasses").get(1).asText()));
    assertTrue(j.get("kappaLinearCi").get("lower").asDouble() <= j.get("kappa").get("linear").asDouble());
    assertTrue(j.get("binary").get("roc").size() >= 3);
    for (String chart : new String[] {"confusion-matrix", "roc"}) {
      java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("charts/" + chart + ".png").toFile());
      assertEquals(640, png.getWidth());
      assertTrue(Files.readString(dir.resolve("charts/" + chart + ".svg")).contains("<svg"), chart);
    }
  }

  @Test
  void malformedFilesNameTheLine() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "study,reference,A,B\ns1,A,0.5,0.5\ns2,Z,0.5,0.5\n");
    var e = assertThrows(IllegalArgumentException.class,
        () -> MetricsCommand.compute(csv, MetricsReport.Options.defaults()));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("'Z'"), e.getMessage());
    Files.writeString(csv, "study,reference,A,B\ns1,A,x,0.5\n");
    var n = assertThrows(IllegalArgumentException.class,
        () -> MetricsCommand.compute(csv, MetricsReport.Options.defaults()));
    assertTrue(n.getMessage().contains("not a number"), n.getMessage());
  }
}
