package org.radlab.core.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.radlab.core.Workspace;

/**
 * The PACS a site has configured, read from a JSON file that only its owner may read (default
 * {@code $RADLAB_HOME/pacs.json}):
 * <pre>{"sources": {"main": {"url": "https://pacs.example.org/dicom-web", "user": "radlab", "password": "..."},
 *              "old": {"host": "pacs.example.org", "port": 104, "aet": "PACS", "callingAet": "RADLAB"}}}</pre>
 * A DIMSE source may add {@code "retrieve": "C-MOVE"} and {@code "receivePort"} (see {@link PacsSource.Dimse}).
 * Credentials live only here: never on a command line (where {@code ps} shows them), in a job config or in a log.
 */
public final class PacsSources {
  /** The file's name in the workspace. */
  public static final String FILE = "pacs.json";
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  private final Path file;
  private final Map<String, PacsSource> sources;

  private PacsSources(Path file, Map<String, PacsSource> sources) {
    this.file = file;
    this.sources = sources;
  }

  /** The workspace's file. */
  public static Path defaultFile() {
    return Workspace.current().root().resolve(FILE);
  }

  /** Reads {@code file}; refuses one that its group or others can read or write. */
  public static PacsSources read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no PACS sources file at " + file + ": write one (docs/pacs.md) and make it"
          + " readable by you only (chmod 600)");
    }
    try {
      Set<PosixFilePermission> open = EnumSet.copyOf(Files.getPosixFilePermissions(file));
      open.retainAll(OTHERS);
      if (!open.isEmpty()) {
        throw new IllegalArgumentException(file + " holds PACS credentials but others may read or write it ("
            + open + "): chmod 600 " + file);
      }
    } catch (UnsupportedOperationException e) {
      // a file system without POSIX permissions: nothing to check
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // where, not what: the text around a mistake may be a password
      var at = e.getLocation();
      throw new IllegalArgumentException(file + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
          + ", column " + at.getColumnNr() + ")"));
    }
    JsonNode list = root == null ? null : root.get("sources");
    if (list == null || !list.isObject() || list.isEmpty()) {
      throw new IllegalArgumentException(file + " names no PACS: expected {\"sources\": {\"NAME\": {\"url\": ...}}}");
    }
    Map<String, PacsSource> sources = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      if (s == null || !s.isObject()) {
        throw new IllegalArgumentException(file + ": source '" + e.getKey() + "' is not an object");
      }
      for (Iterator<String> keys = s.fieldNames(); keys.hasNext();) {
        String key = keys.next();
        if (!FIELDS.contains(key)) {
          throw new IllegalArgumentException(file + ": source '" + e.getKey() + "' has an unknown field '" + key
              + "' (allowed: " + String.join(", ", FIELDS) + ")");
        }
      }
      try {
        sources.put(e.getKey(), source(e.getKey(), s));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(file + ": " + bad.getMessage());
      }
    }
    return new PacsSources(file, sources);
  }

  /** The fields a source may have: DICOMweb's, then DIMSE's. */
  private static final List<String> FIELDS = List.of("url", "user", "password", "host", "port", "aet", "callingAet",
      "retrieve", "receivePort");
  private static final List<String> DIMSE = List.of("host", "port", "aet");

  /** One source: DICOMweb when it has a url, DIMSE when it has any of host, port and aet (then all three). */
  private static PacsSource source(String name, JsonNode s) {
    List<String> given = DIMSE.stream().filter(s::has).toList();
    boolean dimseOnly = s.has("callingAet") || s.has("retrieve") || s.has("receivePort");
    if (given.isEmpty() && !dimseOnly) {
      if (!s.has("url")) {
        throw new IllegalArgumentException("source '" + name + "' says neither where its DICOMweb root is (\"url\")"
            + " nor where its DICOM node is (\"host\", \"port\", \"aet\")");
      }
      return new PacsSource(name, text(s, "url"), text(s, "user"), text(s, "password"));
    }
    if (s.has("url")) {
      throw new IllegalArgumentException("source '" + name + "' has both a DICOMweb url and DIMSE fields ("
          + String.join(", ", given.isEmpty() ? List.of("callingAet/retrieve/receivePort") : given) + "): a source is"
          + " one or the other; list the PACS twice under two names to use both");
    }
    if (given.size() < DIMSE.size()) {
      List<String> missing = DIMSE.stream().filter(f -> !s.has(f)).toList();
      throw new IllegalArgumentException("DIMSE source '" + name + "' lacks " + String.join(" and ", missing)
          + ": a DIMSE source needs \"host\", \"port\" and \"aet\" (the PACS's AE title)");
    }
    String retrieve = text(s, "retrieve");
    PacsSource.Retrieve how;
    if (retrieve == null || retrieve.equalsIgnoreCase("C-GET")) {
      how = PacsSource.Retrieve.GET;
    } else if (retrieve.equalsIgnoreCase("C-MOVE")) {
      how = PacsSource.Retrieve.MOVE;
    } else {
      throw new IllegalArgumentException("source '" + name + "': retrieve is \"C-GET\" (the default) or"
          + " \"C-MOVE\", got '" + retrieve + "'");
    }
    try {
      return new PacsSource(name, new PacsSource.Dimse(text(s, "host"), number(s, "port"), text(s, "aet"),
          text(s, "callingAet"), how, s.has("receivePort") ? number(s, "receivePort") : 0));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("DIMSE source '" + name + "': " + e.getMessage());
    }
  }

  private static int number(JsonNode source, String field) {
    JsonNode v = source.get(field);
    if (v == null || !v.canConvertToInt() && !(v.isTextual() && v.asText().matches("\\d{1,5}"))) {
      throw new IllegalArgumentException(field + " must be a port number, got " + v);
    }
    return v.isTextual() ? Integer.parseInt(v.asText()) : v.asInt();
  }

  private static String text(JsonNode source, String field) {
    JsonNode v = source.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The source named {@code name}, or the only one when {@code name} is null. */
  public PacsSource get(String name) {
    if (name == null) {
      if (sources.size() == 1) {
        return sources.values().iterator().next();
      }
      throw new IllegalArgumentException(file + " names " + sources.size() + " PACS (" + names() + "): choose one"
          + " with --source NAME");
    }
    PacsSource s = sources.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no PACS source '" + name + "' in " + file + " (it has: " + names() + ")");
    }
    return s;
  }

  /** Every source, in the file's order. */
  public List<PacsSource> all() {
    return List.copyOf(sources.values());
  }

  public List<String> names() {
    return new ArrayList<>(sources.keySet());
  }
}
