package org.radlab.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.javalin.http.Context;
import java.util.stream.Collectors;

/** The API's JSON: one strict mapper, and request bodies read into records with errors that name the field. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .findAndRegisterModules()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

  static {
    // A number or true/false where text is expected is a wrong type, not text.
    var textual = MAPPER.coercionConfigFor(LogicalType.Textual);
    textual.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    textual.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    textual.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
  }

  private Json() {}

  /** Where the server puts the largest text body it accepts (uploads have their own, larger limit). */
  public static final String BODY_LIMIT = "radlab.maxBodyBytes";

  /** How much of a refused body is read and dropped, so that a client still sending it gets the 413 answer. */
  private static final long DRAIN_LIMIT = 64L << 20;

  /** The request body as text, at most the server's body limit (413 otherwise). */
  public static String text(Context ctx) {
    Long limit = ctx.attribute(BODY_LIMIT);
    long declared = ctx.contentLength();
    if (limit != null && declared > limit) {
      dropBody(ctx, declared);
      throw tooLarge(limit);
    }
    String text = ctx.body();
    if (limit != null && text.length() > limit) {
      throw tooLarge(limit);
    }
    return text;
  }

  /**
   * Reads and drops a refused body of {@code declared} bytes before the answer: answering while the client still
   * sends would close the connection under it, and most clients (browsers, the JDK's) then report a broken
   * connection instead of the answer. Bodies beyond 64 MiB are cut off.
   */
  public static void dropBody(Context ctx, long declared) {
    if (declared > DRAIN_LIMIT) {
      return;
    }
    try {
      ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    } catch (java.io.IOException e) {
      // the client gave up; the answer may not reach it either
    }
  }

  private static ApiException tooLarge(long limit) {
    return new ApiException(413, "body_too_large", "the request body is larger than the limit of " + limit
        + " bytes");
  }

  /** The request body as {@code type}; a 400 naming the field and the problem otherwise. */
  public static <T> T body(Context ctx, Class<T> type) {
    String text = text(ctx);
    if (text.isBlank()) {
      throw ApiException.badRequest("the request needs a JSON body");
    }
    try {
      return MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(describe(e));
    }
  }

  /** The request body as a JSON tree (an object), for job configs that are checked by their own record. */
  public static JsonNode objectBody(Context ctx) {
    String text = text(ctx);
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("the request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(describe(e));
    }
  }

  /** A sentence for a Jackson failure: where it is, and what was wrong, without Java class names. */
  public static String describe(JsonProcessingException e) {
    if (e instanceof JsonParseException p) {
      return "malformed JSON at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr()
          + ": " + p.getOriginalMessage();
    }
    if (e instanceof ValueInstantiationException v) {
      Throwable cause = v.getCause() == null ? v : v.getCause();
      return cause.getMessage();
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + u.getPropertyName() + "'"
          + (u.getKnownPropertyIds().isEmpty() ? "" : "; known fields: " + u.getKnownPropertyIds().stream()
              .map(Object::toString).sorted().collect(Collectors.joining(", ")));
    }
    if (e instanceof InvalidFormatException f) {
      return "field '" + path(f) + "' has the wrong value " + f.getValue() + ": expected " + typeName(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m && m.getPath().isEmpty()) {
      return "the request body must be a JSON object";
    }
    if (e instanceof MismatchedInputException m) {
      return "field '" + path(m) + "' has the wrong type: expected " + typeName(m.getTargetType());
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "': " + m.getOriginalMessage();
    }
    return "the body is not valid JSON: " + e.getOriginalMessage();
  }

  private static String path(JsonMappingException e) {
    String joined = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return joined.replace(".[", "[");
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    return "an object";
  }
}
