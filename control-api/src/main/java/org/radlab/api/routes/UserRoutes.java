package org.radlab.api.routes;

import io.javalin.http.Context;
import java.util.Map;
import org.radlab.api.db.Database;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.Times;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Tokens;

/** Users: admins create them and get each one's token once; everyone can see who they are. */
public final class UserRoutes {
  public record NewUser(String name, String role) {}

  public record Created(long id, String name, String role, String token) {}

  private final UserDao users;

  public UserRoutes(Database db) {
    this.users = db.dao(UserDao.class);
  }

  public void me(Context ctx) {
    Caller c = Requests.caller(ctx);
    ctx.json(Map.of("id", c.id(), "name", c.name(), "role", c.role()));
  }

  public void list(Context ctx) {
    Requests.caller(ctx).requireAdmin("listing users");
    ctx.json(users.list());
  }

  public void create(Context ctx) {
    Requests.caller(ctx).requireAdmin("creating users");
    NewUser r = Json.body(ctx, NewUser.class);
    String name = Requests.field(r.name(), "name", 64);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.@-]*")) {
      throw ApiException.badRequest("name may hold letters, digits, '_', '.', '@' and '-', got '" + name + "'");
    }
    String role = r.role() == null ? Caller.PARTICIPANT : r.role();
    if (!role.equals(Caller.ADMIN) && !role.equals(Caller.PARTICIPANT)) {
      throw ApiException.badRequest("role must be admin or participant, got '" + role + "'");
    }
    if (users.countNamed(name) > 0) {
      throw ApiException.conflict("a user named '" + name + "' exists already");
    }
    ctx.status(201).json(create(users, name, role));
  }

  /** Creates a user with a fresh token; the token is in the answer only, the database keeps its hash. */
  public static Created create(UserDao users, String name, String role) {
    String token = Tokens.newToken();
    long id = users.insert(name, role, Tokens.hash(token), Times.now());
    return new Created(id, name, role, token);
  }
}
