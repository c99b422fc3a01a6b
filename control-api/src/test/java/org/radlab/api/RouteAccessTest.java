package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint the server lists ({@code GET /api}) keeps the access rule its row promises, tried against the
 * running server: without a token only the public ones answer, a participant gets 403 from every admin one before
 * anything is read or written, and no request of an empty body or a missing object is answered with a 500.
 */
class RouteAccessTest {
  @TempDir static Path tmp;
  static ControlApi api;
  static Http http;
  static String admin;
  static String participant;

  @BeforeAll
  static void start() {
    api = Fixtures.server(tmp.resolve("home"));
    http = new Http(api.port());
    admin = api.firstAdminToken().orElseThrow();
    participant = Fixtures.participant(http, admin, "pat");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.stop();
    }
  }

  @Test
  void everyListedEndpointKeepsItsAccessRule() {
    JsonNode endpoints = http.get("/api", null).expect(200).json();
    assertTrue(endpoints.size() > 60, "the endpoint list: " + endpoints);
    List<String> wrong = new ArrayList<>();
    int admins = 0;
    for (JsonNode e : endpoints) {
      String method = e.path("method").asText();
      String path = e.path("path").asText().replaceAll("\\{[A-Za-z]+}", "999999");
      String access = e.path("access").asText();
      String body = method.equals("GET") ? null : "{}";
      String type = body == null ? null : "application/json";
      Http.Response anonymous = http.method(method, path, null, body, type);
      if (access.equals("public")) {
        if (anonymous.status() != 200) {
          wrong.add(method + " " + path + " is public but answered " + anonymous.status() + " without a token");
        }
        continue;
      }
      if (anonymous.status() != 401) {
        wrong.add(method + " " + path + " answered " + anonymous.status() + " without a token");
      }
      Http.Response asParticipant = http.method(method, path, participant, body, type);
      if (access.equals("admin")) {
        admins++;
        if (asParticipant.status() != 403) {
          wrong.add(method + " " + path + " is for admins but answered a participant " + asParticipant.status());
        }
      } else if (asParticipant.status() >= 500 || asParticipant.status() == 401) {
        wrong.add(method + " " + path + " answered a participant " + asParticipant.status() + ": "
            + asParticipant.body());
      }
      Http.Response asAdmin = http.method(method, path, admin, body, type);
      if (asAdmin.status() >= 500 || asAdmin.status() == 401 || asAdmin.status() == 403) {
        wrong.add(method + " " + path + " answered an admin " + asAdmin.status() + ": " + asAdmin.body());
      }
    }
    assertEquals(List.of(), wrong);
    // the rows that say "admin": users (2), a user's token, draft requests, dataset registration, reference
    // labels, reference boxes, reference masks, preparing a dataset again, the assist module, publish destinations
    // (2), the PACS sources and their connection test, a deployment's watch (set and removed), challenges and their
    // final ranking
    assertEquals(18, admins);
  }
}
