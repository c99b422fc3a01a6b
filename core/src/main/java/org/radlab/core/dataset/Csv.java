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
