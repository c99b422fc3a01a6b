package org.radlab.api.routes;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.radlab.api.http.ApiException;
import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.pacs.PacsException;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;

/**
 * The PACS the server's workspace names ({@code $RADLAB_HOME/pacs.json}, owner-only; edited on the server, never
 * through the API), for admins: the list, and a connection test per source. No answer holds a source's user or
 * password: the list says only whether credentials are set, and a failed test is described here, not by the client's
 * message (which names the user).
 */
public final class PacsRoutes {
  /** Studies the connection test's query asks for. */
  static final int TEST_LIMIT = 5;
  /** The longest a connection test may take, connecting and reading included. */
  static final Duration TEST_TIMEOUT = Duration.ofSeconds(10);
  /** Connection tests running at once; more are refused (each may hold a request thread for the timeout). */
  private static final int TESTS_AT_ONCE = 2;

  /** A source as the API shows it: never the user or the password. */
  public record SourceView(String name, String url, boolean credentials) {}

  /** What a connection test found: ok with the time and the studies the query saw, or the reason and its detail. */
  public record TestResult(String source, boolean ok, long millis, Integer studies, int limit, String reason,
      String detail) {}

  private final Path file;
  private final Semaphore tests = new Semaphore(TESTS_AT_ONCE);

  public PacsRoutes(Path home) {
    this.file = home.resolve(PacsSources.FILE);
  }

  public void list(Context ctx) {
    List<SourceView> sources = read().all().stream()
        .map(s -> new SourceView(s.name(), s.isDimse() ? s.dimse().toString() : s.url(), s.user() != null)).toList();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("file", file.toString());
    answer.put("sources", sources);
    ctx.json(answer);
  }

  /** Runs one small QIDO-RS query against the source; 200 with ok or the reason it failed. */
  public void test(Context ctx) {
    String name = ctx.pathParam("source");
    PacsSource source;
    try {
      source = read().get(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("PACS source '" + name + "' in " + file);
    }
    if (!tests.tryAcquire()) {
      throw ApiException.conflict(TESTS_AT_ONCE + " connection tests are running; try again when they end (each "
          + "takes at most " + TEST_TIMEOUT.toSeconds() + " s)");
    }
    long start = System.nanoTime();
    try {
      if (source.isDimse()) {
        // a DICOM node: a C-ECHO says whether it answers RadLab's AE title (it has no user or password to name)
        try {
          new org.radlab.core.pacs.DimseClient(source, null).echo();
          ctx.json(new TestResult(source.name(), true, (System.nanoTime() - start) / 1_000_000, null, TEST_LIMIT,
              null, null));
        } catch (IOException e) {
          String m = String.valueOf(e.getMessage());
          ctx.json(new TestResult(source.name(), false, (System.nanoTime() - start) / 1_000_000, null, TEST_LIMIT,
              m.startsWith("cannot reach") ? "unreachable" : m.contains("the association") ? "association_refused"
                  : m.contains("stopped answering") ? "timeout" : "pacs_error", m));
        }
        return;
      }
      DicomWebClient.Probe p = new DicomWebClient(source, TEST_TIMEOUT).probe(TEST_LIMIT, TEST_TIMEOUT);
      ctx.json(new TestResult(source.name(), true, p.millis(), p.studies(), TEST_LIMIT, null, null));
    } catch (IOException e) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      ctx.json(failed(source, millis, e));
    } finally {
      tests.release();
    }
  }

  /** A failed test in this API's words: what kind, and what to check; never the client's message (it names the user). */
  static TestResult failed(PacsSource source, long millis, IOException e) {
    String where = source.url();
    String reason;
    String detail;
    if (e instanceof PacsException p) {
      switch (p.kind()) {
        case UNREACHABLE -> {
          reason = "unreachable";
          detail = "no HTTP connection to " + where + " (refused, no route, unknown host, or no answer on it): check "
              + "the url and that this server may reach the PACS";
        }
        case TIMEOUT -> {
          reason = "timeout";
          detail = where + " did not answer in " + TEST_TIMEOUT.toSeconds() + " s";
        }
        case CREDENTIALS_REFUSED -> {
          reason = "credentials_refused";
          detail = "the PACS answered HTTP " + p.status() + ": " + (source.user() == null
              ? "it wants credentials; add \"user\" and \"password\" to the source in the sources file"
              : "it refused the source's credentials; check \"user\" and \"password\" in the sources file");
        }
        case HTTP_STATUS -> {
          reason = p.status() / 100 == 5 ? "pacs_error" : "not_dicomweb";
          detail = "the PACS answered HTTP " + p.status() + " to QIDO-RS " + where + "/studies" + (p.status() / 100 == 3
              ? " (a redirect, which is not followed: give the address it names as the url)"
              : p.status() == 404 ? " (is the url the DICOMweb root, the address /studies hangs from?)" : "");
        }
        default -> {
          reason = "not_dicomweb";
          detail = "the answer to QIDO-RS " + where + "/studies is not a DICOM JSON list of studies (is the url the "
              + "DICOMweb root?)";
        }
      }
    } else {
      reason = "failed";
      detail = "the test did not complete";
    }
    return new TestResult(source.name(), false, millis, null, TEST_LIMIT, reason, detail);
  }

  /** The sources file; a missing, open or malformed one is a 409 whose detail says what to fix. */
  private PacsSources read() {
    try {
      return PacsSources.read(file);
    } catch (IllegalArgumentException e) {
      throw ApiException.conflict(e.getMessage());
    } catch (IOException e) {
      throw ApiException.conflict("the PACS sources file " + file + " cannot be read (" + e.getClass().getSimpleName()
          + "): check that the server's user owns it");
    }
  }
}
