package org.radlab.api.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.ModelDao.Model;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.jobs.JobViews;
import org.radlab.core.task.AssistModule;
import org.radlab.core.dataset.DatasetTensors;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.DatasetSeg;
import org.radlab.core.dicom.DerivedUid;
import org.radlab.core.dicom.DicomRejectException;
import org.radlab.core.dicom.RenderOptions;
import org.radlab.core.model.ImageTensors;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.TrainedModel;
import org.radlab.core.dataset.ImageGeometry;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.model.detection.CenterDecoder;
import org.radlab.core.task.TaskType;

/**
 * The model registry and Run: each model a training job left, in detail, and predictions on a dataset image or an
 * uploaded DICOM or PNG, with the report text of the predicted category. Models are loaded once and kept in core's
 * model cache. Participants see and run their own models.
 */
public final class ModelRoutes {
  public record PredictRequest(Long datasetId, String imageId) {}

  public record Prediction(long modelId, Map<String, Double> probabilities, String predicted, String predictedName,
      String reportText, String input) {}

  /** A box a detector found, in the pixels of the image it ran on (Annotate's box shape, with the score). */
  public record FoundBox(double x, double y, double width, double height, String code, String name, double score) {}

  /**
   * A detector's prediction: its boxes, highest score first; {@code imageId} when it ran on a dataset image; the
   * report text: the assist module's sentence of each category found at {@link #REPORT_SCORE} or more (null when none
   * is).
   */
  public record Detections(long modelId, String task, String imageId, List<FoundBox> boxes, String reportText,
      String input) {}

  /** One class of a segmenter's mask: its pixels, and its area in mm² when the image's pixel spacing is known. */
  public record MaskClass(int index, String code, String name, long pixels, Double areaMm2) {}

  /**
   * A segmenter's prediction: its mask in the pixels of the image it ran on ({@code width} x {@code height}, run-length
   * encoded row by row as a mask snapshot stores it: {@code CLASS*LENGTH} pairs, class 0 background, class i the
   * use case's i-th category), and each class's pixels and area.
   */
  public record Segmented(long modelId, String task, String imageId, int width, int height, String runs,
      List<MaskClass> classes, String input) {}

  /** The score a detector's box needs for its category's sentence to go into the report text. */
  public static final double REPORT_SCORE = 0.5;

  private final Database db;
  private final ModelDao models;
  private final DatasetDao datasets;
  private final UseCaseDao useCases;
  private final JobViews jobs;
  private final long maxUploadBytes;
  private final UploadBounds uploadBounds;

  public ModelRoutes(Database db, JobViews jobs, long maxUploadBytes) {
    this.db = db;
    this.models = db.dao(ModelDao.class);
    this.datasets = db.dao(DatasetDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.jobs = jobs;
    this.maxUploadBytes = maxUploadBytes;
    this.uploadBounds = UploadBounds.of(db.file().toAbsolutePath().getParent());
  }

  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Long owner = caller.isAdmin() ? Requests.optionalLong(ctx, "owner") : Long.valueOf(caller.id());
    ctx.json(models.list(Requests.optionalLong(ctx, "useCaseId"), owner, Requests.limit(ctx, 100),
        Requests.offset(ctx)).stream().map(m -> jobs.paths().view(caller, m)).toList());
  }

  /** One model: the registry row, its model card (config, curves, validation metrics), job, dataset, snapshot. */
  public void get(Context ctx) throws IOException {
    Model m = owned(ctx);
    Caller caller = Requests.caller(ctx);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("model", jobs.paths().view(caller, m));
    detail.put("card", jobs.paths().view(caller, card(m)));
    db.dao(JobDao.class).find(m.jobId()).ifPresent(j -> detail.put("job", jobs.view(caller, j)));
    datasets.find(m.datasetId()).ifPresent(d -> detail.put("dataset", Map.of("id", d.id(), "name", d.name())));
    if (m.snapshotId() != null) {
      db.dao(JobDao.class).snapshot(m.snapshotId()).ifPresent(s -> detail.put("labelSnapshot",
          Map.of("id", s.id(), "studies", s.studies(), "createdAt", s.createdAt())));
    }
    ctx.json(detail);
  }

