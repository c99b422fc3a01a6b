package org.radlab.api.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Use cases with their categories, comments and requests to draft. */
@RegisterConstructorMapper(UseCaseDao.UseCase.class)
@RegisterConstructorMapper(UseCaseDao.Category.class)
@RegisterConstructorMapper(UseCaseDao.Comment.class)
@RegisterConstructorMapper(UseCaseDao.DraftRequest.class)
public interface UseCaseDao extends SqlObject {
  record UseCase(long id, String title, String summary, String bodyArea, String modality, String task, String status,
      String reviewNote, Long ownerId, String createdAt, String updatedAt) {
    /** The task as its type; the column holds only the ids {@link TaskType#parse} takes. */
    public org.radlab.core.task.TaskType taskType() {
      return org.radlab.core.task.TaskType.parse(task);
    }
  }

  record Category(String code, String name, String description, String cdeId)
      implements org.radlab.core.task.AssistModule.Category {}

  record Comment(long id, long userId, String userName, String body, String createdAt) {}

  record DraftRequest(long id, long userId, String userName, String note, String createdAt) {}

  /** A search: every field optional; {@code sort} is a column key from {@link #SORTS}, with '-' for descending. */
  record Search(String text, String status, String modality, String bodyArea, String task, String sort,
      Long visibleTo, int limit, int offset) {}

  Map<String, String> SORTS = Map.of("title", "title COLLATE NOCASE", "created", "created_at",
      "updated", "updated_at", "status", "status", "modality", "modality", "bodyArea", "body_area", "id", "id");

  String COLUMNS = "id, title, summary, body_area, modality, task, status, review_note, owner_id, created_at, "
      + "updated_at";

  @SqlQuery("SELECT " + COLUMNS + " FROM use_case WHERE id = :id")
  Optional<UseCase> find(@Bind("id") long id);

  @SqlQuery("SELECT count(*) FROM use_case WHERE title = :title COLLATE NOCASE AND id != :id")
  int countTitled(@Bind("title") String title, @Bind("id") long exceptId);

  @SqlQuery("SELECT count(*) > 0 FROM use_case WHERE id = :id AND " + OPEN_DRAFT)
  boolean isOpenDraft(@Bind("id") long id);

  /**
   * The use case if {@code viewer} may see it: any, for an admin ({@code viewer} null); else a published one, their
   * own, or an admin's open draft. Everywhere a participant names a use case goes through this.
   */
  default Optional<UseCase> findVisible(long id, Long viewer) {
    return find(id).filter(u -> viewer == null || "published".equals(u.status()) || viewer.equals(u.ownerId())
        || isOpenDraft(u.id()));
  }

  /** A draft an admin opened: a catalog entry anyone may see and ask to draft. */
  String OPEN_DRAFT = "(status = 'draft' AND owner_id IN (SELECT id FROM app_user WHERE role = 'admin'))";

