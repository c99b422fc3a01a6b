package org.radlab.api.routes;

import io.javalin.http.Context;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.TokenDao;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.api.http.Tokens;

/** Users: admins create them and get each one's first token once; everyone can see who they are. */
public final class UserRoutes {
  /** {@code days}: the first token's lifetime (default {@link Tokens#DEFAULT_DAYS}). */
  public record NewUser(String name, String role, Integer days) {}

  public record Created(long id, String name, String role, String token, long tokenId, String tokenExpiresAt) {}

  private final UserDao users;
  private final TokenDao tokens;

  public UserRoutes(Database db) {
    this.users = db.dao(UserDao.class);
    this.tokens = db.dao(TokenDao.class);
  }

  public void me(Context ctx) {
    Caller c = Requests.caller(ctx);
    ctx.json(Map.of("id", c.id(), "name", c.name(), "role", c.role()));
  }

  public void list(Context ctx) {
    ctx.json(users.list(Times.now()));
  }

  public void create(Context ctx) {
    Caller admin = Requests.caller(ctx);
    NewUser r = Json.body(ctx, NewUser.class);
    String name = Requests.field(r.name(), "name", 64);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.@-]*")) {
      throw ApiException.badRequest("name may hold letters, digits, '_', '.', '@' and '-', got '" + name + "'");
    }
    String role = r.role() == null ? Caller.PARTICIPANT : r.role();
    if (!role.equals(Caller.ADMIN) && !role.equals(Caller.PARTICIPANT)) {
      throw ApiException.badRequest("role must be admin or participant, got '" + role + "'");
    }
    int days = Tokens.days(r.days());
    if (users.countNamed(name) > 0) {
      throw ApiException.conflict("a user named '" + name + "' exists already");
    }
    ctx.status(201).json(create(users, tokens, name, role, days, admin.id()));
  }

  /** Creates a user with a fresh token; the token is in the answer only, the database keeps its hash. */
  public static Created create(UserDao users, TokenDao tokens, String name, String role, int days, Long by) {
    long id = users.insert(name, role, Times.now());
    Tokens.Issued t = Tokens.issue(tokens, id, "first token", days, by);
    return new Created(id, name, role, t.token(), t.id(), t.expiresAt());
  }
}
