package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.api.http.Json;

/**
 * PACS sources through the control API, on one server. A dataset registered with a PACS query as its source
 * ({@code dicomweb://SOURCE?...}) reaches prep unchanged, which pulls first; on a server whose workspace names no PACS,
 * the prep job fails with the reason in its log and the dataset is marked failed. Then the workspace gets a sources
 * file: the list never holds a user or a password, a connection test says why it failed (a closed port, a server that
 * refuses the credentials, one that is not DICOMweb), and a file its group may read is refused with the fix. (The
 * pull itself, against a real Orthanc, is cli's PullTest.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PacsDatasetSourceTest {
  static final String USER = "pacs-user-7f3a";
  static final String PASSWORD = "pw-never-shown-91c2";

  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static HttpServer hostile;

  @BeforeAll
  static void start() throws IOException {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    // an HTTP server that is not a working PACS: /locked refuses every request, /web answers a web page
    hostile = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hostile.createContext("/locked", x -> answer(x, 401, "text/plain", "no"));
    hostile.createContext("/web", x -> answer(x, 200, "text/html", "<html><body>a login page</body></html>"));
    hostile.start();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    try (var out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @AfterAll
  static void stop() {
    if (hostile != null) {
      hostile.stop(0);
    }
    Fixtures.cancelRunningAndStop(api, http, admin);
  }

  @Test
  @Order(1)
  void aPacsQueryReachesPrepAndAMissingSourcesFileFailsTheJobWithItsReason() {
    JsonNode r = http.post("/api/datasets", admin, Map.of("name", "from-pacs", "useCaseId", 1, "source",
        "dicomweb://main?modality=MG&from=2024-01-01")).expect(202).json();
    long dataset = r.path("dataset").path("id").asLong();
    long job = r.path("job").path("id").asLong();
    // a second prep of it while the first is queued or running is refused
    String busy = http.post("/api/datasets/" + dataset + "/prepare", admin, Map.of()).expect(409).detail();
    assertTrue(busy.contains("job " + job), busy);
    JsonNode done = Fixtures.awaitJob(http, admin, job, Duration.ofMinutes(5));
    String log = http.get("/api/jobs/" + job + "/log", admin).body();
    assertEquals("FAILED", done.path("status").asText(), log);
    assertTrue(log.contains("no PACS sources file at") && log.contains("pacs.json"), log);
    assertEquals("failed", http.get("/api/datasets/" + dataset, admin).json().path("status").asText());
    // the sources list says the same, with the fix
    String missing = http.get("/api/pacs-sources", admin).expect(409).detail();
    assertTrue(missing.contains("no PACS sources file at") && missing.contains("chmod 600"), missing);
  }

  @Test
  @Order(2)
  void theListNeverShowsCredentialsAndATestSaysWhyItFailed() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String web = "http://127.0.0.1:" + hostile.getAddress().getPort();
    Map<String, Object> sources = new LinkedHashMap<>();
    sources.put("closed", Map.of("url", "http://127.0.0.1:" + closed + "/dicom-web", "user", USER, "password",
        PASSWORD));
    sources.put("locked", Map.of("url", web + "/locked/dicom-web", "user", USER, "password", PASSWORD));
    sources.put("web", Map.of("url", web + "/web"));
    writeSources(Map.of("sources", sources), "rw-------");

    Http.Response list = http.get("/api/pacs-sources", admin).expect(200);
    assertFalse(list.body().contains(PASSWORD) || list.body().contains(USER), list.body());
    JsonNode listed = list.json().path("sources");
    assertEquals(List.of("closed", "locked", "web"), names(listed));
    assertEquals(List.of(true, true, false), listed.findValues("credentials").stream().map(JsonNode::asBoolean)
        .toList());
    assertEquals("http://127.0.0.1:" + closed + "/dicom-web", listed.get(0).path("url").asText());

    JsonNode unreachable = test("closed");
    assertEquals("unreachable", unreachable.path("reason").asText(), unreachable.toString());
    assertTrue(unreachable.path("detail").asText().contains("127.0.0.1:" + closed), unreachable.toString());
    JsonNode refused = test("locked");
    assertEquals("credentials_refused", refused.path("reason").asText(), refused.toString());
    assertTrue(refused.path("detail").asText().contains("HTTP 401"), refused.toString());
    JsonNode notDicomWeb = test("web");
    assertEquals("not_dicomweb", notDicomWeb.path("reason").asText(), notDicomWeb.toString());
    http.post("/api/pacs-sources/nowhere/test", admin, Map.of()).expect(404);

    // a PACS query naming a source the file does not list, or a key prep does not know, is refused at once
    String unknown = http.post("/api/datasets", admin, Map.of("name", "typo", "useCaseId", 1, "source",
        "dicomweb://mian?modality=MG")).expect(400).detail();
    assertTrue(unknown.contains("'mian'") && unknown.contains("closed, locked, web"), unknown);
    String key = http.post("/api/datasets", admin, Map.of("name", "typo", "useCaseId", 1, "source",
        "dicomweb://closed?modalty=MG")).expect(400).detail();
    assertTrue(key.contains("unknown key 'modalty'"), key);
  }

  @Test
  @Order(3)
  void aSourcesFileItsGroupMayReadIsRefusedWithTheFix() throws IOException {
    Path file = writeSources(Map.of("sources", Map.of("closed", Map.of("url", "http://127.0.0.1:9/dicom-web",
        "user", USER, "password", PASSWORD))), "rw-r-----");
    for (Http.Response r : List.of(http.get("/api/pacs-sources", admin),
        http.post("/api/pacs-sources/closed/test", admin, Map.of()))) {
      String detail = r.expect(409).detail();
      assertTrue(detail.contains("chmod 600 " + file), detail);
      assertFalse(r.body().contains(PASSWORD) || r.body().contains(USER), r.body());
    }
  }

  private static JsonNode test(String source) {
    Http.Response r = http.post("/api/pacs-sources/" + source + "/test", admin, Map.of()).expect(200);
    assertFalse(r.body().contains(PASSWORD) || r.body().contains(USER), r.body());
    JsonNode j = r.json();
    assertEquals(source, j.path("source").asText());
    assertFalse(j.path("ok").asBoolean(), r.body());
    return j;
  }

  private static List<String> names(JsonNode sources) {
    return sources.findValues("name").stream().map(JsonNode::asText).toList();
  }

  private static Path writeSources(Object content, String mode) throws IOException {
    Path file = tmp.resolve("home").resolve("pacs.json");
    Files.writeString(file, Json.MAPPER.writeValueAsString(content));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }
}
