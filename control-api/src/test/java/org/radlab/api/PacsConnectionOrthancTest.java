package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.http.Json;
import org.radlab.prep.synth.SynthCommand;

/**
 * The connection test against a real PACS: Debian's Orthanc with its DICOMweb plugin, started by bench/pacs-sim in a
 * network namespace of its own (Orthanc listens on every interface, so it gets one with only a loopback). The
 * server runs inside that namespace as a child process, and the requests to it are made there with curl. Orthanc
 * holds the studies loaded here, so the test knows how many a query sees; a wrong password is refused by Orthanc.
 */
class PacsConnectionOrthancTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SIM = ROOT.resolve("bench/pacs-sim");
  private static final String NAME = "rpacsa" + (ProcessHandle.current().pid() % 10000);

  @TempDir Path tmp;

  @Test
  void aWorkingPacsAnswersWithItsStudiesAndAWrongPasswordIsRefused() throws Exception {
    int studies = 2;
    assertEquals(0, run(List.of(SIM.toString(), "up", "--http-port", "8042", "--dicom-port", "4242")).code);
    try {
      Path dicom = tmp.resolve("dicom");
      assertEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--out", dicom.toString(), "--studies",
          String.valueOf(studies), "--seed", "71", "--rows", "80", "--columns", "64"));
      Run load = run(List.of(SIM.toString(), "load", dicom.toString()));
      assertTrue(load.code == 0 && load.output.contains("stored=" + 4 * studies), load.output);

      JsonNode sim = Json.MAPPER.readTree(tmp.resolve("pacs-sim/pacs.json").toFile()).path("sources")
          .path("pacs-sim");
      String password = sim.path("password").asText();
      Map<String, Object> sources = new LinkedHashMap<>();
      sources.put("orthanc", Map.of("url", sim.path("url").asText(), "user", "radlab", "password", password));
      sources.put("wrong", Map.of("url", sim.path("url").asText(), "user", "radlab", "password", "not-" + password));
      Path home = Files.createDirectories(tmp.resolve("home"));
      Path file = home.resolve("pacs.json");
      Files.writeString(file, Json.MAPPER.writeValueAsString(Map.of("sources", sources)));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

      try (ServerProcess server = ServerProcess.start(List.of(SIM.toString(), "exec", "--"), environment(), home,
          tmp.resolve("server.log"))) {
        Path header = tmp.resolve("authorization");
        Files.writeString(header, "Authorization: Bearer " + server.firstToken + "\n");
        Files.setPosixFilePermissions(header, PosixFilePermissions.fromString("rw-------"));
        String base = "http://127.0.0.1:" + server.port + "/api/pacs-sources";

        Run list = curl(header, "GET", base);
        assertFalse(list.output.contains(password), list.output);
        assertEquals(List.of("orthanc", "wrong"), Json.MAPPER.readTree(list.output).path("sources")
            .findValues("name").stream().map(JsonNode::asText).toList());

        Run ok = curl(header, "POST", base + "/orthanc/test");
        JsonNode answer = Json.MAPPER.readTree(ok.output);
        assertTrue(answer.path("ok").asBoolean(), ok.output);
        assertEquals(studies, answer.path("studies").asInt(), ok.output);

        Run refused = curl(header, "POST", base + "/wrong/test");
        JsonNode no = Json.MAPPER.readTree(refused.output);
        assertFalse(no.path("ok").asBoolean(), refused.output);
        assertEquals("credentials_refused", no.path("reason").asText(), refused.output);
        assertFalse(refused.output.contains(password) || refused.output.contains("radlab'"), refused.output);
        String log = Files.readString(tmp.resolve("server.log"));
        assertFalse(log.contains(password), "the server's log holds no password");
      }
    } finally {
      run(List.of(SIM.toString(), "down"));
    }
  }

  /** curl inside the namespace, the token read from a file (never on a command line); the answer's body. */
  private Run curl(Path header, String method, String url) throws Exception {
    Run r = run(List.of(SIM.toString(), "exec", "--", "curl", "-sS", "--fail-with-body", "-X", method, "-H",
        "@" + header, url));
    assertEquals(0, r.code, method + " " + url + ": " + r.output);
    return r;
  }

  private record Run(int code, String output) {}

  private Run run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder b = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectOutput(out.toFile());
    b.environment().putAll(environment());
    Process p = b.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not end in 3 minutes:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private Map<String, String> environment() {
    return Map.of("RADLAB_PACS_NAME", NAME, "RADLAB_PACS_WORK", tmp.resolve("pacs-sim").toString());
  }
}
