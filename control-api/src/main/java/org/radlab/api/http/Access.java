package org.radlab.api.http;

import io.javalin.security.RouteRole;

/**
 * Who may call an endpoint, as the route table declares it and Javalin enforces before the handler runs: anyone,
 * any user with a valid token, or admins only. Finer rules (a participant's own jobs, models and tokens) are the
 * handlers', and the table's prose says them.
 */
public enum Access implements RouteRole {
  /** No token needed. */
  PUBLIC,
  /** A valid token of any user. */
  USER,
  /** A valid token of an admin; anyone else gets 403. */
  ADMIN
}
