package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Users and their hashed API tokens. */
@RegisterConstructorMapper(UserDao.User.class)
public interface UserDao {
  record User(long id, String name, String role, String createdAt) {}

  @SqlUpdate("INSERT INTO app_user (name, role, token_hash, created_at) VALUES (:name, :role, :hash, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("name") String name, @Bind("role") String role, @Bind("hash") String tokenHash,
      @Bind("at") String createdAt);

  @SqlQuery("SELECT id, name, role, created_at FROM app_user WHERE token_hash = :hash")
  Optional<User> byTokenHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT id, name, role, created_at FROM app_user WHERE id = :id")
  Optional<User> find(@Bind("id") long id);

  @SqlQuery("SELECT id, name, role, created_at FROM app_user ORDER BY id")
  List<User> list();

  @SqlQuery("SELECT count(*) FROM app_user WHERE name = :name")
  int countNamed(@Bind("name") String name);

  @SqlQuery("SELECT count(*) FROM app_user")
  int count();

  @SqlUpdate("UPDATE app_user SET token_hash = :hash WHERE id = :id")
  int setTokenHash(@Bind("id") long id, @Bind("hash") String tokenHash);
}
