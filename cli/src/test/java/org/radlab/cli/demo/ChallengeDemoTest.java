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
 * The demo's challenge flow end to end against a real server with real prep, training and evaluation jobs, with its
 * studies in a real PACS (Orthanc, {@code --pacs}): each set is prepared from a PACS query and holds exactly the
 * studies synthesized for it, the leaderboard ranks the participants by the kappas (then AUCs) their hidden
 * evaluations measured, and the leading model, deployed watching the PACS, reports each new study back as an SR.
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
    DemoPacs pacs = null;
    try {
      pacs = DemoPacs.start(Path.of("..").toAbsolutePath().normalize(), home);
      String admin = api.firstAdminToken().orElseThrow();
      List<ChallengeDemo.Standing> board = new ChallengeDemo(api.port(), admin, home, tmp.resolve("data"),
          new PrintStream(log, true, StandardCharsets.UTF_8), pacs).run(new ChallengeDemo.Options(40, 12, 3, 1, 20));
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
      assertTrue(printed.contains("[9/10] the leaderboard"), printed);
      java.util.regex.Matcher evaluated = java.util.regex.Pattern.compile("on the (\\d+) pool studies they labelled")
          .matcher(printed);
      assertTrue(evaluated.find() && Integer.parseInt(evaluated.group(1)) >= 20,
          "each evaluation is reported, over at least the 20 labels asked for: " + printed);

      // Each set came from its own PACS query: exactly the studies synthesized for it.
      Map<String, Integer> studies = new java.util.TreeMap<>();
      for (com.fasterxml.jackson.databind.JsonNode d : new ApiClient(api.port()).get("/api/datasets", admin)) {
        studies.put(d.path("name").asText(), d.path("studies").asInt());
      }
      assertEquals(Map.of("pool", 40, "hidden-test", 12, "hidden-final", 12), studies, printed);
      // The watched deployment: every new study predicted, and its report in the PACS (Orthanc's own count).
      assertTrue(printed.contains(ChallengeDemo.NEW_STUDIES + " predicted, 0 failed, " + ChallengeDemo.NEW_STUDIES
          + " reports stored in the PACS"), printed);
      assertEquals(ChallengeDemo.NEW_STUDIES, orthancReports(pacs, home), printed);
    } finally {
      api.stop();
      if (pacs != null) {
        pacs.close();
      }
    }
  }

  /** How many SR series Orthanc holds (each report is a series of its own), by its own REST API. */
  private static int orthancReports(DemoPacs pacs, Path home) throws Exception {
    String password = java.nio.file.Files.readString(home.resolve("pacs-sim/password")).strip();
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(pacs.url() + "/tools/find"))
            .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("radlab:" + password)
                .getBytes(StandardCharsets.UTF_8)))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"Level\": \"Series\", \"Query\": {\"Modality\": \"SR\"}}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).size();
  }
}
