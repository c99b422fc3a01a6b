package org.radlab.api.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import org.radlab.api.db.AnnotationDao;
import org.radlab.api.db.AnnotationDao.Annotation;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UseCaseDao.UseCase;
import org.radlab.api.http.Times;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;

/**
 * Annotate: the next study for the caller, labelling it (a category, or boxes for a detection use case), skipping
 * and coming back, and the caller's own annotations with their history. A caller only ever sees their own.
 */
public final class AnnotationRoutes {
  public static final int MAX_BOXES = 100;

  /** One box in PNG pixel coordinates of one image of the study. */
  public record Box(String imageId, double x, double y, double width, double height, String code) {}

  /** One image's mask: run-length encoded row by row over its PNG's pixels, as a mask snapshot stores it. */
  public record Mask(String imageId, String runs) {}

  public record LabelRequest(String code, List<Box> boxes, List<Mask> masks) {}

  public record StudyView(long useCaseId, long datasetId, String studyUid, List<DatasetDao.Image> images,
      Annotation annotation, int annotatedByYou, int studiesInDataset) {}

  public record AnnotationView(Annotation annotation, List<AnnotationDao.Change> history) {}

  private final AnnotationDao annotations;
  private final DatasetDao datasets;
  private final UseCaseDao useCases;
  private final AgreementMatrix agreement;

  public AnnotationRoutes(Database db) {
    this.annotations = db.dao(AnnotationDao.class);
    this.datasets = db.dao(DatasetDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.agreement = new AgreementMatrix(db);
  }

  /** The first study (in dataset order) the caller has neither labelled nor skipped; 404 when none is left. */
  public void next(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = useCase(ctx);
    Dataset d = dataset(ctx);
    String study = annotations.nextStudy(caller.id(), u.id(), d.id()).orElseThrow(() -> new ApiException(404,
        "no_more_studies", "you have labelled or skipped every study of dataset " + d.id()
        + "; revisit the skipped ones from the skipped list"));
    ctx.json(studyView(caller, u, d, study));
  }

  public void study(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = useCase(ctx);
    Dataset d = dataset(ctx);
    ctx.json(studyView(caller, u, d, study(ctx, d)));
  }

  public void label(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = useCase(ctx);
    Dataset d = dataset(ctx);
    String study = study(ctx, d);
    String[] value = checkedLabel(u, d, study, Json.body(ctx, LabelRequest.class));
    AnnotationDao.Saved saved = annotations.save(caller.id(), u.id(), d.id(), study, value[0], value[1], value[2],
        Times.now());
    if (saved.created()) {
      agreement.refreshIfDue(caller.id(), u.id());
    }
    ctx.status(saved.created() ? 201 : 200).json(saved.annotation());
  }

  public void skip(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = useCase(ctx);
    Dataset d = dataset(ctx);
    String study = study(ctx, d);
    if (annotations.find(caller.id(), u.id(), d.id(), study).isPresent()) {
      throw ApiException.conflict("you have labelled study " + study + " already; change its label instead");
    }
    annotations.skip(caller.id(), u.id(), d.id(), study, Times.now());
    ctx.json(Map.of("skipped", annotations.skipped(caller.id(), u.id(), d.id())));
  }

  public void skipped(Context ctx) {
    Caller caller = Requests.caller(ctx);
    UseCase u = useCase(ctx);
    Dataset d = dataset(ctx);
    ctx.json(Map.of("skipped", annotations.skipped(caller.id(), u.id(), d.id())));
  }

  /**
   * The caller's own annotations for a use case (optionally one dataset), most recently changed first; for a
   * participant, none of a hidden dataset's.
   */
  public void mine(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long useCase = Requests.requiredLong(ctx, "useCaseId");
    Long dataset = Requests.optionalLong(ctx, "datasetId");
    ctx.json(Map.of("total", annotations.countListed(caller.id(), useCase, dataset, caller.isAdmin()),
        "annotations", annotations.mine(caller.id(), useCase, dataset, caller.isAdmin(), Requests.limit(ctx, 100),
            Requests.offset(ctx))));
  }

  public void get(Context ctx) {
    Annotation a = owned(ctx);
    ctx.json(new AnnotationView(a, annotations.history(a.id())));
  }

  public void change(Context ctx) {
    Annotation a = owned(ctx);
    UseCase u = useCases.find(a.useCaseId()).orElseThrow();
    Dataset d = datasets.find(a.datasetId()).orElseThrow();
    String[] value = checkedLabel(u, d, a.studyUid(), Json.body(ctx, LabelRequest.class));
    Annotation saved = annotations.save(a.userId(), a.useCaseId(), a.datasetId(), a.studyUid(), value[0], value[1],
        value[2], Times.now()).annotation();
    ctx.json(new AnnotationView(saved, annotations.history(saved.id())));
  }

  /**
   * One of the caller's annotations. A participant can neither read nor change an annotation of a hidden dataset
   * (a challenge's test or final set, which they may have labelled before it was hidden): each change would move
   * nothing they can see, but it must not be possible to probe a hidden set at all.
   */
  private Annotation owned(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "annotationId", "annotation");
    Annotation a = annotations.find(id).orElseThrow(() -> ApiException.notFound("annotation " + id));
    if (a.userId() != caller.id()) {
      throw ApiException.notFound("annotation " + id);
    }
    if (!caller.isAdmin() && datasets.findVisible(a.datasetId(), false).isEmpty()) {
      throw ApiException.forbidden("annotation " + id + " belongs to a hidden dataset (a challenge's test or final "
          + "set); it can no longer be read or changed");
    }
    return a;
  }

