package org.radlab.api.http;

import io.javalin.config.JavalinConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Security headers on every answer (API JSON, pages, static assets, errors and Jetty's own error pages): they are
 * set by a Jetty customizer, before any handler runs, so nothing the server sends goes without them.
 *
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY}, {@code Referrer-Policy: no-referrer};
 *   <li>{@code Content-Security-Policy}: scripts, styles, fonts and fetches from this server only; images also from
 *       {@code data:} (the favicon) and {@code blob:} (study images fetched with the token); no frames, no plugins,
 *       no {@code <base>}; inline styles only the ones named by hash (the {@code /api/docs} page's stylesheet);
 *   <li>{@code Cache-Control: no-store} on everything under {@code /api}, which a handler may replace for an answer
 *       that can be kept (the study PNGs: {@code private}).
 * </ul>
 */
public final class SecurityHeaders {
  private SecurityHeaders() {}

  /** The policy, allowing the given inline {@code <style>} elements by their SHA-256. */
  public static String contentSecurityPolicy(String... inlineStyles) {
    StringBuilder styles = new StringBuilder("'self'");
    for (String s : inlineStyles) {
      styles.append(" 'sha256-").append(sha256Base64(s)).append('\'');
    }
    return "default-src 'none'; script-src 'self'; style-src " + styles + "; img-src 'self' data: blob:; "
        + "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'; object-src 'none'";
  }

  /** Registers the headers on the server of {@code config}. */
  public static void install(JavalinConfig config, String... inlineStyles) {
    Map<String, String> always = Map.of("X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY",
        "Referrer-Policy", "no-referrer", "Content-Security-Policy", contentSecurityPolicy(inlineStyles));
    HttpConfiguration.Customizer customizer = (Request request, HttpFields.Mutable headers) -> {
      always.forEach(headers::put);
      String path = request.getHttpURI().getPath();
      if (path == null || path.equals("/api") || path.startsWith("/api/")) {
        headers.put("Cache-Control", "no-store");
      }
      return request;
    };
    config.jetty.modifyHttpConfiguration(http -> http.addCustomizer(customizer));
    // Jetty's own error answers (a malformed or ambiguous URI, for one) reset the answer first: set them again there;
    // the server-level ones also take the API's JSON error shape (JsonErrorHandler).
    config.jetty.modifyServer(server -> server.setErrorHandler(new ServerErrors(always)));
    config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new ServletErrors(always)));
  }

  private static final class ServerErrors extends JsonErrorHandler {
    private final Map<String, String> always;

    ServerErrors(Map<String, String> always) {
      this.always = always;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      always.forEach(response.getHeaders()::put);
      return super.handle(request, response, callback);
    }
  }

  private static final class ServletErrors extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    private final Map<String, String> always;

    ServletErrors(Map<String, String> always) {
      this.always = always;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      always.forEach(response.getHeaders()::put);
      return super.handle(request, response, callback);
    }
  }

  private static String sha256Base64(String s) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
