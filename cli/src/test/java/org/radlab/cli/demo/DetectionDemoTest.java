package org.radlab.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.ControlApi;

/**
 * {@code radlab demo --task detection}'s flow end to end against a real server with real prep, training and
 * evaluation jobs: boxes drawn through the annotation endpoints train two detectors, and the leaderboard ranks them
 * by the mAP (then AP50) their hidden evaluations measured.
 */
class DetectionDemoTest {
  @TempDir Path tmp;

  @Test
  void theLeaderboardRanksTheDetectorsByTheirHiddenMap() throws Exception {
    Path home = tmp.resolve("home");
    // the demo's flow at a smaller size: 12 studies annotated each (the server's minimum to train lowered to 12)
    ControlApi api = ControlApi.create(new ControlApi.Settings(home, "127.0.0.1", 0, "local[2]", 1, 1L << 20,
        64L << 20, Map.of()).withMinTrainingLabels(12)).start();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try {
      List<DetectionDemo.Standing> board = new DetectionDemo(api.port(), api.firstAdminToken().orElseThrow(), home,
          tmp.resolve("data"), new PrintStream(log, true, StandardCharsets.UTF_8))
          .run(new DetectionDemo.Options(14, 3, 5, 1, 12));
      String printed = log.toString(StandardCharsets.UTF_8);
      assertEquals(List.of("reader-1", "reader-2"), board.stream().map(DetectionDemo.Standing::participant).sorted()
          .toList(), printed);
      for (int i = 0; i < board.size(); i++) {
        DetectionDemo.Standing s = board.get(i);
        assertEquals(i + 1, s.rank());
        assertEquals(s.evaluationMap(), s.map(), 1e-12, "the board shows the hidden evaluation's mAP");
        assertEquals(s.evaluationAp50(), s.ap50(), 1e-12, "and its AP50");
      }
      DetectionDemo.Standing first = board.get(0);
      DetectionDemo.Standing second = board.get(1);
      assertTrue(first.map() > second.map() || (first.map() == second.map() && first.ap50() >= second.ap50()),
          printed);
      assertTrue(printed.contains("[8/8] the leaderboard"), printed);
      java.util.regex.Matcher refs = java.util.regex.Pattern.compile("(\\d+) images read, (\\d+) reference boxes")
          .matcher(printed);
      assertTrue(refs.find() && Integer.parseInt(refs.group(1)) == 12, "the 3 hidden studies' 12 images are read, "
          + "with or without lesions: " + printed);
    } finally {
      api.stop();
    }
  }
}