  /**
   * Use cases matching {@code s}; with {@code visibleTo}, only published ones, admins' open drafts (so users can ask
   * to draft them) and that user's own.
   */
  default List<UseCase> search(Search s) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM use_case WHERE 1 = 1");
    List<Object[]> binds = new ArrayList<>();
    if (s.text() != null) {
      sql.append(" AND (title LIKE :text ESCAPE '!' OR summary LIKE :text ESCAPE '!')");
      binds.add(new Object[] {"text", "%" + s.text().replace("!", "!!").replace("%", "!%").replace("_", "!_")
          + "%"});
    }
    for (String[] f : new String[][] {{"status", s.status()}, {"modality", s.modality()},
        {"body_area", s.bodyArea()}, {"task", s.task()}}) {
      if (f[1] != null) {
        sql.append(" AND ").append(f[0]).append(" = :").append(f[0]).append(" COLLATE NOCASE");
        binds.add(new Object[] {f[0], f[1]});
      }
    }
    if (s.visibleTo() != null) {
      sql.append(" AND (status = 'published' OR owner_id = :viewer OR " + OPEN_DRAFT + ")");
      binds.add(new Object[] {"viewer", s.visibleTo()});
    }
    String key = s.sort() == null ? "title" : s.sort();
    boolean descending = key.startsWith("-");
    sql.append(" ORDER BY ").append(SORTS.get(descending ? key.substring(1) : key))
        .append(descending ? " DESC" : " ASC").append(", id LIMIT :limit OFFSET :offset");
    Query q = getHandle().createQuery(sql.toString()).bind("limit", s.limit()).bind("offset", s.offset());
    binds.forEach(b -> q.bind((String) b[0], b[1]));
    return q.mapTo(UseCase.class).list();
  }

  @SqlUpdate("INSERT INTO use_case (title, summary, body_area, modality, task, status, owner_id, created_at, "
      + "updated_at) VALUES (:title, :summary, :bodyArea, :modality, :task, :status, :owner, :at, :at)")
  @GetGeneratedKeys("id")
  long insertRow(@Bind("title") String title, @Bind("summary") String summary, @Bind("bodyArea") String bodyArea,
      @Bind("modality") String modality, @Bind("task") String task, @Bind("status") String status,
      @Bind("owner") Long ownerId, @Bind("at") String at);

  @SqlUpdate("UPDATE use_case SET title = :title, summary = :summary, body_area = :bodyArea, modality = :modality, "
      + "task = :task, updated_at = :at WHERE id = :id")
  int updateRow(@Bind("id") long id, @Bind("title") String title, @Bind("summary") String summary,
      @Bind("bodyArea") String bodyArea, @Bind("modality") String modality, @Bind("task") String task,
      @Bind("at") String at);

  @SqlUpdate("UPDATE use_case SET status = :status, review_note = :note, updated_at = :at WHERE id = :id")
  int setStatus(@Bind("id") long id, @Bind("status") String status, @Bind("note") String note,
      @Bind("at") String at);

  @SqlQuery("SELECT assist_module FROM use_case WHERE id = :id")
  Optional<String> assistModule(@Bind("id") long id);

  /** The use case's assist module document: the stored one, or the default made from its title and categories. */
  default String assistDocument(long id) {
    return assistDocument(id, categories(id));
  }

  /** The same, for a caller that holds the use case's categories already. */
  default String assistDocument(long id, List<Category> categories) {
    return assistModule(id).orElseGet(() -> org.radlab.core.task.AssistModule.defaultFor(
        find(id).orElseThrow().title(), categories));
  }

  @SqlUpdate("UPDATE use_case SET assist_module = :xml, updated_at = :at WHERE id = :id")
  int setAssistModule(@Bind("id") long id, @Bind("xml") String xml, @Bind("at") String at);

  @SqlQuery("SELECT code, name, description, cde_id FROM category WHERE use_case_id = :id ORDER BY position")
  List<Category> categories(@Bind("id") long useCaseId);

  @SqlUpdate("DELETE FROM category WHERE use_case_id = :id")
  void deleteCategories(@Bind("id") long useCaseId);

  @SqlUpdate("INSERT INTO category (use_case_id, position, code, name, description, cde_id) "
      + "VALUES (:id, :position, :code, :name, :description, :cdeId)")
  void insertCategory(@Bind("id") long useCaseId, @Bind("position") int position, @Bind("code") String code,
      @Bind("name") String name, @Bind("description") String description, @Bind("cdeId") String cdeId);

  /** A new use case and its categories, in one transaction. */
  @Transaction
  default long create(String title, String summary, String bodyArea, String modality, String task, String status,
      Long ownerId, List<Category> categories, String at) {
    long id = insertRow(title, summary, bodyArea, modality, task, status, ownerId, at);
    putCategories(id, categories);
    return id;
  }

  /** Replaces a use case's fields and categories, in one transaction. */
  @Transaction
  default void update(long id, String title, String summary, String bodyArea, String modality, String task,
      List<Category> categories, String at) {
    updateRow(id, title, summary, bodyArea, modality, task, at);
    deleteCategories(id);
    putCategories(id, categories);
  }

  private void putCategories(long id, List<Category> categories) {
    for (int i = 0; i < categories.size(); i++) {
      Category c = categories.get(i);
      insertCategory(id, i, c.code(), c.name(), c.description(), c.cdeId());
    }
  }

  @SqlQuery("SELECT c.id, c.user_id, u.name AS user_name, c.body, c.created_at FROM use_case_comment c "
      + "JOIN app_user u ON u.id = c.user_id WHERE c.use_case_id = :id ORDER BY c.id")
  List<Comment> comments(@Bind("id") long useCaseId);

  @SqlUpdate("INSERT INTO use_case_comment (use_case_id, user_id, body, created_at) VALUES (:id, :user, :body, :at)")
  @GetGeneratedKeys("id")
  long addComment(@Bind("id") long useCaseId, @Bind("user") long userId, @Bind("body") String body,
      @Bind("at") String at);

  @SqlQuery("SELECT r.id, r.user_id, u.name AS user_name, r.note, r.created_at FROM draft_request r "
      + "JOIN app_user u ON u.id = r.user_id WHERE r.use_case_id = :id ORDER BY r.id")
  List<DraftRequest> draftRequests(@Bind("id") long useCaseId);

  @SqlQuery("SELECT count(*) FROM draft_request WHERE use_case_id = :id AND user_id = :user")
  int countDraftRequests(@Bind("id") long useCaseId, @Bind("user") long userId);

  @SqlUpdate("INSERT INTO draft_request (use_case_id, user_id, note, created_at) VALUES (:id, :user, :note, :at)")
  @GetGeneratedKeys("id")
  long addDraftRequest(@Bind("id") long useCaseId, @Bind("user") long userId, @Bind("note") String note,
      @Bind("at") String at);
}
