package org.radlab.api.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.ApiException;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Json;
import org.radlab.api.http.Requests;
import org.radlab.api.http.Times;
import org.radlab.api.jobs.JobQueue;
import org.radlab.api.jobs.JobViews;
import org.radlab.core.Workspace;
import org.radlab.core.dataset.Csv;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.DatasetSummary;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.core.jobs.JobConfig;
import org.radlab.core.jobs.JobKind;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.pacs.DicomWebInput;
import org.radlab.core.pacs.PacsSources;

/**
 * Datasets: registering one runs the prep job on a path; when it succeeds its {@code images.csv} is loaded, and the
 * images can be browsed. PNGs are served to signed-in callers only. Reference labels are imported by admins and
 * never returned.
 */
public final class DatasetRoutes {
  /** Prep options a registration may set: the prep config's own fields; the paths are the API's. */
  static final Set<String> PREP_OPTIONS = JobConfig.requestFields(PrepJobConfig.class);

  public record RegisterRequest(String name, Long useCaseId, String source, Map<String, Object> options) {}

  public record ReferenceLabelsRequest(Map<String, String> labels) {}

  private final Path home;
  private final DatasetDao datasets;
  private final UseCaseDao useCases;
  private final JobQueue queue;
  private final JobViews jobs;
  private final JobDao jobDao;

  public DatasetRoutes(Database db, Path home, JobQueue queue, JobViews jobs) {
    this.queue = queue;
    this.home = home;
    this.datasets = db.dao(DatasetDao.class);
    this.useCases = db.dao(UseCaseDao.class);
    this.jobs = jobs;
    this.jobDao = db.dao(JobDao.class);
  }

  public void list(Context ctx) {
    Caller caller = Requests.caller(ctx);
    ctx.json(datasets.list(caller.isAdmin()).stream().map(d -> jobs.paths().view(caller, d)).toList());
  }

  public void get(Context ctx) {
    ctx.json(jobs.paths().view(Requests.caller(ctx), found(ctx)));
  }

