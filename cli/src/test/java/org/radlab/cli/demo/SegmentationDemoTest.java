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
 * {@code radlab demo --task segmentation}'s flow end to end against a real server with real prep, training and
 * evaluation jobs: masks outlined through the annotation endpoints train two U-Nets, the leaderboard ranks them by
 * the mean Dice (then IoU) their hidden evaluations measured, and each row carries the liver volumes' Bland-Altman
 * agreement with the reference, bias inside its limits.
 */
class SegmentationDemoTest {
  @TempDir Path tmp;

  @Test
  void theLeaderboardRanksTheUNetsByTheirHiddenDiceWithTheirVolumeAgreement() throws Exception {
    Path home = tmp.resolve("home");
    // the demo's flow at a smaller size: 6 of 8 series outlined each (the server's minimum to train lowered to 6)
    ControlApi api = ControlApi.create(new ControlApi.Settings(home, "127.0.0.1", 0, "local[2]", 1, 1L << 20,
        64L << 20, Map.of()).withMinTrainingLabels(6)).start();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try {
      List<SegmentationDemo.Standing> board = new SegmentationDemo(api.port(), api.firstAdminToken().orElseThrow(),
          home, tmp.resolve("data"), new PrintStream(log, true, StandardCharsets.UTF_8))
          .run(new SegmentationDemo.Options(8, 3, 8, 64, 5, 2, 6));
      String printed = log.toString(StandardCharsets.UTF_8);
      assertEquals(List.of("reader-1", "reader-2"), board.stream().map(SegmentationDemo.Standing::participant)
          .sorted().toList(), printed);
      for (int i = 0; i < board.size(); i++) {
        SegmentationDemo.Standing s = board.get(i);
        assertEquals(i + 1, s.rank());
        assertEquals(s.evaluationDice(), s.dice(), 1e-12, "the board shows the hidden evaluation's Dice");
        assertEquals(s.evaluationIou(), s.iou(), 1e-12, "and its IoU");
        assertTrue(s.liverLower() <= s.liverBias() && s.liverBias() <= s.liverUpper(), "bias within its limits: "
            + s);
      }
      SegmentationDemo.Standing first = board.get(0);
      SegmentationDemo.Standing second = board.get(1);
      assertTrue(first.dice() > second.dice() || (first.dice() == second.dice() && first.iou() >= second.iou()),
          printed);
      assertTrue(printed.contains("[8/8] the leaderboard"), printed);
      // reader-2 reads every lesion as liver: no lesion pixel outlined
      assertTrue(printed.contains("reader-2: 6 studies, 0 lesion pixels outlined"), printed);
      java.util.regex.Matcher refs = java.util.regex.Pattern.compile("(\\d+) slices outlined").matcher(printed);
      assertTrue(refs.find() && Integer.parseInt(refs.group(1)) == 24, "the 3 hidden series' 24 slices: " + printed);
    } finally {
      api.stop();
    }
  }
}
