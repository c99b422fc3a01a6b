package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** API tokens: several per user, each stored as its SHA-256 only, with an expiry and maybe a revocation. */
@RegisterConstructorMapper(TokenDao.Token.class)
@RegisterConstructorMapper(TokenDao.Holder.class)
public interface TokenDao {
  /** A token as listed (never its hash). */
  record Token(long id, long userId, String label, String createdAt, Long createdBy, String expiresAt,
      String revokedAt, Long revokedBy) {}

  /** Who a token hash belongs to, and whether it is still good. */
  record Holder(long tokenId, long userId, String name, String role, String expiresAt, String revokedAt) {}

  String COLUMNS = "id, user_id, label, created_at, created_by, expires_at, revoked_at, revoked_by";

  @SqlUpdate("INSERT INTO api_token (user_id, token_hash, label, created_at, created_by, expires_at) "
      + "VALUES (:user, :hash, :label, :at, :by, :expires)")
  @GetGeneratedKeys("id")
  long insert(@Bind("user") long userId, @Bind("hash") String tokenHash, @Bind("label") String label,
      @Bind("at") String createdAt, @Bind("by") Long createdBy, @Bind("expires") String expiresAt);

  @SqlQuery("SELECT t.id AS token_id, u.id AS user_id, u.name, u.role, t.expires_at, t.revoked_at "
      + "FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = :hash")
  Optional<Holder> byHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT " + COLUMNS + " FROM api_token WHERE user_id = :user ORDER BY id DESC")
  List<Token> ofUser(@Bind("user") long userId);

  @SqlQuery("SELECT " + COLUMNS + " FROM api_token WHERE id = :id")
  Optional<Token> find(@Bind("id") long id);

  /** Revokes a token not yet revoked; 0 when it was already. */
  @SqlUpdate("UPDATE api_token SET revoked_at = :at, revoked_by = :by WHERE id = :id AND revoked_at IS NULL")
  int revoke(@Bind("id") long id, @Bind("at") String at, @Bind("by") long by);

  /** Tokens of admins that are neither revoked nor expired at {@code now}. */
  @SqlQuery("SELECT count(*) FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE u.role = 'admin' "
      + "AND t.revoked_at IS NULL AND t.expires_at > :now")
  int liveAdminTokens(@Bind("now") String now);
}
