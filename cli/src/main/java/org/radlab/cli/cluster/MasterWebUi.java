package org.radlab.cli.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a standalone master's state over HTTP from its web UI ({@code GET /json/}). */
public final class MasterWebUi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NORMAL)
      .build();

  private MasterWebUi() {}

  /** The master's state; throws IOException if the UI does not answer 200 with JSON in time. */
  public static MasterStatus fetch(URI webUi, Duration timeout) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(webUi.resolve("/json/"))
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while reading " + request.uri(), e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET " + request.uri() + " answered HTTP " + response.statusCode());
    }
    return MasterStatus.fromJson(JSON.readTree(response.body()));
  }
}
