package org.radlab.api.db;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The record of every model publication. */
@RegisterConstructorMapper(PublicationDao.Publication.class)
public interface PublicationDao {
  record Publication(long id, long modelId, long userId, String kind, String destination, String status,
      String detail, String sha256, Long bytes, String createdAt) {}

  String COLUMNS = "id, model_id, user_id, kind, destination, status, detail, sha256, bytes, created_at";

  @SqlUpdate("INSERT INTO publication (model_id, user_id, kind, destination, status, detail, sha256, bytes, "
      + "created_at) VALUES (:model, :user, :kind, :destination, :status, :detail, :sha, :bytes, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("model") long modelId, @Bind("user") long userId, @Bind("kind") String kind,
      @Bind("destination") String destination, @Bind("status") String status, @Bind("detail") String detail,
      @Bind("sha") String sha256, @Bind("bytes") Long bytes, @Bind("at") String at);

  @SqlQuery("SELECT " + COLUMNS + " FROM publication WHERE model_id = :model ORDER BY id DESC")
  List<Publication> ofModel(@Bind("model") long modelId);

  @SqlQuery("SELECT " + COLUMNS + " FROM publication WHERE id = :id")
  java.util.Optional<Publication> find(@Bind("id") long id);
}
