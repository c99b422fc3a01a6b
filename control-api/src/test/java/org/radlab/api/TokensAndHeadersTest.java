package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens that expire and can be revoked, the admin token kept out of logs, and security headers on every answer. */
class TokensAndHeadersTest {
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  @Test
  void tokensExpireAndCanBeRevokedByTheirUserOrAnAdmin() {
    http.post("/api/users", admin, Map.of("name", "x0", "days", 0)).expect(400);
    http.post("/api/users", admin, Map.of("name", "x366", "days", 366)).expect(400);
    JsonNode ana = http.post("/api/users", admin, Map.of("name", "ana", "days", 30)).expect(201).json();
    long anaId = ana.path("id").asLong();
    String first = ana.path("token").asText();
    Instant expires = Instant.parse(ana.path("tokenExpiresAt").asText());
    Instant in30Days = Instant.now().plus(Duration.ofDays(30));
    assertTrue(expires.isAfter(in30Days.minus(Duration.ofHours(1))) && expires.isBefore(in30Days), expires.toString());
    assertEquals("ana", http.get("/api/me", first).expect(200).json().path("name").asText());

    // Only admins make tokens, for someone, within bounds.
    http.post("/api/tokens", first, Map.of("userId", anaId)).expect(403);
    http.post("/api/tokens", admin, Map.of("userId", anaId, "days", 400)).expect(400);
    http.post("/api/tokens", admin, Map.of("userId", 9999)).expect(404);
    JsonNode laptop = http.post("/api/tokens", admin, Map.of("userId", anaId, "label", "laptop", "days", 7))
        .expect(201).json();
    String second = laptop.path("token").asText();
    assertEquals("ana", http.get("/api/me", second).expect(200).json().path("name").asText());

    // Ana sees her two tokens, never their secrets; not anyone else's.
    JsonNode mine = http.get("/api/tokens", second).expect(200).json();
    assertEquals(2, mine.size());
    assertEquals(List.of("laptop", "first token"), List.of(mine.get(0).path("label").asText(),
        mine.get(1).path("label").asText()));
    assertEquals("active", mine.get(0).path("status").asText());
    String stored = api.database().jdbi().withHandle(h -> h.createQuery("SELECT * FROM api_token").mapToMap().list()
        .toString() + h.createQuery("SELECT * FROM app_user").mapToMap().list());
    for (String secret : List.of(first, second)) {
      assertFalse(mine.toString().contains(secret) || stored.contains(secret), "a token is never stored or listed");
      assertFalse(mine.toString().contains(sha256Hex(secret)), "nor its hash listed");
      assertTrue(stored.contains(sha256Hex(secret)), "its SHA-256 is what is kept");
    }
    http.get("/api/tokens?userId=1", second).expect(403);
    String bob = Fixtures.participant(http, admin, "bob");
    http.post("/api/tokens/" + laptop.path("id").asLong() + "/revoke", bob, "").expect(404);

    // Ana revokes her laptop token (just used, so the server remembers it): refused from the next request on.
    JsonNode revoked = http.post("/api/tokens/" + laptop.path("id").asLong() + "/revoke", first, "").expect(200)
        .json();
    assertEquals("revoked", revoked.path("status").asText());
    Http.Response refused = http.get("/api/me", second).expect(401);
    assertEquals("token_revoked", refused.json().path("error").asText());
    // An admin revokes her first one.
    http.post("/api/tokens/" + ana.path("tokenId").asLong() + "/revoke", admin, "").expect(200);
    assertEquals("token_revoked", http.get("/api/me", first).expect(401).json().path("error").asText());

    // Expiry: the server has no clock to turn, so a fresh token's expiry is moved into the past in the database.
    JsonNode later = http.post("/api/tokens", admin, Map.of("userId", anaId, "days", 1)).expect(201).json();
    api.database().write(h -> h.createUpdate("UPDATE api_token SET expires_at = '2020-01-01T00:00:00.000000Z' "
        + "WHERE id = :id").bind("id", later.path("id").asLong()).execute());
    Http.Response expired = http.get("/api/me", later.path("token").asText()).expect(401);
    assertEquals("token_expired", expired.json().path("error").asText());
    assertTrue(expired.detail().contains("2020-01-01"), expired.detail());
    List<String> statuses = new ArrayList<>();
    http.get("/api/tokens?userId=" + anaId, admin).expect(200).json()
        .forEach(t -> statuses.add(t.path("status").asText()));
    assertEquals(List.of("expired", "revoked", "revoked"), statuses);
    for (JsonNode u : http.get("/api/users", admin).expect(200).json()) {
      if (u.path("name").asText().equals("ana")) {
        assertEquals(0, u.path("liveTokens").asInt());
      }
    }
  }

