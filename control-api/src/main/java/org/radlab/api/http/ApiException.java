package org.radlab.api.http;

/**
 * A request that cannot be served, with its HTTP status and the {@link ApiError} to send. Handlers throw these; one
 * exception mapper in {@code ControlApi} turns them into responses.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String error;

  public ApiException(int status, String error, String detail) {
    super(detail);
    this.status = status;
    this.error = error;
  }

  public int status() { return status; }

  public ApiError body() { return new ApiError(error, getMessage()); }

  public static ApiException badRequest(String detail) { return new ApiException(400, "bad_request", detail); }

  /** A precondition of a job or an action is not met (for example too few annotations to train). */
  public static ApiException rule(String detail) { return new ApiException(400, "rule_violated", detail); }

  public static ApiException unauthorized(String detail) { return new ApiException(401, "unauthorized", detail); }

  public static ApiException forbidden(String detail) { return new ApiException(403, "forbidden", detail); }

  public static ApiException notFound(String what) { return new ApiException(404, "not_found", what + " does not exist"); }

  public static ApiException conflict(String detail) { return new ApiException(409, "conflict", detail); }
}
