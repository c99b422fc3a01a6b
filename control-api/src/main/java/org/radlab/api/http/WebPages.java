package org.radlab.api.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The web pages: a single-page app built by Vite (sources in {@code control-api/web}, built by the bootstrap) and
 * packed into the jar under {@code /web}. Its hashed assets are served with a year-long cache; every page path
 * answers with {@code index.html}, whose script routes on the client. The pages call only the REST API.
 */
public final class WebPages {
  /** The paths the app routes; each serves index.html so a reload or a shared link works. */
  public static final List<String> PAGES = List.of("/", "/signin", "/define", "/define/{useCaseId}", "/annotate",
      "/create", "/evaluate", "/run", "/publish", "/assess", "/challenge", "/data", "/admin");

  private static final String INDEX = "/web/index.html";
  private static final String NOT_BUILT = """
      <!doctype html><meta charset="utf-8"><title>RadLab</title>
      <body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
      <h1>The web pages are not built</h1>
      <p>This server was built without them. Run <code>bin/bootstrap</code> (it builds them with npm), then
      <code>bin/radlab serve</code> again. The REST API works without them: see <a href="/api/docs">/api/docs</a>.</p>
      """;

  private final byte[] index;

  private WebPages(byte[] index) {
    this.index = index;
  }

  /** Reads index.html from the classpath once; null when the pages were not built into this jar. */
  public static WebPages load() {
    try (InputStream in = WebPages.class.getResourceAsStream(INDEX)) {
      return new WebPages(in == null ? null : in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the web pages' " + INDEX, e);
    }
  }

  public boolean built() {
    return index != null;
  }

  /** Static assets (when built) under /assets, with long caching: their names change with their content. */
  public void configure(JavalinConfig config) {
    if (built()) {
      config.staticFiles.add(files -> {
        files.hostedPath = "/assets";
        files.directory = "/web/assets";
        files.location = Location.CLASSPATH;
        files.headers = Map.of("Cache-Control", "public, max-age=31536000, immutable");
      });
    }
  }

  /** Answers a page path with the app (or with how to build it). */
  public void page(Context ctx) {
    ctx.header("Cache-Control", "no-cache");
    if (built()) {
      ctx.contentType("text/html; charset=utf-8").result(index);
    } else {
      ctx.status(503).contentType("text/html; charset=utf-8").result(NOT_BUILT);
    }
  }
}