  /**
   * Predicts on {@code application/json {datasetId, imageId}}, an {@code application/dicom} upload (prep's pixel
   * pipeline) or an {@code image/png} upload.
   */
  public void predict(Context ctx) throws IOException {
    Model m = owned(ctx);
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
    TrainedModel model = load(m);
    boolean detector = model.task() == TaskType.DETECTION;
    boolean segmenter = model.task() == TaskType.SEGMENTATION;
    double[] spacing = null; // a dataset image's pixel spacing at its PNG's size, mm (rows, columns)
    int side = model.tensorSide();
    float[] tensor;
    String input;
    String imageId = null;
    DatasetDao.Dataset dataset = null;
    ImageGeometry geometry; // where the tensor's boxes lie in the image the caller sees
    int mirroredColumns = 0; // an uploaded DICOM that the pipeline mirrored: its width, to mirror the boxes back
    if (type.startsWith("application/json")) {
      PredictRequest r = Json.body(ctx, PredictRequest.class);
      if (r.datasetId() == null || r.imageId() == null) {
        throw ApiException.badRequest("send {datasetId, imageId}, or upload a DICOM or PNG file");
      }
      Caller caller = Requests.caller(ctx);
      DatasetDao.Dataset d = datasets.findVisible(r.datasetId(), caller.isAdmin())
          .orElseThrow(() -> ApiException.badRequest("dataset " + r.datasetId() + " does not exist"));
      DatasetDao.Image image = datasets.image(d.id(), r.imageId()).orElseThrow(() -> ApiException.badRequest(
          "image '" + r.imageId() + "' is not in dataset " + d.id()));
      // The tensor training and evaluation read, not the 8-bit PNG, so Run and EvaluateJob agree.
      DatasetTensors.Tensor t = datasetTensor(d, image.imageId());
      tensor = t.values();
      side = t.side();
      input = "dataset " + d.id() + " image " + image.imageId();
      imageId = image.imageId();
      dataset = d;
      geometry = detector || segmenter ? pngGeometry(d, image.imageId(), side) : null;
      if (segmenter) {
        ImageList.Entry e = Catalogs.of(d).get(image.imageId());
        if (e.rowSpacing() != null && e.columnSpacing() != null) {
          spacing = new double[] {e.rowSpacing() * e.rows() / e.pngHeight(),
              e.columnSpacing() * e.columns() / e.pngWidth()};
        }
      }
    } else if (type.startsWith("application/dicom") || type.startsWith("image/png")
        || type.startsWith("application/octet-stream")) {
      byte[] upload = upload(ctx);
      uploadBounds.check(upload);
      if (ImageTensors.isPng(upload)) {
        tensor = ImageTensors.fromPng(upload, side);
        input = "uploaded PNG";
        int[] size = ImageTensors.pngSize(upload);
        geometry = new ImageGeometry(size[0], size[1], size[0], size[1], side);
      } else if (ImageTensors.isDicom(upload) || type.startsWith("application/dicom")) {
        ImageTensors.Rendered rendered;
        try {
          rendered = ImageTensors.fromDicomRendered(upload, side, prepOptions(m));
        } catch (DicomRejectException e) {
          throw ApiException.badRequest("the uploaded DICOM cannot be used (" + e.reason() + "): " + e.getMessage());
        }
        tensor = rendered.tensor();
        geometry = new ImageGeometry(rendered.columns(), rendered.rows(), rendered.columns(), rendered.rows(), side);
        mirroredColumns = rendered.mirrored() ? rendered.columns() : 0;
        input = "uploaded DICOM";
      } else {
        throw new ApiException(415, "unsupported_media_type", "the upload is neither a PNG nor a DICOM file");
      }
    } else {
      throw new ApiException(415, "unsupported_media_type", "send application/json {datasetId, imageId}, or upload "
          + "a file as application/dicom or image/png");
    }
    // a DICOM SEG is asked for with Accept; refused before the model runs when it cannot be made
    boolean seg = String.valueOf(ctx.header("Accept")).toLowerCase(java.util.Locale.ROOT)
        .contains("application/dicom");
    if (seg && (!segmenter || dataset == null)) {
      throw new ApiException(406, "not_acceptable", segmenter ? "a DICOM SEG is made for a dataset image (it"
          + " references the dataset's de-identified ids); for an uploaded file, ask for application/json"
          : "only a segmenter's answer comes as a DICOM SEG; ask for application/json");
    }
    if (detector) {
      List<CenterDecoder.Detection> found;
      synchronized (model) {
        found = model.detect(List.of(model.preprocessing().apply(tensor, side))).get(0);
      }
      ctx.json(detections(m, model, found, geometry, mirroredColumns, imageId, input));
      return;
    }
    if (segmenter) {
      byte[] found;
      synchronized (model) {
        found = model.segment(List.of(model.preprocessing().apply(tensor, side))).get(0);
      }
      LabelMask mask = pngMask(model, found, geometry, mirroredColumns);
      if (seg) {
        ctx.contentType("application/dicom");
        ctx.header("Content-Disposition", "attachment; filename=\"model-" + m.id() + "-" + imageId + ".dcm\"");
        ctx.result(runSeg(m, model, dataset, imageId, mask));
        return;
      }
      ctx.json(segmented(m, model, mask, spacing, imageId, input));
      return;
    }
    float[] p;
    synchronized (model) {
      p = model.predictTensor(tensor, side);
    }
    ctx.json(prediction(m, model.classes(), p, input));
  }

