package org.radlab.api.db;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Datasets, their images and studies (from the prep job's {@code images.csv}) and their reference labels. */
@RegisterConstructorMapper(DatasetDao.Dataset.class)
@RegisterConstructorMapper(DatasetDao.Image.class)
@RegisterConstructorMapper(DatasetDao.Study.class)
public interface DatasetDao extends SqlObject {
  record Dataset(long id, String name, long useCaseId, String source, String path, String status, Long jobId,
      int images, int studies, long createdBy, String createdAt, boolean hidden) {}

  /**
   * A prepared image as Annotate and the jobs' snapshots see it; {@code seriesUid} and {@code slicePosition} (mm along
   * the slice normal, recorded by prep) order a CT or MR series' slices.
   */
  record Image(String imageId, String studyUid, String patientId, String viewPosition, String laterality,
      String manufacturer, String pngPath, Integer pngWidth, Integer pngHeight, String seriesUid,
      Double slicePosition) {}

  record Study(int ordinal, String studyUid, String patientId, int images) {}

  String COLUMNS = "id, name, use_case_id, source, path, status, job_id, images, studies, created_by, created_at, "
      + "hidden";
  String IMAGE_COLUMNS = "image_id, study_uid, patient_id, view_position, laterality, manufacturer, png_path, "
      + "png_width, png_height, series_uid, slice_position";

  @SqlUpdate("INSERT INTO dataset (name, use_case_id, source, path, status, created_by, created_at) "
      + "VALUES (:name, :useCase, :source, '', 'preparing', :user, :at)")
  @GetGeneratedKeys("id")
  long insert(@Bind("name") String name, @Bind("useCase") long useCaseId, @Bind("source") String source,
      @Bind("user") long userId, @Bind("at") String at);

  @SqlUpdate("UPDATE dataset SET path = :path, job_id = :job WHERE id = :id")
  int setPathAndJob(@Bind("id") long id, @Bind("path") String path, @Bind("job") long jobId);

  @SqlUpdate("UPDATE dataset SET status = :status WHERE id = :id")
  int setStatus(@Bind("id") long id, @Bind("status") String status);

  @SqlQuery("SELECT " + COLUMNS + " FROM dataset WHERE id = :id")
  Optional<Dataset> find(@Bind("id") long id);

  /** The dataset if this caller may see it: a hidden one (a challenge's test or final set) only for admins. */
  default Optional<Dataset> findVisible(long id, boolean admin) {
    return find(id).filter(d -> admin || !d.hidden());
  }

  @SqlQuery("SELECT count(*) FROM dataset WHERE name = :name")
  int countNamed(@Bind("name") String name);

  @SqlQuery("SELECT " + COLUMNS + " FROM dataset WHERE (:all OR hidden = 0) ORDER BY id")
  List<Dataset> list(@Bind("all") boolean includeHidden);

  @SqlUpdate("UPDATE dataset SET hidden = 1 WHERE id = :id")
  int hide(@Bind("id") long id);

  @SqlQuery("SELECT " + IMAGE_COLUMNS + " FROM image WHERE dataset_id = :id ORDER BY study_uid, image_id "
      + "LIMIT :limit OFFSET :offset")
  List<Image> images(@Bind("id") long datasetId, @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("SELECT " + IMAGE_COLUMNS + " FROM image WHERE dataset_id = :id AND study_uid = :study ORDER BY "
      + "image_id")
  List<Image> studyImages(@Bind("id") long datasetId, @Bind("study") String studyUid);

  @SqlQuery("SELECT " + IMAGE_COLUMNS + " FROM image WHERE dataset_id = :id AND image_id = :image")
  Optional<Image> image(@Bind("id") long datasetId, @Bind("image") String imageId);

  @SqlQuery("SELECT ordinal, study_uid, patient_id, images FROM study WHERE dataset_id = :id AND study_uid = :study")
  Optional<Study> study(@Bind("id") long datasetId, @Bind("study") String studyUid);

  @SqlQuery("SELECT ordinal, study_uid, patient_id, images FROM study WHERE dataset_id = :id ORDER BY ordinal "
      + "LIMIT :limit OFFSET :offset")
  List<Study> studies(@Bind("id") long datasetId, @Bind("limit") int limit, @Bind("offset") int offset);

  /**
   * Replaces the dataset's image list with {@code images} (a finished prep run) and marks it ready. Studies are
   * numbered in study-UID order, which is the order annotators meet them.
   */
  @Transaction
  default void replaceCatalog(long datasetId, List<Image> images) {
    var h = getHandle();
    h.execute("DELETE FROM image WHERE dataset_id = ?", datasetId);
    h.execute("DELETE FROM study WHERE dataset_id = ?", datasetId);
    var batch = h.prepareBatch("INSERT INTO image (dataset_id, " + IMAGE_COLUMNS + ") VALUES (:d, :imageId, "
        + ":studyUid, :patientId, :viewPosition, :laterality, :manufacturer, :pngPath, :pngWidth, :pngHeight, "
        + ":seriesUid, :slicePosition)");
    Map<String, int[]> perStudy = new java.util.TreeMap<>();
    Map<String, String> patients = new java.util.HashMap<>();
    for (Image i : images) {
      batch.bind("d", datasetId).bindMethods(i).add();
      perStudy.computeIfAbsent(i.studyUid(), k -> new int[1])[0]++;
      patients.put(i.studyUid(), i.patientId());
    }
    if (!images.isEmpty()) {
      batch.execute();
    }
    var studies = h.prepareBatch("INSERT INTO study (dataset_id, ordinal, study_uid, patient_id, images) "
        + "VALUES (?, ?, ?, ?, ?)");
    int ordinal = 0;
    for (var e : perStudy.entrySet()) {
      studies.add(datasetId, ordinal++, e.getKey(), patients.get(e.getKey()), e.getValue()[0]);
    }
    if (ordinal > 0) {
      studies.execute();
    }
    h.execute("UPDATE dataset SET images = ?, studies = ?, status = 'ready' WHERE id = ?", images.size(), ordinal,
        datasetId);
  }

  /** Replaces the dataset's reference labels for a use case; returns how many studies carry one. */
  @Transaction
  default int replaceReferenceLabels(long datasetId, long useCaseId, Map<String, String> labels) {
    var h = getHandle();
    h.execute("DELETE FROM reference_label WHERE dataset_id = ? AND use_case_id = ?", datasetId, useCaseId);
    var batch = h.prepareBatch("INSERT INTO reference_label (dataset_id, use_case_id, study_uid, code) "
        + "VALUES (?, ?, ?, ?)");
    labels.forEach((study, code) -> batch.add(datasetId, useCaseId, study, code));
    if (!labels.isEmpty()) {
      batch.execute();
    }
    return labels.size();
  }

  /** Replaces the dataset's reference boxes for a detection use case: the images read and their boxes. */
  @Transaction
  default void replaceReferenceBoxes(long datasetId, long useCaseId, org.radlab.core.dataset.BoxTable table) {
    var h = getHandle();
    h.execute("DELETE FROM reference_box WHERE dataset_id = ? AND use_case_id = ?", datasetId, useCaseId);
    h.execute("DELETE FROM reference_image WHERE dataset_id = ? AND use_case_id = ?", datasetId, useCaseId);
    var images = h.prepareBatch("INSERT INTO reference_image (dataset_id, use_case_id, image_id) VALUES (?, ?, ?)");
    table.images().forEach(i -> images.add(datasetId, useCaseId, i));
    if (!table.images().isEmpty()) {
      images.execute();
    }
    var boxes = h.prepareBatch("INSERT INTO reference_box (dataset_id, use_case_id, image_id, code, x_min, y_min, "
        + "x_max, y_max) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    table.boxes().forEach(b -> boxes.add(datasetId, useCaseId, b.image(), b.label(), b.xMin(), b.yMin(), b.xMax(),
        b.yMax()));
    if (!table.boxes().isEmpty()) {
      boxes.execute();
    }
  }

  /** The reference boxes of a detection use case on a dataset; for snapshots handed to jobs, never a response. */
  default org.radlab.core.dataset.BoxTable referenceBoxes(long datasetId, long useCaseId) {
    List<String> images = getHandle().createQuery("SELECT image_id FROM reference_image WHERE dataset_id = :d "
        + "AND use_case_id = :u ORDER BY image_id").bind("d", datasetId).bind("u", useCaseId).mapTo(String.class)
        .list();
    List<org.radlab.core.dataset.BoxTable.Box> boxes = getHandle().createQuery("SELECT image_id, code, x_min, "
        + "y_min, x_max, y_max FROM reference_box WHERE dataset_id = :d AND use_case_id = :u ORDER BY rowid")
        .bind("d", datasetId).bind("u", useCaseId)
        .map((rs, ctx) -> new org.radlab.core.dataset.BoxTable.Box(rs.getString(1), rs.getString(2),
            rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6), Double.NaN)).list();
    return new org.radlab.core.dataset.BoxTable(images, boxes);
  }

  /** Replaces the dataset's reference masks for a segmentation use case: one mask per image read. */
  @Transaction
  default void replaceReferenceMasks(long datasetId, long useCaseId, org.radlab.core.dataset.MaskTable table) {
    var h = getHandle();
    h.execute("DELETE FROM reference_mask WHERE dataset_id = ? AND use_case_id = ?", datasetId, useCaseId);
    var rows = h.prepareBatch("INSERT INTO reference_mask (dataset_id, use_case_id, image_id, width, height, runs) "
        + "VALUES (?, ?, ?, ?, ?, ?)");
    table.masks().forEach((image, m) -> rows.add(datasetId, useCaseId, image, m.width(), m.height(),
        org.radlab.core.dataset.MaskTable.runs(m)));
    if (!table.masks().isEmpty()) {
      rows.execute();
    }
  }

  /** The reference masks of a segmentation use case on a dataset; for snapshots handed to jobs, never a response. */
  default org.radlab.core.dataset.MaskTable referenceMasks(long datasetId, long useCaseId) {
    Map<String, org.radlab.core.dataset.LabelMask> masks = new java.util.LinkedHashMap<>();
    getHandle().createQuery("SELECT image_id, width, height, runs FROM reference_mask WHERE dataset_id = :d AND "
            + "use_case_id = :u ORDER BY image_id").bind("d", datasetId).bind("u", useCaseId)
        .map((rs, ctx) -> Map.entry(rs.getString(1), org.radlab.core.dataset.MaskTable.mask(rs.getInt(2),
            rs.getInt(3), rs.getString(4), "reference mask of image " + rs.getString(1))))
        .forEach(e -> masks.put(e.getKey(), e.getValue()));
    return new org.radlab.core.dataset.MaskTable(masks);
  }

  @SqlQuery("SELECT count(*) FROM reference_mask WHERE dataset_id = :d AND use_case_id = :u")
  int referenceMaskCount(@Bind("d") long datasetId, @Bind("u") long useCaseId);

  /** How many studies the reference reader outlined for a segmentation use case: studies of its masked images. */
  @SqlQuery("SELECT count(DISTINCT i.study_uid) FROM reference_mask r JOIN image i ON i.dataset_id = r.dataset_id "
      + "AND i.image_id = r.image_id WHERE r.dataset_id = :d AND r.use_case_id = :u")
  int referenceMaskStudies(@Bind("d") long datasetId, @Bind("u") long useCaseId);

  @SqlQuery("SELECT count(*) FROM reference_box WHERE dataset_id = :d AND use_case_id = :u")
  int referenceBoxCount(@Bind("d") long datasetId, @Bind("u") long useCaseId);

  /** How many studies the reference reader read for a detection use case: studies of the images in its snapshot. */
  @SqlQuery("SELECT count(DISTINCT i.study_uid) FROM reference_image r JOIN image i ON i.dataset_id = r.dataset_id "
      + "AND i.image_id = r.image_id WHERE r.dataset_id = :d AND r.use_case_id = :u")
  int referenceBoxStudies(@Bind("d") long datasetId, @Bind("u") long useCaseId);

  @SqlQuery("SELECT count(*) FROM reference_label WHERE dataset_id = :d AND use_case_id = :u")
  int referenceLabelCount(@Bind("d") long datasetId, @Bind("u") long useCaseId);

  /** Study UID to reference code; for label snapshots handed to jobs, never for a response. */
  default Map<String, String> referenceLabels(long datasetId, long useCaseId) {
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    getHandle().createQuery("SELECT study_uid, code FROM reference_label WHERE dataset_id = :d AND use_case_id = :u "
        + "ORDER BY study_uid").bind("d", datasetId).bind("u", useCaseId)
        .map((rs, ctx) -> labels.put(rs.getString(1), rs.getString(2))).list();
    return labels;
  }
}