  @Test
  void anAdminWhoseTokensAllStoppedWorkingGetsANewOneInTheFileOnTheNextStart() throws Exception {
    Path home = tmp.resolve("lockout");
    String firstToken;
    try (ControlApi a = Fixtures.server(home)) {
      firstToken = a.firstAdminToken().orElseThrow();
      Path file = a.adminTokenFile();
      assertEquals(firstToken, Files.readString(file).strip());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      Http h = new Http(a.port());
      long id = h.get("/api/tokens", firstToken).expect(200).json().get(0).path("id").asLong();
      h.post("/api/tokens/" + id + "/revoke", firstToken, "").expect(200);
      h.get("/api/me", firstToken).expect(401);
    }
    try (ControlApi b = Fixtures.server(home)) {
      String renewed = b.firstAdminToken().orElseThrow();
      assertNotEquals(firstToken, renewed);
      assertEquals(renewed, Files.readString(b.adminTokenFile()).strip());
      assertEquals("admin", new Http(b.port()).get("/api/me", renewed).expect(200).json().path("role").asText());
    }
    try (ControlApi c = Fixtures.server(home)) {
      assertTrue(c.firstAdminToken().isEmpty(), "a working admin token: nothing new");
    }
  }

  @Test
  void theServersOutputNeverHoldsTheAdminToken() throws Exception {
    Path log = tmp.resolve("serve.log");
    try (ServerProcess server = ServerProcess.start(tmp.resolve("served"), log)) {
      assertTrue(server.firstToken != null && server.firstToken.startsWith("rl_"), "the token file");
      String output = Files.readString(log);
      assertFalse(output.contains(server.firstToken), output);
      assertFalse(output.matches("(?s).*rl_[A-Za-z0-9_-]{20,}.*"), output);
      assertTrue(output.contains(tmp.resolve("served").resolve("admin-token").toAbsolutePath().toString()), output);
      assertEquals("admin", new Http(server.port).get("/api/me", server.firstToken).expect(200).json().path("role")
          .asText());
    }
  }

  @Test
  void everyKindOfAnswerCarriesTheSecurityHeaders() throws Exception {
    Map<String, Raw> answers = new LinkedHashMap<>();
    answers.put("public JSON", raw("GET /api/health", null));
    answers.put("authenticated JSON", raw("GET /api/me", admin));
    answers.put("401", raw("GET /api/me", null));
    answers.put("API 404", raw("GET /api/no-such-thing", admin));
    answers.put("docs page", raw("GET /api/docs", null));
    answers.put("page", raw("GET /define", null));
    answers.put("missing asset", raw("GET /assets/no-such-file.js", null));
    answers.put("NUL in a path segment (Jetty's own error)", raw("GET /api/jobs/%00", admin));
    answers.put("ambiguous path (Jetty's own error)", raw("GET /api/a%2F..%2Fb", admin));
    answers.put("malformed request line (Jetty's own error)", raw("GET /a b", null));
    answers.put("bad percent-encoding (Jetty's own error)", raw("GET /api/%zz", admin));
    answers.put("no such page", raw("GET /no-such-page", null));
    String index = http.get("/define", null).body(); // (read through a client that decodes chunks)
    Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index);
    assertTrue(script.find(), index);
    answers.put("asset", raw("GET " + script.group(1), null));

    for (var e : answers.entrySet()) {
      Raw r = e.getValue();
      String what = e.getKey() + " (" + r.status + ")";
      assertEquals("nosniff", r.header("x-content-type-options"), what);
      assertEquals("DENY", r.header("x-frame-options"), what);
      assertEquals("no-referrer", r.header("referrer-policy"), what);
      String csp = r.header("content-security-policy");
      assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
          && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"), what + ": " + csp);
    }
    assertEquals(200, answers.get("authenticated JSON").status);
    assertEquals(404, answers.get("missing asset").status);
    assertEquals(400, answers.get("NUL in a path segment (Jetty's own error)").status);
    assertEquals(400, answers.get("malformed request line (Jetty's own error)").status);
    for (String api : List.of("public JSON", "authenticated JSON", "401", "API 404")) {
      assertEquals("no-store", answers.get(api).header("cache-control"), api);
    }
    assertTrue(answers.get("asset").header("cache-control").contains("immutable"));

    // The built page needs nothing inline; the docs page's one stylesheet is allowed by its own hash.
    assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(index).find(), index);
    assertFalse(index.contains(" style="), index);
    String docsPage = http.get("/api/docs", null).body();
    Matcher style = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(docsPage);
    assertTrue(style.find(), docsPage);
    String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(style.group(1).getBytes(StandardCharsets.UTF_8)));
    assertTrue(answers.get("docs page").header("content-security-policy").contains("'sha256-" + hash + "'"));
  }

  /** An answer read off the wire: status, headers (lower-case names), body. */
  record Raw(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name, "");
    }
  }

  /** One HTTP/1.1 request over a plain socket, so that Jetty sees the request line exactly as written. */
  static Raw raw(String requestLine, String token) throws IOException {
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      String request = requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      String[] lines = text.substring(0, end).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1)
            .strip());
      }
      return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
    }
  }

  static String sha256Hex(String s) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