  /**
   * The detector's boxes moved from its input into the image's pixels (as the evaluation job moves them); for an
   * uploaded DICOM the pipeline mirrored ({@code mirroredColumns} > 0), mirrored back into the file's own pixels.
   */
  private Detections detections(Model m, TrainedModel model, List<CenterDecoder.Detection> found,
      ImageGeometry geometry, int mirroredColumns, String imageId, String input) {
    List<UseCaseDao.Category> categories = useCases.categories(m.useCaseId());
    Map<String, String> names = new LinkedHashMap<>();
    categories.forEach(c -> names.put(c.code(), c.name()));
    List<FoundBox> boxes = new java.util.ArrayList<>();
    for (CenterDecoder.Detection d : found) {
      double[] px = geometry.inputToPng(d.corners(), model.preprocessing().inputSize());
      if (mirroredColumns > 0) {
        double x0 = mirroredColumns - px[2];
        px[2] = mirroredColumns - px[0];
        px[0] = x0;
      }
      if (px[2] > px[0] && px[3] > px[1]) {
        String code = model.classes().get(d.classIndex());
        boxes.add(new FoundBox(px[0], px[1], px[2] - px[0], px[3] - px[1], code, names.getOrDefault(code, code),
            d.score()));
      }
    }
    List<String> sentences = boxes.stream().filter(b -> b.score() >= REPORT_SCORE).map(FoundBox::code).distinct()
        .map(code -> reportText(m.useCaseId(), categories, code)).filter(t -> t != null && !t.isBlank()).toList();
    return new Detections(m.id(), TaskType.DETECTION.id(), imageId, boxes,
        sentences.isEmpty() ? null : String.join(" ", sentences), input);
  }

