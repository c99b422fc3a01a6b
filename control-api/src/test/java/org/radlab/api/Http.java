package org.radlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests: real requests to a real port, answers as status plus JSON. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();

  record Response(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
      }
    }

    /** Checks the status, and for errors the one error shape with a non-empty detail. */
    Response expect(int expected) {
      assertEquals(expected, status, "status; body: " + body);
      if (expected >= 400) {
        JsonNode j = json();
        assertTrue(j.path("error").isTextual() && !j.path("error").asText().isBlank(), body);
        assertTrue(j.path("detail").isTextual() && !j.path("detail").asText().isBlank(), body);
        assertEquals(2, j.size(), "only error and detail: " + body);
      }
      return this;
    }

    String detail() {
      return json().path("detail").asText();
    }
  }

  private final String base;
  /**
   * A client per server: a client shared by the test classes of one JVM could reuse a kept-alive connection to an
   * earlier, stopped server that had the same port, and a request on it gets no answer at all.
   */
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Response get(String path, String token) {
    return send(request(path, token).GET());
  }

  Response post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(text(body))));
  }

  Response put(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(text(body))));
  }

  Response method(String method, String path, String token, String body, String contentType) {
    HttpRequest.Builder b = request(path, token);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)));
  }

  Response upload(String path, String token, byte[] body, String contentType) {
    return send(request(path, token).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** A POST of {@code body} (JSON) asking for {@code accept}; the answer's bytes as they came. */
  HttpResponse<byte[]> postFor(String path, String token, Object body, String contentType, String accept) {
    HttpRequest.BodyPublisher publisher = body instanceof byte[] raw ? HttpRequest.BodyPublishers.ofByteArray(raw)
        : HttpRequest.BodyPublishers.ofString(text(body));
    return exchange(request(path, token).header("Content-Type", contentType).header("Accept", accept)
        .POST(publisher), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> bytes(String path, String token) {
    return exchange(request(path, token).GET(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static String text(Object body) {
    try {
      return body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Response send(HttpRequest.Builder b) {
    HttpResponse<String> r = exchange(b, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
  }

  /** Sends the request and waits for the whole answer; failures to talk at all are unchecked. */
  private <T> HttpResponse<T> exchange(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) {
    try {
      return client.send(b.build(), handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
