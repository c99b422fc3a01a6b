package org.radlab.core.pacs;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A PACS query written as an input path: {@code dicomweb://SOURCE?modality=MG&from=2024-01-01&to=2024-12-31&
 * description=...} names a source of the sources file ({@link PacsSources}) and a study query. Prep reads it (it
 * pulls, then converts); the control API checks one before it queues prep on it.
 */
public record DicomWebInput(String source, StudyQuery query) {
  public static final String SCHEME = "dicomweb://";
  private static final Set<String> KEYS = Set.of("modality", "from", "to", "description");

  /** Whether {@code input} is a PACS query rather than a path. */
  public static boolean is(String input) {
    return input != null && input.startsWith(SCHEME);
  }

  /** The source's name and the query {@code input} names; errors name the part that is wrong. */
  public static DicomWebInput parse(String input) {
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
    return new DicomWebInput(source, new StudyQuery(q.containsKey("modality")
        ? q.get("modality").toUpperCase(Locale.ROOT) : null, date(q.get("from"), "from"), date(q.get("to"), "to"),
        q.get("description"), null, null));
  }

  private static LocalDate date(String text, String key) {
    try {
      return text == null ? null : LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + key + "' must be a date as YYYY-MM-DD, got '" + text + "'");
    }
  }
}