  /**
   * {code, boxes JSON, masks JSON}: a known category for classification; boxes on the study's images for detection;
   * masks of the study's images for segmentation.
   */
  private String[] checkedLabel(UseCase u, Dataset d, String study, LabelRequest r) {
    List<String> codes = useCases.categories(u.id()).stream().map(UseCaseDao.Category::code).toList();
    if (u.taskType() == org.radlab.core.task.TaskType.SEGMENTATION) {
      return new String[] {null, null, checkedMasks(u, d, study, r, codes.size())};
    }
    if (r.masks() != null) {
      throw ApiException.badRequest("use case " + u.id() + " is a " + u.task() + " use case: masks are for "
          + "segmentation use cases");
    }
    if (u.taskType() == org.radlab.core.task.TaskType.CLASSIFICATION) {
      if (r.boxes() != null) {
        throw ApiException.badRequest("use case " + u.id() + " is a classification use case: send 'code', not boxes");
      }
      String code = Requests.field(r.code(), "code", 32);
      if (!codes.contains(code)) {
        throw ApiException.badRequest("code must be one of " + codes + ", got '" + code + "'");
      }
      return new String[] {code, null, null};
    }
    if (r.boxes() == null) {
      throw ApiException.badRequest("use case " + u.id() + " is a detection use case: send 'boxes' (an empty list "
          + "means nothing found)");
    }
    if (r.boxes().size() > MAX_BOXES) {
      throw ApiException.badRequest("at most " + MAX_BOXES + " boxes per study, got " + r.boxes().size());
    }
    for (int i = 0; i < r.boxes().size(); i++) {
      Box b = r.boxes().get(i);
      String at = "boxes[" + i + "]";
      DatasetDao.Image image = b == null || b.imageId() == null ? null
          : datasets.image(d.id(), b.imageId()).orElse(null);
      if (image == null || !image.studyUid().equals(study)) {
        throw ApiException.badRequest(at + ".imageId must name an image of study " + study + " in dataset " + d.id());
      }
      if (!(b.x() >= 0 && b.y() >= 0 && b.width() > 0 && b.height() > 0)) {
        throw ApiException.badRequest(at + " needs x, y >= 0 and width, height > 0");
      }
      if (image.pngWidth() != null && image.pngHeight() != null && (b.x() + b.width() > image.pngWidth() + 1e-6
          || b.y() + b.height() > image.pngHeight() + 1e-6)) {
        throw ApiException.badRequest(at + " (" + b.x() + ", " + b.y() + ", " + b.width() + " x " + b.height()
            + ") leaves its image's " + image.pngWidth() + " x " + image.pngHeight() + " pixels");
      }
      if (!codes.contains(b.code())) {
        throw ApiException.badRequest(at + ".code must be one of " + codes + ", got '" + b.code() + "'");
      }
    }
    try {
      return new String[] {r.code() == null ? null : r.code(), Json.MAPPER.writeValueAsString(r.boxes()), null};
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A segmentation label: each listed image of the study with its mask over the whole PNG, classes 0 (background) to
   * the use case's category count; an image of the study left out holds no finding. Stored as sent, each image once.
   */
  private String checkedMasks(UseCase u, Dataset d, String study, LabelRequest r, int classes) {
    if (r.code() != null || r.boxes() != null) {
      throw ApiException.badRequest("use case " + u.id() + " is a segmentation use case: send 'masks' (an empty list "
          + "means nothing found), not a code or boxes");
    }
    if (r.masks() == null) {
      throw ApiException.badRequest("use case " + u.id() + " is a segmentation use case: send 'masks', a list of "
          + "{imageId, runs} (an empty list means nothing found)");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < r.masks().size(); i++) {
      Mask m = r.masks().get(i);
      String at = "masks[" + i + "]";
      DatasetDao.Image image = m == null || m.imageId() == null ? null
          : datasets.image(d.id(), m.imageId()).orElse(null);
      if (image == null || !image.studyUid().equals(study)) {
        throw ApiException.badRequest(at + ".imageId must name an image of study " + study + " in dataset " + d.id());
      }
      if (!seen.add(m.imageId())) {
        throw ApiException.badRequest(at + ": image " + m.imageId() + " is listed twice");
      }
      if (image.pngWidth() == null || image.pngHeight() == null) {
        throw ApiException.conflict("image " + m.imageId() + " has no recorded PNG size; prepare the dataset again");
      }
      if (m.runs() == null || m.runs().isBlank()) {
        throw ApiException.badRequest(at + ".runs is required: CLASS*LENGTH pairs covering the image row by row");
      }
      org.radlab.core.dataset.LabelMask mask;
      try {
        mask = org.radlab.core.dataset.MaskTable.mask(image.pngWidth(), image.pngHeight(), m.runs(), at);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage() + " (image " + image.pngWidth() + " x " + image.pngHeight()
            + ")");
      }
      if (mask.maxLabel() > classes) {
        throw ApiException.badRequest(at + " holds class " + mask.maxLabel() + "; use case " + u.id() + " has "
            + classes + " categories (1 to " + classes + ", 0 is background)");
      }
    }
    try {
      return Json.MAPPER.writeValueAsString(r.masks());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private StudyView studyView(Caller caller, UseCase u, Dataset d, String study) {
    return new StudyView(u.id(), d.id(), study, datasets.studyImages(d.id(), study),
        annotations.find(caller.id(), u.id(), d.id(), study).orElse(null),
        annotations.countMine(caller.id(), u.id(), d.id()), d.studies());
  }

  private UseCase useCase(Context ctx) {
    long id = Requests.id(ctx, "useCaseId", "use case");
    Caller caller = Requests.caller(ctx);
    UseCase u = useCases.findVisible(id, caller.isAdmin() ? null : caller.id())
        .orElseThrow(() -> ApiException.notFound("use case " + id)); // one it may not see: as if missing
    if (!"published".equals(u.status())) {
      throw ApiException.conflict("use case " + id + " is " + u.status() + "; annotation opens when it is published");
    }
    return u;
  }

  private Dataset dataset(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "datasetId", "dataset");
    Dataset d = datasets.findVisible(id, caller.isAdmin())
        .orElseThrow(() -> ApiException.notFound("dataset " + id));
    if (!"ready".equals(d.status())) {
      throw ApiException.conflict("dataset " + id + " is " + d.status() + ", not ready for annotation");
    }
    return d;
  }

  private String study(Context ctx, Dataset d) {
    String study = ctx.pathParam("studyUid");
    return datasets.study(d.id(), study).map(DatasetDao.Study::studyUid)
        .orElseThrow(() -> ApiException.notFound("study '" + study + "' in dataset " + d.id()));
  }
}
