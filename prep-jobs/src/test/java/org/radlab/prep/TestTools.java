package org.radlab.prep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.radlab.prep.synth.SynthCommand;
import org.radlab.spark.SparkSessions;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared set-up for the prep tests: a local Spark session and synthetic studies (dcmtk: core's DicomTools). */
final class TestTools {
  private static SparkSession spark;

  private TestTools() {}

  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.start("radlab-prep-test", "local[2]");
    }
    return spark;
  }

  /** Writes {@code studies} synthetic studies into {@code dir} through the real command line, with more options. */
  static Path synth(Path dir, int studies, long seed, String... options) {
    List<String> args = new ArrayList<>(List.of("--out", dir.toString(), "--studies", String.valueOf(studies),
        "--seed", String.valueOf(seed)));
    args.addAll(List.of(options));
    int rc = new picocli.CommandLine(new SynthCommand()).execute(args.toArray(String[]::new));
    assertEquals(0, rc, "synth failed");
    return dir;
  }
}
