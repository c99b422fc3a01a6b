package org.radlab.api.db;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The HTTP destinations an admin allowed models to be published to. */
@RegisterConstructorMapper(PublishDestinationDao.Destination.class)
public interface PublishDestinationDao {
  /** {@code url} is how the destination reads: scheme, host, port and path prefix. */
  record Destination(long id, String scheme, String host, int port, String pathPrefix, boolean allowPrivate,
      String note, long createdBy, String createdAt) {
    public String url() {
      return scheme + "://" + host + ":" + port + pathPrefix;
    }
  }

  String COLUMNS = "id, scheme, host, port, path_prefix, allow_private, note, created_by, created_at";

  @SqlUpdate("INSERT INTO publish_destination (scheme, host, port, path_prefix, allow_private, note, created_by, "
      + "created_at) VALUES (:scheme, :host, :port, :prefix, :private, :note, :by, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("scheme") String scheme, @Bind("host") String host, @Bind("port") int port,
      @Bind("prefix") String pathPrefix, @Bind("private") boolean allowPrivate, @Bind("note") String note,
      @Bind("by") long createdBy, @Bind("at") String at);

  @SqlQuery("SELECT " + COLUMNS + " FROM publish_destination ORDER BY id")
  List<Destination> list();

  @SqlQuery("SELECT " + COLUMNS + " FROM publish_destination WHERE id = :id")
  Optional<Destination> find(@Bind("id") long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM publish_destination WHERE scheme = :scheme AND host = :host AND port = :port "
      + "AND path_prefix = :prefix")
  Optional<Destination> same(@Bind("scheme") String scheme, @Bind("host") String host, @Bind("port") int port,
      @Bind("prefix") String pathPrefix);

  @SqlUpdate("DELETE FROM publish_destination WHERE id = :id")
  int delete(@Bind("id") long id);
}