  /**
   * The segmenter's mask moved from its input into the image's pixels by nearest neighbour (as the evaluation job
   * moves it), mirrored back for an uploaded DICOM the pipeline mirrored, with each class's pixels and area.
   */
  private static LabelMask pngMask(TrainedModel model, byte[] input, ImageGeometry geometry, int mirroredColumns) {
    LabelMask mask = geometry.inputMaskToPng(input, model.preprocessing().inputSize());
    if (mirroredColumns > 0) {
      byte[] flipped = new byte[mask.labels().length];
      for (int y = 0; y < mask.height(); y++) {
        for (int x = 0; x < mask.width(); x++) {
          flipped[y * mask.width() + x] = mask.labels()[y * mask.width() + mask.width() - 1 - x];
        }
      }
      mask = new LabelMask(mask.width(), mask.height(), flipped);
    }
    return mask;
  }

  /**
   * A dataset image's predicted mask as a DICOM SEG of one frame ({@link DatasetSeg}: the dataset's de-identified
   * ids); its UIDs derive from the model, the image and the mask, so the same answer has the same UIDs.
   */
  private static byte[] runSeg(Model m, TrainedModel model, DatasetDao.Dataset d, String imageId, LabelMask mask)
      throws IOException {
    Map<String, ImageList.Entry> catalog = Catalogs.of(d);
    String series = DatasetSeg.seriesUid(imageId, catalog.get(imageId));
    return DatasetSeg.of(List.of(imageId), Map.of(imageId, mask), catalog, model.classes())
        .instance(DerivedUid.of("radlab-run-seg-series", Long.toString(m.id()), series),
            DerivedUid.of("radlab-run-seg", Long.toString(m.id()), imageId, MaskTable.runs(mask)))
        .describe(1, "RadLab model " + m.id(), "Predicted by model " + m.id() + " in Run")
        .algorithmVersion(Long.toString(m.id()))
        .bytes();
  }

  private Segmented segmented(Model m, TrainedModel model, LabelMask mask, double[] spacing, String imageId,
      String what) {
    long[] pixels = new long[model.classes().size() + 1];
    for (byte b : mask.labels()) {
      pixels[b & 0xff]++;
    }
    Map<String, String> names = new LinkedHashMap<>();
    useCases.categories(m.useCaseId()).forEach(c -> names.put(c.code(), c.name()));
    List<MaskClass> classes = new java.util.ArrayList<>();
    for (int c = 1; c < pixels.length; c++) {
      String code = model.classes().get(c - 1);
      classes.add(new MaskClass(c, code, names.getOrDefault(code, code), pixels[c],
          spacing == null ? null : pixels[c] * spacing[0] * spacing[1]));
    }
    return new Segmented(m.id(), TaskType.SEGMENTATION.id(), imageId, mask.width(), mask.height(),
        MaskTable.runs(mask), classes, what);
  }

  /** A dataset image's geometry from its dataset's catalog, at the tensors' side. */
  private static ImageGeometry pngGeometry(DatasetDao.Dataset d, String imageId, int side) throws IOException {
    ImageList.Entry entry = Catalogs.of(d).get(imageId);
    if (entry == null) {
      throw ApiException.conflict("dataset " + d.id() + " lists no image '" + imageId + "'");
    }
    try {
      return ImageGeometry.of(entry, side);
    } catch (IllegalArgumentException e) {
      throw ApiException.conflict("dataset " + d.id() + " has no recorded sizes for image '" + imageId
          + "'; prepare it again");
    }
  }

  private Prediction prediction(Model m, List<String> classes, float[] p, String input) {
    Map<String, Double> probabilities = new LinkedHashMap<>();
    int best = 0;
    for (int i = 0; i < p.length; i++) {
      probabilities.put(classes.get(i), (double) p[i]);
      best = p[i] > p[best] ? i : best;
    }
    String code = classes.get(best);
    List<UseCaseDao.Category> categories = useCases.categories(m.useCaseId());
    String name = categories.stream().filter(c -> c.code().equals(code)).map(UseCaseDao.Category::name)
        .findFirst().orElse(code);
    return new Prediction(m.id(), probabilities, code, name, reportText(m.useCaseId(), categories, code), input);
  }

