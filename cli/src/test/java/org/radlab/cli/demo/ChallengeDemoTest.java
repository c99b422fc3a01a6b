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
 * The demo's challenge flow end to end against a real server with real prep, training and evaluation jobs: the
 * leaderboard ranks the participants by the kappas (then AUCs) their hidden evaluations measured.
 */
class ChallengeDemoTest {
  @TempDir Path tmp;

  @Test
  void theLeaderboardFollowsTheHiddenEvaluations() throws Exception {
    Path home = tmp.resolve("home");
    // The demo's flow at a smaller size: 20 labels each, more if a category is missing (the server's minimum to
    // train lowered to 12).
    ControlApi api = ControlApi.create(new ControlApi.Settings(home, "127.0.0.1", 0, "local[2]", 1, 1L << 20,
        64L << 20, Map.of()).withMinTrainingLabels(12)).start();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try {
      List<ChallengeDemo.Standing> board = new ChallengeDemo(api.port(), api.firstAdminToken().orElseThrow(), home,
          tmp.resolve("data"), new PrintStream(log, true, StandardCharsets.UTF_8))
          .run(new ChallengeDemo.Options(40, 12, 3, 1, 20));
      String printed = log.toString(StandardCharsets.UTF_8);
      assertEquals(2, board.size(), printed);
      assertEquals(List.of("reader-1", "reader-2"), board.stream().map(ChallengeDemo.Standing::participant).sorted()
          .toList());
      for (int i = 0; i < board.size(); i++) {
        ChallengeDemo.Standing s = board.get(i);
        assertEquals(i + 1, s.rank());
        assertEquals(s.evaluationKappa(), s.kappa(), 1e-12, "the board shows the evaluation's kappa");
        assertEquals(s.evaluationAuc(), s.auc(), 1e-12, "and its AUC");
      }
      ChallengeDemo.Standing first = board.get(0);
      ChallengeDemo.Standing second = board.get(1);
      assertTrue(first.kappa() > second.kappa() || (first.kappa() == second.kappa() && first.auc() >= second.auc()),
          printed);
      assertTrue(printed.contains("[8/8] the leaderboard"), printed);
      java.util.regex.Matcher evaluated = java.util.regex.Pattern.compile("on the (\\d+) pool studies they labelled")
          .matcher(printed);
      assertTrue(evaluated.find() && Integer.parseInt(evaluated.group(1)) >= 20,
          "each evaluation is reported, over at least the 20 labels asked for: " + printed);
    } finally {
      api.stop();
    }
  }
}
