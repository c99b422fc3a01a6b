package org.radlab.api.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request it refuses before the app sees it, such as a path with an encoded control
 * character like {@code %00}) in the API's one error shape, {@code {error, detail}}, instead of Jetty's HTML page.
 */
public class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    String detail = code == 400
        ? "the request cannot be read" + (message == null || message.isBlank() ? "" : " (" + LogText.clean(message)
            + ")") + "; a path must not hold encoded control characters such as %00 or ambiguous encodings"
        : message == null || message.isBlank() ? "HTTP " + code : LogText.clean(message);
    String error = switch (code) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      default -> code >= 500 ? "internal_error" : "http_" + code;
    };
    byte[] body = Json.MAPPER.writeValueAsBytes(new ApiError(error, detail));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
