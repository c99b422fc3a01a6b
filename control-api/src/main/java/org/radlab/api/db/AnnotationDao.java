package org.radlab.api.db;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Annotations (one current label per user, use case and study, with every change kept) and skipped studies. */
@RegisterConstructorMapper(AnnotationDao.Annotation.class)
@RegisterConstructorMapper(AnnotationDao.Change.class)
@RegisterConstructorMapper(AnnotationDao.Count.class)
public interface AnnotationDao extends SqlObject {
  /**
   * A study's current label: a category code (classification), boxes (detection) or masks (segmentation), the
   * latter two as JSON ({@code [{imageId, x, y, width, height, code}]}, {@code [{imageId, runs}]}).
   */
  record Annotation(long id, long useCaseId, long datasetId, String studyUid, long userId, String code, String boxes,
      String masks, int version, String createdAt, String updatedAt) {}

  /** What a save did: created the annotation, changed it (a new version), or neither (the same label again). */
  record Saved(Annotation annotation, boolean created, boolean changed) {}

  record Change(int version, String code, String boxes, String masks, String changedAt) {}

  record Count(long userId, String userName, int annotations) {}

  String COLUMNS = "id, use_case_id, dataset_id, study_uid, user_id, code, boxes, masks, version, created_at, "
      + "updated_at";

