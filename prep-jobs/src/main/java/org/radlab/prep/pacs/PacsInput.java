package org.radlab.prep.pacs;

import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;
import org.radlab.core.pacs.StudyQuery;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;

/**
 * A PACS query as prep's input: {@code dicomweb://SOURCE?modality=MG&from=2024-01-01&to=2024-12-31&description=...}
 * names a source of the workspace's sources file ({@code $RADLAB_HOME/pacs.json}) and a study query. Prep first pulls
 * the matching studies (incrementally, as {@code radlab pull}) into the dataset's private folder ({@code
 * PRIVATE/pulled}: identifiable DICOM, an admin's), then converts them as any folder.
 */
public final class PacsInput {
  public static final String SCHEME = "dicomweb://";
  private static final Set<String> KEYS = Set.of("modality", "from", "to", "description");

  private PacsInput() {}

  /** Whether {@code input} is a PACS query rather than a path. */
  public static boolean is(String input) {
    return input != null && input.startsWith(SCHEME);
  }

  /** The source's name and the query an input names; errors name the part that is wrong. */
  public record Parsed(String source, StudyQuery query) {}

  public static Parsed parse(String input) {
    URI uri;
    try {
      uri = URI.create(input);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("input " + input + " is not a URI: " + e.getMessage());
    }
    String source = uri.getRawAuthority();
    if (source == null || source.isEmpty() || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
        && !uri.getRawPath().equals("/"))) {
      throw new IllegalArgumentException("a PACS input looks like dicomweb://SOURCE?modality=MG&from=YYYY-MM-DD,"
          + " got " + input);
    }
    Map<String, String> q = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown key '" + key + "' in PACS input " + input + "; allowed: "
              + new java.util.TreeSet<>(KEYS));
        }
        q.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return new Parsed(source, new StudyQuery(q.containsKey("modality") ? q.get("modality").toUpperCase(Locale.ROOT)
        : null, date(q.get("from"), "from"), date(q.get("to"), "to"), q.get("description"), null, null));
  }

  private static LocalDate date(String text, String key) {
    try {
      return text == null ? null : LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + key + "' must be a date as YYYY-MM-DD, got '" + text + "'");
    }
  }

  /**
   * The folder prep converts: {@code input} itself, or, for a PACS query, the private folder the query's studies
   * were pulled into just now.
   */
  public static String resolve(SparkSession spark, String input, DatasetLayout layout, PrintStream log)
      throws IOException {
    if (!is(input)) {
      return input;
    }
    Parsed parsed = parse(input);
    PacsSource source = PacsSources.read(PacsSources.defaultFile()).get(parsed.source());
    Path pulled = Path.of(layout.privateRoot(), "pulled");
    PullJob.Summary s = PullJob.run(spark, new PullJob.Request(source, List.of(parsed.query()), pulled, false), log);
    for (PullJob.Failure f : s.failed()) {
      log.printf("prep: study %s was not pulled (%s); the next run tries again%n", f.studyUid(), f.reason());
    }
    return pulled.toString();
  }
}