  /** A use case's assist module as last parsed; the stored text is the key, so a PUT simply misses the cache. */
  private record ParsedModule(String xml, AssistModule module) {}

  private final Map<Long, ParsedModule> assistModules = new ConcurrentHashMap<>();

  /** The use case's report sentence for a category, from its assist module (or the default document). */
  String reportText(long useCaseId, List<UseCaseDao.Category> categories, String code) {
    String document = useCases.assistDocument(useCaseId, categories);
    try {
      ParsedModule cached = assistModules.get(useCaseId);
      if (cached == null || !cached.xml().equals(document)) {
        cached = new ParsedModule(document, AssistModule.parse(document));
        assistModules.put(useCaseId, cached);
      }
      return cached.module().reportText(code);
    } catch (AssistModule.InvalidDocument e) {
      throw new IllegalStateException("the stored assist module of use case " + useCaseId + " is invalid: "
          + e.getMessage(), e);
    }
  }

  private byte[] upload(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > maxUploadBytes) {
      Json.dropBody(ctx, declared);
      throw new ApiException(413, "body_too_large", "uploads are limited to " + maxUploadBytes + " bytes");
    }
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length == 0) {
      throw ApiException.badRequest("the upload is empty");
    }
    if (bytes.length > maxUploadBytes) {
      throw new ApiException(413, "body_too_large", "uploads are limited to " + maxUploadBytes + " bytes");
    }
    return bytes;
  }

  /** The window and mirroring options of the prep job that made the model's dataset (prep's defaults if unknown). */
  private RenderOptions prepOptions(Model m) {
    return renderOptions(db, m);
  }

  /**
   * How the model's dataset was rendered (its prep job's VOI window and laterality flip), so a DICOM the model meets
   * later looks as its training images did.
   */
  public static RenderOptions renderOptions(Database db, Model m) {
    JsonNode prep = db.dao(DatasetDao.class).find(m.datasetId()).map(DatasetDao.Dataset::jobId)
        .flatMap(id -> db.dao(JobDao.class).find(id)).map(j -> {
          try {
            return Json.MAPPER.readTree(j.config());
          } catch (IOException e) {
            return null;
          }
        }).orElse(null);
    return prep == null ? new RenderOptions(0, true) : new RenderOptions(Math.max(0, prep.path("voiIndex").asInt(0)),
        prep.path("flipByLaterality").asBoolean(true));
  }

  private static DatasetTensors.Tensor datasetTensor(DatasetDao.Dataset d, String imageId) {
    try {
      return DatasetTensors.find(Path.of(d.path()), imageId).orElseThrow(() -> ApiException.conflict(
          "dataset " + d.id() + " has no tensor for image '" + imageId + "'"));
    } catch (IOException e) {
      throw ApiException.conflict("the tensors of dataset " + d.id() + " cannot be read; prepare it again");
    }
  }

  private static TrainedModel load(Model m) {
    try {
      return TrainedModel.cached(Path.of(m.path()));
    } catch (IOException e) {
      throw ApiException.conflict("model " + m.id() + " cannot be loaded: " + e.getMessage());
    }
  }

  private static JsonNode card(Model m) throws IOException {
    Path json = Path.of(m.path()).resolve(ModelCard.FILE);
    return Files.isRegularFile(json) ? ModelCard.JSON.valueToTree(ModelCard.read(json)) : null;
  }

  private Model owned(Context ctx) {
    return owned(ctx, models);
  }

  /** The model in the path, if the caller owns it or is an admin (404 otherwise). */
  static Model owned(Context ctx, ModelDao models) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "modelId", "model");
    Model m = models.find(id).orElseThrow(() -> ApiException.notFound("model " + id));
    caller.requireOwnerOrAdmin(m.ownerId(), "model " + id);
    return m;
  }
}
