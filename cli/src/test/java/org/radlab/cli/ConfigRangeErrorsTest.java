package org.radlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A job config value out of its range is one line from the command line naming field, value and range; exit 2. */
class ConfigRangeErrorsTest {
  @TempDir Path tmp;

  private String refused(String... args) {
    CommandLine cli = RadLab.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute(args), err.toString());
    assertFalse(err.toString().contains("Exception"), "no Java exception names: " + err);
    return err.toString().strip();
  }

  @Test
  void eachJobCommandNamesTheFieldTheValueAndTheRange() throws Exception {
    Path assess = Files.writeString(tmp.resolve("assess.json"), "{\"predictions\":\"p.csv\",\"bootstrap\":-5}");
    assertEquals("radlab assess: bootstrap must be between 0 and 20000, got -5", refused("assess", "--config",
        assess.toString()));
    Path evaluate = Files.writeString(tmp.resolve("evaluate.json"), "{\"dataset\":\"d\",\"labels\":\"l.csv\","
        + "\"models\":[\"m\"],\"bootstrap\":2147483647}");
    assertEquals("radlab evaluate: bootstrap must be between 0 and 20000, got 2147483647", refused("evaluate",
        "--config", evaluate.toString()));
    Path train = Files.writeString(tmp.resolve("train.json"), "{\"dataset\":\"d\",\"labels\":\"l.csv\","
        + "\"classes\":[\"A\",\"B\"],\"learningRate\":\"NaN\"}");
    assertEquals("radlab train: learningRate must be a number in (0, 10), got NaN", refused("train", "--config",
        train.toString()));
    Path prep = Files.writeString(tmp.resolve("prep.json"), "{\"input\":\"in\",\"dataset\":\"d\",\"partitions\":-1}");
    assertEquals("radlab prep: partitions must be between 0 and 10000, got -1", refused("prep", "--config",
        prep.toString()));
    String options = refused("prep", "--input", tmp.toString(), "--dataset", tmp.resolve("d").toString(),
        "--tensor-side", "5000");
    assertTrue(options.endsWith("tensorSide must be between 8 and 4096, got 5000"), options);
  }
}
