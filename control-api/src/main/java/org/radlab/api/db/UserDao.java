package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Users. Their API tokens are in {@link TokenDao}. */
@RegisterConstructorMapper(UserDao.User.class)
@RegisterConstructorMapper(UserDao.Listed.class)
public interface UserDao {
  record User(long id, String name, String role, String createdAt) {}

  /** A user as an admin lists them: with how many of their tokens work now. */
  record Listed(long id, String name, String role, String createdAt, int liveTokens) {}

  /** Since V8 app_user.token_hash is unused: it gets a random filler, as the column is still NOT NULL UNIQUE. */
  @SqlUpdate("INSERT INTO app_user (name, role, token_hash, created_at) "
      + "VALUES (:name, :role, 'unused ' || lower(hex(randomblob(16))), :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("name") String name, @Bind("role") String role, @Bind("at") String createdAt);

  @SqlQuery("SELECT id, name, role, created_at FROM app_user WHERE id = :id")
  Optional<User> find(@Bind("id") long id);

  @SqlQuery("SELECT u.id, u.name, u.role, u.created_at, (SELECT count(*) FROM api_token t WHERE t.user_id = u.id "
      + "AND t.revoked_at IS NULL AND t.expires_at > :now) AS live_tokens FROM app_user u ORDER BY u.id")
  List<Listed> list(@Bind("now") String now);

  @SqlQuery("SELECT count(*) FROM app_user WHERE name = :name")
  int countNamed(@Bind("name") String name);

  @SqlQuery("SELECT count(*) FROM app_user")
  int count();

  @SqlQuery("SELECT id FROM app_user WHERE role = 'admin' ORDER BY id LIMIT 1")
  Optional<Long> firstAdmin();
}