  /** Admin: creates the dataset and queues its prep job; 202 with both. */
  public void register(Context ctx) {
    Caller caller = Requests.caller(ctx);
    RegisterRequest r = Json.body(ctx, RegisterRequest.class);
    String name = Requests.field(r.name(), "name", 100);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw ApiException.badRequest("name may hold letters, digits, '_', '.' and '-', starting with a letter or digit;"
          + " got '" + name + "'");
    }
    if (r.useCaseId() == null || useCases.find(r.useCaseId()).isEmpty()) {
      throw ApiException.badRequest("useCaseId must name an existing use case, got " + r.useCaseId());
    }
    String source = Requests.field(r.source(), "source", 4000);
    if (DicomWebInput.is(source)) {
      checkPacsQuery(source);
    } else if (!source.contains("://") && !Files.exists(Path.of(source))) {
      throw ApiException.badRequest("source " + source + " does not exist on the server");
    }
    Map<String, Object> options = r.options() == null ? Map.of() : r.options();
    for (String key : options.keySet()) {
      if (!PREP_OPTIONS.contains(key)) {
        throw ApiException.badRequest("unknown prep option '" + key + "'; allowed: " + new java.util.TreeSet<>(
            PREP_OPTIONS));
      }
    }
    if (datasets.countNamed(name) > 0) {
      throw ApiException.conflict("a dataset named '" + name + "' exists already");
    }
    long id = datasets.insert(name, r.useCaseId(), source, caller.id(), Times.now());
    Path dir = new Workspace(home).dataset(String.valueOf(id)).toAbsolutePath();
    ObjectNode config = prepConfig(Json.MAPPER.valueToTree(options), source, dir);
    JobDao.Job job;
    try {
      job = queue.enqueue(caller, JobKind.PREP, config, id);
    } catch (ApiException e) {
      datasets.setStatus(id, "failed");
      throw e;
    }
    datasets.setPathAndJob(id, dir.toString(), job.id());
    ctx.status(202).json(Map.of("dataset", datasets.find(id).orElseThrow(), "job", jobs.view(caller, job)));
  }

  /**
   * Admin: prepares the dataset again, from the same source into the same folder with the same options. Prep is
   * incremental, so only files it has not seen are converted (a PACS query pulls only what is new). A dataset with
   * images stays ready meanwhile; its catalog is replaced when the job succeeds. 409 while a prep of it is queued or
   * running. Synchronized so two requests cannot both pass that check.
   */
  public synchronized void prepareAgain(Context ctx) {
    Caller caller = Requests.caller(ctx);
    Dataset d = found(ctx);
    ObjectNode options = optionsOfLastPrep(d);
    JobDao.Job job = queue.enqueue(caller, JobKind.PREP, prepConfig(options, d.source(), Path.of(d.path())), d.id());
    datasets.setPathAndJob(d.id(), d.path(), job.id());
    if (d.images() == 0) {
      datasets.setStatus(d.id(), "preparing");
    }
    ctx.status(202).json(Map.of("dataset", jobs.paths().view(caller, datasets.find(d.id()).orElseThrow()), "job",
        jobs.view(caller, job)));
  }

  /**
   * The prep options the dataset's last prep job ran with, for the next one; a 409 while a prep of it is queued or
   * running, or when it never had one.
   */
  private ObjectNode optionsOfLastPrep(Dataset d) {
    List<JobDao.Job> active = jobDao.activeOfDataset(d.id(), JobKind.PREP.key());
    if (!active.isEmpty()) {
      throw ApiException.conflict("dataset " + d.id() + " is being prepared already (job " + active.get(0).id()
          + ", " + active.get(0).status() + "); wait for it to end, or cancel it");
    }
    JobDao.Job last = d.jobId() == null ? null : jobDao.find(d.jobId()).orElse(null);
    if (last == null || d.path().isEmpty()) {
      throw ApiException.conflict("dataset " + d.id() + " was never queued for prep; register it again");
    }
    ObjectNode options = Json.MAPPER.createObjectNode();
    try {
      Json.MAPPER.readTree(last.config()).fields().forEachRemaining(f -> {
        if (PREP_OPTIONS.contains(f.getKey())) {
          options.set(f.getKey(), f.getValue());
        }
      });
    } catch (IOException e) {
      throw ApiException.conflict("the config of dataset " + d.id() + "'s last prep job (" + last.id() + ") cannot "
          + "be read; register the dataset again");
    }
    return options;
  }

  /** A prep job's config: the options, and the paths the server sets. */
  private ObjectNode prepConfig(ObjectNode options, String source, Path dir) {
    ObjectNode config = options.deepCopy();
    config.put("input", source);
    config.put("dataset", dir.toString());
    config.put("secretFile", secretFile().toString());
    return config;
  }

  /**
   * A PACS query as a source: its form, and, when the workspace's sources file can be read, that it names one of
   * its sources. (A missing or unreadable file is the prep job's to report, with the fix, in its log.)
   */
  private void checkPacsQuery(String source) {
    DicomWebInput input;
    try {
      input = DicomWebInput.parse(source);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("source: " + e.getMessage());
    }
    PacsSources sources;
    try {
      sources = PacsSources.read(home.resolve(PacsSources.FILE));
    } catch (IOException | IllegalArgumentException e) {
      return;
    }
    if (!sources.names().contains(input.source())) {
      throw ApiException.badRequest("source names the PACS '" + input.source() + "', which the server's sources "
          + "file does not list (it has: " + String.join(", ", sources.names()) + ")");
    }
  }

  public void images(Context ctx) {
    Dataset d = found(ctx);
    String study = Requests.text(ctx, "study");
    ctx.json(study == null ? datasets.images(d.id(), Requests.limit(ctx, 200), Requests.offset(ctx))
        : datasets.studyImages(d.id(), study));
  }

  /** The prep job's {@code summary.json}: totals, counts per transfer syntax and per reject reason. */
  public void summary(Context ctx) throws IOException {
    Dataset d = found(ctx);
    Path file = Path.of(d.path()).resolve(DatasetLayout.SUMMARY);
    if (d.path().isEmpty() || !Files.isRegularFile(file)) {
      throw ApiException.notFound("a summary of dataset " + d.id() + " (its prep job has not finished)");
    }
    ctx.json(jobs.paths().view(Requests.caller(ctx), Json.MAPPER.valueToTree(DatasetSummary.read(file))));
  }

  public void studies(Context ctx) {
    Dataset d = found(ctx);
    ctx.json(datasets.studies(d.id(), Requests.limit(ctx, 200), Requests.offset(ctx)));
  }

  /** The PNG of one image; only names listed in the dataset's catalog are served. */
  public void png(Context ctx) throws IOException {
    Dataset d = found(ctx);
    String imageId = ctx.pathParam("imageId");
    DatasetDao.Image image = datasets.image(d.id(), imageId)
        .orElseThrow(() -> ApiException.notFound("image '" + imageId + "' in dataset " + d.id()));
    Path file = Path.of(d.path()).resolve(image.pngPath()).normalize();
    if (!file.startsWith(Path.of(d.path()).normalize()) || !Files.isRegularFile(file)) {
      throw ApiException.notFound("the PNG of image '" + imageId + "'");
    }
    InputStream in = Files.newInputStream(file);
    ctx.header("Cache-Control", "private, max-age=3600").contentType("image/png").result(in);
  }

  /** Admin: the reference reader's labels for a use case, as study UID to category code. */
  public void importReferenceLabels(Context ctx) {
    Dataset d = found(ctx);
    long useCaseId = Requests.requiredLong(ctx, "useCaseId");
    Set<String> codes = useCases.categories(useCaseId).stream().map(UseCaseDao.Category::code)
        .collect(Collectors.toSet());
    if (codes.isEmpty()) {
      throw ApiException.badRequest("useCaseId " + useCaseId + " names no use case with categories");
    }
    Map<String, String> labels = labelsOf(ctx);
    String keys = Requests.text(ctx, "keys");
    if ("original".equals(keys)) {
      labels = pseudonymized(labels);
    } else if (keys != null && !"pseudonymous".equals(keys)) {
      throw ApiException.badRequest("keys must be 'pseudonymous' (the dataset's study UIDs, the default) or "
          + "'original' (StudyInstanceUIDs as in the DICOM files), got '" + keys + "'");
    }
    List<String> unknownStudies = new ArrayList<>();
    List<String> unknownCodes = new ArrayList<>();
    labels.forEach((study, code) -> {
      if (datasets.study(d.id(), study).isEmpty()) {
        unknownStudies.add(study);
      }
      if (!codes.contains(code)) {
        unknownCodes.add(code);
      }
    });
    if (!unknownStudies.isEmpty()) {
      throw ApiException.badRequest(unknownStudies.size() + " studies are not in dataset " + d.id() + ", such as "
          + unknownStudies.subList(0, Math.min(3, unknownStudies.size())));
    }
    if (!unknownCodes.isEmpty()) {
      throw ApiException.badRequest("unknown category codes " + new java.util.TreeSet<>(unknownCodes) + "; use case "
          + useCaseId + " has " + new java.util.TreeSet<>(codes));
    }
    int n = datasets.replaceReferenceLabels(d.id(), useCaseId, labels);
    ctx.json(Map.of("dataset", d.id(), "useCaseId", useCaseId, "studies", n));
  }

  /**
   * Imports the reference boxes of a detection use case on this dataset: {@code text/csv} in the box snapshot's
   * shape ({@code image,x_min,y_min,x_max,y_max,label}, the dataset's image ids, the prepared PNG's pixels: what
   * {@code radlab labels import --task detection} writes). Every image listed was read; one without boxes holds no
   * finding. Replaces what was there; never returned. With {@code ?keys=original}: {@code SOPInstanceUID,x_min,
   * y_min,x_max,y_max,label} in the original DICOM's pixels ({@code synth --lesions}'s {@code boxes.csv}), mapped
   * here as prep mapped the image: pseudonymized with the site secret, mirrored for a mirrored breast, scaled to
   * the PNG, clipped.
   */
  public void importReferenceBoxes(Context ctx) {
    Dataset d = found(ctx);
    long useCaseId = referenceUseCase(ctx, org.radlab.core.task.TaskType.DETECTION).id();
    requireCsv(ctx, "boxes", "image,x_min,y_min,x_max,y_max,label");
    String keys = Requests.text(ctx, "keys");
    if (keys != null && !"original".equals(keys) && !"pseudonymous".equals(keys)) {
      throw ApiException.badRequest("keys must be 'pseudonymous' (the dataset's image ids in PNG pixels, the "
          + "default) or 'original' (SOPInstanceUIDs in the DICOM files' pixels), got '" + keys + "'");
    }
    boolean original = "original".equals(keys);
    org.radlab.core.dataset.BoxTable table;
    try {
      table = org.radlab.core.dataset.BoxTable.referenceFrom(Json.text(ctx), "the upload",
          original ? ORIGINAL_IMAGE_COLUMN : org.radlab.core.dataset.BoxTable.IMAGE);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (original) {
      table = fromOriginal(d, table);
    }
    if (table.images().isEmpty()) {
      throw ApiException.badRequest("the upload lists no image");
    }
    Map<String, DatasetDao.Image> images = new java.util.HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String image : table.images()) {
      datasets.image(d.id(), image).ifPresentOrElse(i -> images.put(image, i), () -> unknown.add(image));
    }
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest(unknown.size() + " images are not in dataset " + d.id() + ", such as "
          + unknown.subList(0, Math.min(3, unknown.size())));
    }
    Set<String> codes = useCases.categories(useCaseId).stream().map(UseCaseDao.Category::code)
        .collect(Collectors.toSet());
    for (org.radlab.core.dataset.BoxTable.Box b : table.boxes()) {
      if (!codes.contains(b.label())) {
        throw ApiException.badRequest("unknown category code '" + b.label() + "' on image " + b.image()
            + "; use case " + useCaseId + " has " + new java.util.TreeSet<>(codes));
      }
      DatasetDao.Image i = images.get(b.image());
      if (i.pngWidth() != null && i.pngHeight() != null && (b.xMin() < 0 || b.yMin() < 0
          || b.xMax() > i.pngWidth() + 1e-6 || b.yMax() > i.pngHeight() + 1e-6)) {
        throw ApiException.badRequest("a box on image " + b.image() + " (" + b.xMin() + ", " + b.yMin() + ", "
            + b.xMax() + ", " + b.yMax() + ") leaves its " + i.pngWidth() + " x " + i.pngHeight() + " PNG");
      }
    }
    datasets.replaceReferenceBoxes(d.id(), useCaseId, table);
    ctx.json(Map.of("dataset", d.id(), "useCaseId", useCaseId, "images", table.images().size(), "boxes",
        table.boxes().size()));
  }

  /**
   * Admin: the reference reader's masks of a segmentation use case on this dataset, as a mask snapshot
   * ({@code image,width,height,runs}: the dataset's image ids, each mask the size of its PNG, class i the use case's
   * i-th category, as {@code radlab labels import --task segmentation} writes it). Replaces what was there; never
   * returned.
   */
  public void importReferenceMasks(Context ctx) {
    Dataset d = found(ctx);
    long useCaseId = referenceUseCase(ctx, org.radlab.core.task.TaskType.SEGMENTATION).id();
    requireCsv(ctx, "masks", org.radlab.core.dataset.MaskTable.HEADER);
    org.radlab.core.dataset.MaskTable table;
    try {
      table = org.radlab.core.dataset.MaskTable.read(List.of(Json.text(ctx).split("\r?\n")), "the upload");
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (table.masks().isEmpty()) {
      throw ApiException.badRequest("the upload lists no image");
    }
    int classes = useCases.categories(useCaseId).size();
    long[] pixels = new long[256];
    List<String> unknown = new ArrayList<>();
    for (var e : table.masks().entrySet()) {
      DatasetDao.Image i = datasets.image(d.id(), e.getKey()).orElse(null);
      if (i == null) {
        unknown.add(e.getKey());
        continue;
      }
      org.radlab.core.dataset.LabelMask m = e.getValue();
      if (i.pngWidth() != null && i.pngHeight() != null && (m.width() != i.pngWidth() || m.height() != i.pngHeight())) {
        throw ApiException.badRequest("the mask of image " + e.getKey() + " is " + m.width() + " x " + m.height()
            + ", its PNG " + i.pngWidth() + " x " + i.pngHeight());
      }
      if (m.maxLabel() > classes) {
        throw ApiException.badRequest("the mask of image " + e.getKey() + " holds class index " + m.maxLabel()
            + "; use case " + useCaseId + " has " + classes + " categories");
      }
      for (byte b : m.labels()) {
        pixels[b & 0xff]++;
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest(unknown.size() + " images are not in dataset " + d.id() + ", such as "
          + unknown.subList(0, Math.min(3, unknown.size())));
    }
    datasets.replaceReferenceMasks(d.id(), useCaseId, table);
    Map<String, Long> perClass = new java.util.LinkedHashMap<>();
    List<UseCaseDao.Category> categories = useCases.categories(useCaseId);
    for (int c = 0; c < categories.size(); c++) {
      perClass.put(categories.get(c).code(), pixels[c + 1]);
    }
    ctx.json(Map.of("dataset", d.id(), "useCaseId", useCaseId, "images", table.masks().size(), "pixelsPerClass",
        perClass));
  }

  /**
   * The use case {@code ?useCaseId=} names, which must be of {@code task}: another task's reference goes to its own
   * endpoint, which the 400 names.
   */
  private UseCaseDao.UseCase referenceUseCase(Context ctx, org.radlab.core.task.TaskType task) {
    long useCaseId = Requests.requiredLong(ctx, "useCaseId");
    UseCaseDao.UseCase u = useCases.find(useCaseId).orElseThrow(() -> ApiException.badRequest("useCaseId "
        + useCaseId + " names no use case"));
    if (u.taskType() != task) {
      throw ApiException.badRequest("use case " + useCaseId + " is a " + u.task() + " use case: import its reference "
          + switch (u.taskType()) {
            case CLASSIFICATION -> "labels with /reference-labels";
            case DETECTION -> "boxes with /reference-boxes";
            case SEGMENTATION -> "masks with /reference-masks";
          });
    }
    return u;
  }

  /** A 415 unless the body is {@code text/csv}; the message names what to send and its {@code layout}. */
  private static void requireCsv(Context ctx, String what, String layout) {
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (!type.startsWith("text/csv")) {
      throw new ApiException(415, "unsupported_media_type", "send the " + what + " as text/csv: " + layout);
    }
  }

  /** The image column of boxes keyed by original image, as {@code synth --lesions} and PACS exports name it. */
  private static final String ORIGINAL_IMAGE_COLUMN = "SOPInstanceUID";

  /**
   * Boxes keyed by original SOPInstanceUID, in the DICOM's pixels, as the dataset's image ids and PNG pixels. An
   * image not in the dataset, a multi-frame one (which frame?) or a box wholly outside its image is refused.
   */
  private org.radlab.core.dataset.BoxTable fromOriginal(Dataset d, org.radlab.core.dataset.BoxTable table) {
    Pseudonymizer pseudonyms = pseudonymizer();
    Map<String, org.radlab.core.dataset.ImageList.Entry> catalog;
    try {
      catalog = Catalogs.of(d);
    } catch (IOException | RuntimeException e) {
      throw ApiException.conflict("the catalog of dataset " + d.id() + " cannot be read: " + e.getMessage());
    }
    Map<String, org.radlab.core.dataset.ImageList.Entry> byOriginal = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String sop : table.images()) {
      org.radlab.core.dataset.ImageList.Entry e = catalog.get(pseudonyms.imageId(sop, 0));
      if (e == null) {
        unknown.add(sop);
      } else if (catalog.containsKey(pseudonyms.imageId(sop, 1))) {
        throw ApiException.badRequest("image " + sop + " has several frames; import its boxes by the dataset's "
            + "image ids (one per frame) instead");
      } else if (e.mirrored() == null || e.rows() == null || e.columns() == null || e.pngWidth() == null
          || e.pngHeight() == null) {
        throw ApiException.conflict("image " + sop + " has no recorded sizes in dataset " + d.id() + "; prepare it "
            + "again");
      } else {
        byOriginal.put(sop, e);
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiException.badRequest(unknown.size() + " images are not in dataset " + d.id() + ", such as "
          + unknown.subList(0, Math.min(3, unknown.size())));
    }
    List<org.radlab.core.dataset.BoxTable.Box> boxes = new ArrayList<>();
    for (org.radlab.core.dataset.BoxTable.Box b : table.boxes()) {
      org.radlab.core.dataset.ImageList.Entry e = byOriginal.get(b.image());
      org.radlab.core.dataset.BoxTable.Box mapped = org.radlab.core.dataset.BoxTable.originalToPng(b, e);
      if (mapped == null) {
        throw ApiException.badRequest("a box on image " + b.image() + " (" + b.xMin() + ", " + b.yMin() + ", "
            + b.xMax() + ", " + b.yMax() + ") lies outside its " + e.columns() + " x " + e.rows() + " pixels");
      }
      boxes.add(mapped);
    }
    return new org.radlab.core.dataset.BoxTable(byOriginal.values().stream()
        .map(org.radlab.core.dataset.ImageList.Entry::imageId).toList(), boxes);
  }

  /** The workspace's site secret, which keys every pseudonym the server's prep jobs make. */
  private Path secretFile() {
    return home.resolve("site-secret").toAbsolutePath();
  }

  /** Original StudyInstanceUIDs to the dataset's pseudonymous ones, with the same secret prep used. */
  private Map<String, String> pseudonymized(Map<String, String> labels) {
    Pseudonymizer pseudonyms = pseudonymizer();
    Map<String, String> mapped = new LinkedHashMap<>();
    labels.forEach((original, code) -> mapped.put(pseudonyms.uid(original), code));
    return mapped;
  }

  private Pseudonymizer pseudonymizer() {
    return pseudonymizer(home);
  }

  /** The pseudonyms the server's prep jobs make, keyed by the workspace's site secret; a 409 before any prep. */
  static Pseudonymizer pseudonymizer(Path home) {
    try {
      return new Pseudonymizer(SiteSecret.load(home.resolve("site-secret").toAbsolutePath()));
    } catch (IOException e) {
      throw ApiException.conflict("the site secret cannot be read (" + e.getMessage() + "); no prep job has run yet");
    }
  }

  /** A JSON {@code {"labels": {...}}} body, or CSV text {@code study_uid,label}. */
  private static Map<String, String> labelsOf(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (type.startsWith("text/csv")) {
      Map<String, String> labels = new LinkedHashMap<>();
      List<String> lines = Json.text(ctx).lines().filter(l -> !l.isBlank()).toList();
      if (lines.isEmpty() || !Csv.fields(lines.get(0)).equals(List.of("study_uid", "label"))) {
        throw ApiException.badRequest("CSV labels must start with the header study_uid,label");
      }
      for (int i = 1; i < lines.size(); i++) {
        List<String> f = Csv.fields(lines.get(i));
        if (f.size() != 2 || f.get(0).isEmpty() || f.get(1).isEmpty()) {
          throw ApiException.badRequest("CSV line " + (i + 1) + " must be study_uid,label");
        }
        labels.put(f.get(0), f.get(1));
      }
      return labels;
    }
    ReferenceLabelsRequest r = Json.body(ctx, ReferenceLabelsRequest.class);
    if (r.labels() == null || r.labels().isEmpty()) {
      throw ApiException.badRequest("'labels' must map at least one study UID to a category code");
    }
    return r.labels();
  }

  /** The dataset, if the caller may see it: a hidden one (a challenge's test or final set) only for admins. */
  Dataset found(Context ctx) {
    Caller caller = Requests.caller(ctx);
    long id = Requests.id(ctx, "datasetId", "dataset");
    return datasets.findVisible(id, caller.isAdmin())
        .orElseThrow(() -> ApiException.notFound("dataset " + id));
  }
}
