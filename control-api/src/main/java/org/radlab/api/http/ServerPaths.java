package org.radlab.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a participant sees of the server's files: no absolute path. A path in the workspace reads
 * {@code $RADLAB_HOME/models/job-12}; any other absolute path is cut to its last part ({@code …/dicom}). Admins see
 * everything as it is. Applied to every view that carries a path: datasets, jobs (config, reason, log, progress,
 * artifacts), models and their cards, publications.
 */
public final class ServerPaths {
  public static final String HOME = "$RADLAB_HOME";
  /** An absolute path (or file: URI) standing on its own: not the tail of a URL, a relative path, $RADLAB_HOME/ or an API path. */
  private static final Pattern ABSOLUTE =
      Pattern.compile("(?<![\\w.:/$~-])(?:file:)?/(?!api(?:/|\\b))[^\\s\"'<>|,;()\\[\\]{}]+");
  private final Pattern home;

  public ServerPaths(Path home) {
    String text = home.toAbsolutePath().normalize().toString();
    this.home = Pattern.compile("(?:file:)?" + Pattern.quote(text) + "(?=/|$|[^\\w.-])");
  }

  /** {@code value} as the caller may see it: as is for an admin, as JSON without server paths for anyone else. */
  public Object view(Caller caller, Object value) {
    return caller.isAdmin() ? value : scrub(Json.MAPPER.valueToTree(value));
  }

  /** {@code text} for {@code caller}: as is for an admin, without server paths for anyone else. */
  public String view(Caller caller, String text) {
    return caller.isAdmin() ? text : scrub(text);
  }

  public String scrub(String text) {
    if (text == null) {
      return null;
    }
    String relative = home.matcher(text).replaceAll(Matcher.quoteReplacement(HOME));
    Matcher m = ABSOLUTE.matcher(relative);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String path = m.group();
      String last = path.substring(path.lastIndexOf('/') + 1);
      m.appendReplacement(out, Matcher.quoteReplacement("…/" + last));
    }
    return m.appendTail(out).toString();
  }

  /** A copy of {@code node} with every string scrubbed. */
  public JsonNode scrub(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return TextNode.valueOf(scrub(node.asText()));
    }
    if (node.isArray()) {
      ArrayNode copy = Json.MAPPER.createArrayNode();
      node.forEach(n -> copy.add(scrub(n)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = Json.MAPPER.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        copy.set(e.getKey(), scrub(e.getValue()));
      }
      return copy;
    }
    return node;
  }
}
