package org.radlab.core.dataset;

import java.util.ArrayList;
import java.util.List;

/** One CSV line split into fields, as RFC 4180 quotes them ({@code "a,b"}, {@code ""} for a quote). */
public final class Csv {
  private Csv() {}

  public static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString().strip());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString().strip());
    return out;
  }

  /** A row's place for error messages ({@code "file line 7"}) and its fields. */
  public interface Row {
    void accept(String where, List<String> fields);
  }

  /**
   * Each non-blank line after the header of {@code lines} ({@code name} names them in errors), split into fields: a
   * line with another number of fields than {@code fields} is an error naming its line and {@code layout}.
   */
  public static void rows(List<String> lines, String name, int fields, String layout, Row row) {
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      String where = name + " line " + (n + 1);
      List<String> f = fields(lines.get(n));
      if (f.size() != fields) {
        throw new IllegalArgumentException(where + ": " + f.size() + " fields; expected " + layout);
      }
      row.accept(where, f);
    }
  }

  /**
   * One value as a CSV field that {@link #fields} reads back unchanged: quoted when it holds a comma, a quote or
   * surrounding spaces; line breaks become spaces, since a snapshot or catalog row is one line.
   */
  public static String quote(String value) {
    String v = value.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    boolean needs = v.contains(",") || v.contains("\"") || !v.equals(v.strip());
    return needs ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }
}
