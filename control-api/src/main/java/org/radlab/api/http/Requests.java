package org.radlab.api.http;

import io.javalin.http.Context;

/** Path and query parameters, checked, with a 400 or 404 that names the parameter. */
public final class Requests {
  public static final int MAX_PAGE = 1000;

  private Requests() {}

  public static Caller caller(Context ctx) {
    Caller caller = ctx.attribute(Caller.class.getName());
    if (caller == null) {
      throw ApiException.unauthorized("send your API token as 'Authorization: Bearer <token>'");
    }
    return caller;
  }

  /** A numeric id in the path; a malformed one names nothing that exists, so it is a 404. */
  public static long id(Context ctx, String name, String what) {
    String raw = ctx.pathParam(name);
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw ApiException.notFound(what + " '" + raw + "'");
  }

  public static String text(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  public static Long optionalLong(Context ctx, String name) {
    String v = text(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("query parameter '" + name + "' must be a whole number, got '" + v + "'");
    }
  }

  public static long requiredLong(Context ctx, String name) {
    Long v = optionalLong(ctx, name);
    if (v == null) {
      throw ApiException.badRequest("query parameter '" + name + "' is required");
    }
    return v;
  }

  public static int limit(Context ctx, int fallback) {
    Long v = optionalLong(ctx, "limit");
    if (v == null) {
      return fallback;
    }
    if (v < 1 || v > MAX_PAGE) {
      throw ApiException.badRequest("limit must be between 1 and " + MAX_PAGE + ", got " + v);
    }
    return v.intValue();
  }

  public static int offset(Context ctx) {
    Long v = optionalLong(ctx, "offset");
    if (v == null) {
      return 0;
    }
    if (v < 0) {
      throw ApiException.badRequest("offset must be 0 or more, got " + v);
    }
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  /** A non-blank string field of a request body, at most {@code max} characters. */
  public static String field(String value, String name, int max) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("'" + name + "' is required");
    }
    if (value.length() > max) {
      throw ApiException.badRequest("'" + name + "' is longer than " + max + " characters");
    }
    return value.strip();
  }
}
