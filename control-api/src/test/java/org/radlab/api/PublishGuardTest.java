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
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing as an attacker would use it: to internal addresses, as a port scanner, with credentials in the URL,
 * to read what an internal service answers. Real listeners on 127.0.0.1 must receive nothing until an admin allows
 * them, and then exactly the package.
 */
class PublishGuardTest {
  @TempDir static java.nio.file.Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String owner;
  static String publish;

  /** A real HTTP listener on 127.0.0.1 that records every request and answers with a secret of its own. */
  static final class Listener implements AutoCloseable {
    final HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    Listener(int status, String answer) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
            + exchange.getRequestHeaders().getFirst("Authorization"));
        bodies.add(exchange.getRequestBody().readAllBytes());
        byte[] body = answer.getBytes();
        if (status / 100 == 3) {
          exchange.getResponseHeaders().add("Location", answer);
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    long dataset = Fixtures.dataset(http, admin, "guard", Fixtures.synth(tmp.resolve("dicom"), Fixtures.MIN_LABELS, 5));
    owner = Fixtures.participant(http, admin, "owner");
    List<String> studies = Fixtures.studies(http, admin, dataset);
    for (int i = 0; i < studies.size(); i++) {
      http.post("/api/annotate/1/" + dataset + "/studies/" + studies.get(i), owner,
          Map.of("code", List.of("A", "B", "C", "D").get(i % 4))).expect(201);
    }
    long job = http.post("/api/jobs", owner, Map.of("kind", "train", "datasetId", dataset, "useCaseId", 1, "config",
        Map.of("architecture", "resnet18", "width", 0.125, "inputSize", 32, "maxEpochs", 1, "batchSize", 16)))
        .expect(201).json().path("id").asLong();
    assertEquals("SUCCEEDED", Fixtures.awaitJob(http, owner, job, Duration.ofMinutes(8)).path("status").asText());
    publish = "/api/models/" + http.get("/api/models", owner).json().get(0).path("id").asLong() + "/publish";
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  static void allow(String url, boolean allowPrivate) {
    http.post("/api/publish-destinations", admin, Map.of("url", url, "allowPrivate", allowPrivate)).expect(201);
  }

  static void disallowAll() {
    for (JsonNode d : http.get("/api/publish-destinations", owner).expect(200).json()) {
      http.post("/api/publish-destinations/" + d.path("id").asLong() + "/remove", admin, "").expect(200);
    }
  }

  static String stored() {
    return api.database().jdbi().withHandle(h -> h.createQuery("SELECT * FROM publication").mapToMap().list()
        .toString());
  }

  @Test
  void anInternalListenerReceivesNothingUntilAnAdminAllowsItThenExactlyThePackage() throws Exception {
    disallowAll();
    String before = stored();
    try (Listener internal = new Listener(200, "INTERNAL-SECRET-42")) {
      String url = internal.url("/upload");
      String port = String.valueOf(internal.server.getAddress().getPort());
      // Not on the allow-list: refused before any connection, whatever the spelling of the loopback address.
      for (String u : List.of(url, "http://localhost:" + port + "/upload", "http://[::1]:" + port + "/",
          "http://[::ffff:127.0.0.1]:" + port + "/", "http://2130706433:" + port + "/", "http://0.0.0.0:" + port)) {
        assertTrue(http.post(publish, owner, Map.of("url", u, "token", "t")).expect(403).detail()
            .contains("is not allowed"), u);
      }
      // Credentials in the URL, other schemes, dot segments: 400s that name the problem; nothing stored.
      assertTrue(http.post(publish, owner, Map.of("url", "http://user:pw@127.0.0.1:" + port + "/upload"))
          .expect(400).detail().contains("credentials"));
      assertTrue(http.post(publish, owner, Map.of("url", "file:///etc/passwd")).expect(400).detail()
          .contains("http or https"));
      assertTrue(http.post(publish, owner, Map.of("url", "gopher://127.0.0.1:" + port + "/")).expect(400).detail()
          .contains("http or https"));
      http.post(publish, owner, Map.of("url", url, "token", "a\r\nX-Injected: 1")).expect(400);
      // Only admins allow destinations.
      http.post("/api/publish-destinations", owner, Map.of("url", url, "allowPrivate", true)).expect(403);
      http.post("/api/publish-destinations", admin, Map.of("url", "http://u:p@example.org/")).expect(400);

      // Allowed, but not for private addresses: loopback in every spelling is still refused.
      allow(url, false);
      allow("http://localhost:" + port + "/", false);
      allow("http://[::ffff:127.0.0.1]:" + port + "/", false);
      allow("http://2130706433:" + port + "/", false);
      for (String u : List.of(url, "http://localhost:" + port + "/upload", "http://[::ffff:127.0.0.1]:" + port
          + "/x", "http://2130706433:" + port + "/x")) {
        String detail = http.post(publish, owner, Map.of("url", u, "token", "t")).expect(403).detail();
        assertTrue(detail.contains("loopback") && detail.contains("does not allow private"), u + ": " + detail);
      }
      // Outside the allowed path, or climbing out of it.
      assertTrue(http.post(publish, owner, Map.of("url", internal.url("/admin"))).expect(403).detail()
          .contains("not allowed"));
      http.post(publish, owner, Map.of("url", internal.url("/upload/../admin"))).expect(400);
      http.post(publish, owner, Map.of("url", internal.url("/upload/%2e%2e/admin"))).expect(400);
      assertEquals(List.of(), internal.requests, "nothing reached the listener");
      assertEquals(before, stored(), "a refusal is not a publication");

      // Allowed with private addresses: the package arrives, with the token; the answer's text goes nowhere.
      disallowAll();
      allow(url, true);
      JsonNode sent = http.post(publish, owner, Map.of("url", url + "?key=q1", "token", "tok-1")).expect(201).json();
      assertEquals(List.of("POST /upload?key=q1 Bearer tok-1"), internal.requests);
      assertEquals(ModelPackageCheck.sha256(internal.bodies.get(0)), sent.path("sha256").asText());
      assertEquals("HTTP 200", sent.path("detail").asText());
      assertEquals(url, sent.path("destination").asText(), "recorded without the query");
      assertFalse(stored().contains("INTERNAL-SECRET") || stored().contains("tok-1") || stored().contains("q1"));
    }
  }

  @Test
  void aRefusingOrRedirectingEndpointShowsItsStatusOnlyAndNoRedirectIsFollowed() throws Exception {
    disallowAll();
    try (Listener target = new Listener(200, "never");
        Listener failing = new Listener(500, "stack trace with INTERNAL-SECRET-7");
        Listener redirecting = new Listener(302, target.url("/"))) {
      allow(failing.url("/"), true);
      allow(redirecting.url("/"), true);
      String failed = http.post(publish, owner, Map.of("url", failing.url("/"))).expect(502).detail();
      assertTrue(failed.startsWith("HTTP 500 (recorded as publication"), failed);
      String moved = http.post(publish, owner, Map.of("url", redirecting.url("/"))).expect(502).detail();
      assertTrue(moved.startsWith("HTTP 302 (recorded"), moved);
      assertEquals(1, failing.requests.size());
      assertEquals(1, redirecting.requests.size());
      assertEquals(List.of(), target.requests, "the redirect was not followed");
      assertFalse(stored().contains("INTERNAL-SECRET") || stored().contains(target.url("/")), stored());
    }
  }

  @Test
  void aClosedPortAndAnOpenNonHttpPortAnswerAlike() throws Exception {
    disallowAll();
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    try (ServerSocket open = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Thread hangUp = new Thread(() -> {
        try (Socket c = open.accept()) {
          c.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes());
        } catch (IOException e) {
          // the test sees the outcome through the API
        }
      });
      hangUp.start();
      allow("http://127.0.0.1:" + closed + "/", true);
      allow("http://127.0.0.1:" + open.getLocalPort() + "/", true);
      String a = http.post(publish, owner, Map.of("url", "http://127.0.0.1:" + closed + "/")).expect(502).detail();
      String b = http.post(publish, owner, Map.of("url", "http://127.0.0.1:" + open.getLocalPort() + "/"))
          .expect(502).detail();
      hangUp.join(10_000);
      String same = "no HTTP answer from the endpoint (recorded as publication ";
      assertTrue(a.startsWith(same) && b.startsWith(same), a + " / " + b);
      assertFalse(stored().contains("SSH") || stored().toLowerCase().contains("exception"), stored());
    }
  }
}
