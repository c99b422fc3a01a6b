package org.radlab.api.routes;

import io.javalin.http.Context;
import java.util.List;
import org.radlab.api.db.Database;
import org.radlab.api.db.TokenDao;
import org.radlab.api.db.TokenDao.Token;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.api.http.Tokens;

/**
 * API tokens: everyone lists and revokes their own; an admin lists and revokes anyone's and makes new tokens for a
 * user. Users cannot make tokens for themselves, so a stolen token cannot outlive its expiry by minting another.
 */
public final class TokenRoutes {
  /** {@code days} between {@link Tokens#MIN_DAYS} and {@link Tokens#MAX_DAYS}, default {@link Tokens#DEFAULT_DAYS}. */
  public record NewToken(Long userId, String label, Integer days) {}

  /** A token as listed: never its secret or hash; {@code status} is active, expired or revoked. */
  public record View(long id, long userId, String label, String createdAt, Long createdBy, String expiresAt,
      String revokedAt, Long revokedBy, String status) {
    static View of(Token t, String now) {
      String status = t.revokedAt() != null ? "revoked" : now.compareTo(t.expiresAt()) >= 0 ? "expired" : "active";
      return new View(t.id(), t.userId(), t.label(), t.createdAt(), t.createdBy(), t.expiresAt(), t.revokedAt(),
          t.revokedBy(), status);
    }
  }

  private final UserDao users;
  private final TokenDao tokens;
  private final Runnable revoked;

  /** {@code revoked} runs after every revocation (it empties the server's memory of recent tokens). */
  public TokenRoutes(Database db, Runnable revoked) {
    this.users = db.dao(UserDao.class);
    this.tokens = db.dao(TokenDao.class);
    this.revoked = revoked;
  }

  /** {@code ?userId=}: an admin's look at someone else's tokens; everyone else sees their own. */
  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Long userId = Requests.optionalLong(ctx, "userId");
    long of = userId == null ? caller.id() : userId;
    if (of != caller.id()) {
      caller.requireAdmin("listing another user's tokens");
      users.find(of).orElseThrow(() -> ApiException.notFound("user " + of));
    }
    String now = Times.now();
    List<View> views = tokens.ofUser(of).stream().map(t -> View.of(t, now)).toList();
    ctx.json(views);
  }

  public void create(Context ctx) {
    Caller admin = Requests.caller(ctx);
    NewToken r = Json.body(ctx, NewToken.class);
    if (r.userId() == null) {
      throw ApiException.badRequest("'userId' is required: whom the token is for");
    }
    users.find(r.userId()).orElseThrow(() -> ApiException.notFound("user " + r.userId()));
    String label = r.label() == null || r.label().isBlank() ? "" : Requests.field(r.label(), "label", 100);
    int days = Tokens.days(r.days());
    ctx.status(201).json(Tokens.issue(tokens, r.userId(), label, days, admin.id()));
  }

  /** Revokes a token (again: no change, the first revocation stays). A participant's 404 for others' tokens. */
  public void revoke(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "tokenId", "token");
    Token t = tokens.find(id).orElseThrow(() -> ApiException.notFound("token " + id));
    caller.requireOwnerOrAdmin(t.userId(), "token " + id);
    tokens.revoke(id, Times.now(), caller.id());
    revoked.run();
    ctx.json(View.of(tokens.find(id).orElseThrow(), Times.now()));
  }
}