  @SqlQuery("SELECT s.study_uid FROM study s WHERE s.dataset_id = :d AND NOT EXISTS (SELECT 1 FROM annotation a "
      + "WHERE a.user_id = :u AND a.use_case_id = :uc AND a.dataset_id = s.dataset_id AND a.study_uid = s.study_uid) "
      + "AND NOT EXISTS (SELECT 1 FROM skipped_study k WHERE k.user_id = :u AND k.use_case_id = :uc "
      + "AND k.dataset_id = s.dataset_id AND k.study_uid = s.study_uid) ORDER BY s.ordinal LIMIT 1")
  Optional<String> nextStudy(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") long datasetId);

  @SqlQuery("SELECT " + COLUMNS + " FROM annotation WHERE user_id = :u AND use_case_id = :uc AND dataset_id = :d "
      + "AND study_uid = :s")
  Optional<Annotation> find(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") long datasetId,
      @Bind("s") String studyUid);

  @SqlQuery("SELECT " + COLUMNS + " FROM annotation WHERE id = :id")
  Optional<Annotation> find(@Bind("id") long id);

  /**
   * Saves the caller's label for a study: a new annotation (version 1), or a new version of the existing one when
   * the label changed. Each version goes into the history; saving a study also takes it off the skipped list.
   */
  @Transaction
  default Saved save(long userId, long useCaseId, long datasetId, String studyUid, String code, String boxes,
      String masks, String at) {
    var h = getHandle();
    Optional<Annotation> before = find(userId, useCaseId, datasetId, studyUid);
    long id;
    int version;
    if (before.isEmpty()) {
      version = 1;
      id = h.createUpdate("INSERT INTO annotation (use_case_id, dataset_id, study_uid, user_id, code, boxes, masks, "
          + "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)")
          .bind(0, useCaseId).bind(1, datasetId).bind(2, studyUid).bind(3, userId).bind(4, code).bind(5, boxes)
          .bind(6, masks).bind(7, at).bind(8, at).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    } else if (Objects.equals(before.get().code(), code) && Objects.equals(before.get().boxes(), boxes)
        && Objects.equals(before.get().masks(), masks)) {
      h.execute("DELETE FROM skipped_study WHERE user_id = ? AND use_case_id = ? AND dataset_id = ? AND study_uid = ?",
          userId, useCaseId, datasetId, studyUid);
      return new Saved(before.get(), false, false);
    } else {
      id = before.get().id();
      version = before.get().version() + 1;
      h.execute("UPDATE annotation SET code = ?, boxes = ?, masks = ?, version = ?, updated_at = ? WHERE id = ?", code,
          boxes, masks, version, at, id);
    }
    h.execute("INSERT INTO annotation_history (annotation_id, version, code, boxes, masks, changed_at) VALUES (?, ?, "
        + "?, ?, ?, ?)", id, version, code, boxes, masks, at);
    h.execute("DELETE FROM skipped_study WHERE user_id = ? AND use_case_id = ? AND dataset_id = ? AND study_uid = ?",
        userId, useCaseId, datasetId, studyUid);
    return new Saved(find(id).orElseThrow(), before.isEmpty(), before.isPresent());
  }

  @SqlQuery("SELECT version, code, boxes, masks, changed_at FROM annotation_history WHERE annotation_id = :id "
      + "ORDER BY version")
  List<Change> history(@Bind("id") long annotationId);

  /** The caller's annotations, newest first; with {@code hidden} false, none of a hidden dataset's. */
  @SqlQuery("SELECT " + COLUMNS + " FROM annotation WHERE user_id = :u AND use_case_id = :uc "
      + "AND (:d IS NULL OR dataset_id = :d) AND (:hidden OR dataset_id IN (SELECT id FROM dataset WHERE hidden = 0)) "
      + "ORDER BY updated_at DESC, id DESC LIMIT :limit OFFSET :offset")
  List<Annotation> mine(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") Long datasetId,
      @Bind("hidden") boolean hidden, @Bind("limit") int limit, @Bind("offset") int offset);

  /** How many {@link #mine} lists in all. */
  @SqlQuery("SELECT count(*) FROM annotation WHERE user_id = :u AND use_case_id = :uc AND (:d IS NULL OR "
      + "dataset_id = :d) AND (:hidden OR dataset_id IN (SELECT id FROM dataset WHERE hidden = 0))")
  int countListed(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") Long datasetId,
      @Bind("hidden") boolean hidden);

  @SqlQuery("SELECT count(*) FROM annotation WHERE user_id = :u AND use_case_id = :uc AND (:d IS NULL OR dataset_id = :d)")
  int countMine(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") Long datasetId);

  @SqlUpdate("INSERT OR IGNORE INTO skipped_study (user_id, use_case_id, dataset_id, study_uid, skipped_at) "
      + "VALUES (:u, :uc, :d, :s, :at)")
  int skip(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") long datasetId, @Bind("s") String studyUid,
      @Bind("at") String at);

  @SqlQuery("SELECT study_uid FROM skipped_study WHERE user_id = :u AND use_case_id = :uc AND dataset_id = :d "
      + "ORDER BY skipped_at, study_uid")
  List<String> skipped(@Bind("u") long userId, @Bind("uc") long useCaseId, @Bind("d") long datasetId);

  @SqlQuery("SELECT a.user_id, u.name AS user_name, count(*) AS annotations FROM annotation a JOIN app_user u "
      + "ON u.id = a.user_id WHERE a.use_case_id = :uc GROUP BY a.user_id ORDER BY annotations DESC, u.name "
      + "LIMIT :limit")
  List<Count> board(@Bind("uc") long useCaseId, @Bind("limit") int limit);

  /** Study UID to the caller's current boxes (JSON, as saved) on a detection use case, for a label snapshot. */
  default Map<String, String> boxes(long userId, long useCaseId, long datasetId) {
    return marks("SELECT study_uid, boxes FROM annotation WHERE user_id = :u AND use_case_id = :uc AND dataset_id = :d "
        + "AND boxes IS NOT NULL ORDER BY study_uid", userId, useCaseId, datasetId);
  }

  /** Study UID to the caller's current masks (JSON, as saved) on a segmentation use case, for a label snapshot. */
  default Map<String, String> masks(long userId, long useCaseId, long datasetId) {
    return marks("SELECT study_uid, masks FROM annotation WHERE user_id = :u AND use_case_id = :uc AND dataset_id = :d "
        + "AND masks IS NOT NULL ORDER BY study_uid", userId, useCaseId, datasetId);
  }

  /** Study UID to the JSON {@code sql} selects second, for one user, use case and dataset. */
  private Map<String, String> marks(String sql, long userId, long useCaseId, long datasetId) {
    Map<String, String> out = new LinkedHashMap<>();
    getHandle().createQuery(sql).bind("u", userId).bind("uc", useCaseId).bind("d", datasetId)
        .map((rs, ctx) -> out.put(rs.getString(1), rs.getString(2))).list();
    return out;
  }

  /** Study UID to the caller's current category code, for a label snapshot. */
  default Map<String, String> labels(long userId, long useCaseId, long datasetId) {
    Map<String, String> labels = new LinkedHashMap<>();
    getHandle().createQuery("SELECT study_uid, code FROM annotation WHERE user_id = :u AND use_case_id = :uc "
        + "AND dataset_id = :d AND code IS NOT NULL ORDER BY study_uid")
        .bind("u", userId).bind("uc", useCaseId).bind("d", datasetId)
        .map((rs, ctx) -> labels.put(rs.getString(1), rs.getString(2))).list();
    return labels;
  }
}
