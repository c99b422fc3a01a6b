package org.radlab.api.http;

/** The authenticated user making a request. */
public record Caller(long id, String name, String role) {
  public static final String ADMIN = "admin";
  public static final String PARTICIPANT = "participant";

  public boolean isAdmin() { return ADMIN.equals(role); }

  /** Throws 403 unless the caller is an admin. */
  public void requireAdmin(String action) {
    if (!isAdmin()) {
      throw ApiException.forbidden(action + " is for admins only");
    }
  }

  /** Throws 404 unless the caller owns the thing or is an admin: a participant cannot learn that others' exist. */
  public void requireOwnerOrAdmin(long ownerId, String what) {
    if (!isAdmin() && ownerId != id) {
      throw ApiException.notFound(what);
    }
  }
}
