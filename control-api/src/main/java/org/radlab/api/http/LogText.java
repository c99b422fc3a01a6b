package org.radlab.api.http;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Text from a request made safe to log or to echo: control characters become visible escapes such as {@code \x00}. */
public final class LogText {
  private LogText() {}

  public static String clean(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\t' || !Character.isISOControl(c)) {
        out.append(c);
      } else {
        out.append(String.format("\\x%02x", (int) c));
      }
    }
    return out.toString();
  }

  /** A stack trace as cleaned text (an exception's message may hold what a request sent). */
  public static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return clean(w.toString());
  }
}
