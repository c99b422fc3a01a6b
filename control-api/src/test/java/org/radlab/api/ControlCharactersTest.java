package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encoded NUL ({@code %00}) and other control characters in a query, a path segment or a JSON body: each is a
 * 400 in the API's JSON error shape naming the problem, and the server's log (a real child process's output) never
 * holds a raw control character.
 */
class ControlCharactersTest {
  @TempDir Path tmp;

  @Test
  void controlCharactersGetAJsonFourHundredAndNeverReachTheLog() throws Exception {
    Path log = tmp.resolve("server.log");
    try (ServerProcess server = ServerProcess.start(tmp.resolve("home"), log)) {
      Http http = new Http(server.port);
      String admin = server.firstToken;
      long job = http.post("/api/jobs", admin, Map.of("kind", "assess", "predictionsCsv",
          "case,date,read,A,B\nc1,2027-01-03,B,0.1,0.9\nc2,2027-01-10,A,0.8,0.2\n", "config", Map.of("bootstrap", 5)))
          .expect(201).json().path("id").asLong();

      Http.Response query = http.get("/api/jobs/" + job + "/artifact?path=x%00.png", admin).expect(400);
      assertTrue(query.detail().contains("control characters"), query.detail());
      http.get("/api/jobs/" + job + "/artifact?path=a%01b%1b.json", admin).expect(400);

      for (String path : new String[] {"/api/jobs/" + job + "%00/artifacts", "/api/datasets/%00", "/api/x%00y",
          "/api%00/jobs"}) {
        Http.Response segment = http.get(path, admin).expect(400);
        assertTrue(segment.contentType().startsWith("application/json"), path + ": " + segment.contentType());
        assertTrue(segment.detail().contains("%00"), segment.detail());
      }

      // a new client: the server closes a connection after a request line it refuses, and a pooled connection the
      // client had not yet seen closed made this request fail with no answer at all (once in a full run)
      Http.Response body = new Http(server.port).post("/api/datasets", admin, Map.of("name", "nul", "useCaseId", 1,
          "source", tmp + "/in\u0000side")).expect(400);
      assertTrue(body.detail().contains("\\x00") && !body.detail().contains("\u0000"), body.detail());
    }
    byte[] bytes = Files.readAllBytes(log);
    assertTrue(bytes.length > 0);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      assertTrue(b >= 0x20 || b == '\n' || b == '\r' || b == '\t' || b == 0x1b, "control byte " + b + " at " + i
          + " of the server's log");
      assertTrue(b != 0, "a NUL byte in the server's log");
    }
    assertEquals(-1, new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('\u0000'));
  }
}
