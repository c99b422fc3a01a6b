package org.radlab.api.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.radlab.api.db.Database;
import org.radlab.api.db.DeploymentDao;
import org.radlab.api.db.DeploymentWatchDao;
import org.radlab.api.db.DeploymentWatchDao.Watch;
import org.radlab.api.db.ModelDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.http.Json;
import org.radlab.api.http.Times;
import org.radlab.api.routes.ModelRoutes;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.core.dicom.ClassificationReportWriter;
import org.radlab.core.dicom.DeclaredSize;
import org.radlab.core.dicom.DicomRejectException;
import org.radlab.core.dicom.ImageBounds;
import org.radlab.core.dicom.RenderOptions;
import org.radlab.core.dicom.ReportCodes;
import org.radlab.core.io.FileTrees;
import org.radlab.core.model.ImageTensors;
import org.radlab.core.model.TrainedModel;
import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.pacs.PacsClient;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;
import org.radlab.core.pacs.StudyQuery;
import org.radlab.core.task.AssistModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments that watch a PACS: every deployment with a watch is polled at its interval. A poll asks the source for
 * the studies its query matches (QIDO-RS), and each study the deployment has not handled yet is retrieved (WADO-RS)
 * into the workspace's private folder, predicted image by image with the deployment's model (each image rendered as
 * the model's dataset was), recorded as a case of the deployment with the mean of its images' probabilities (as the
 * evaluation job makes a study's), and, when the watch asks for it, stored back in the PACS as a DICOM SR. The
 * retrieved files are deleted as soon as the study is done.
 *
 * <p>A study is handled once: a case id (the site secret's pseudonym of its StudyInstanceUID, as prep makes) is
 * recorded with its outcome, a prediction or why none was made. A PACS that cannot be reached or refuses a request
 * ends the poll with its reason and the study is tried again on the next poll; nothing is half-recorded. Polls run
 * one at a time on one thread, so a long poll delays the others rather than overloading the server.
 */
public final class DeploymentWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentWatcher.class);
  /** How often the watcher looks for a watch that is due. */
  static final long TICK_MILLIS = 500;

  private final Database db;
  private final Path home;
  private final long maxImageBytes;
  private final Clock clock;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "radlab-deployment-watch");
    t.setDaemon(true);
    return t;
  });
  /** When each watch's next poll is due, by deployment (milliseconds of the clock). */
  private final Map<Long, Long> due = new ConcurrentHashMap<>();

  public DeploymentWatcher(Database db, Path home, long maxImageBytes, Clock clock) {
    this.db = db;
    this.home = home;
    this.maxImageBytes = maxImageBytes;
    this.clock = clock;
  }

  public DeploymentWatcher start() {
    thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Makes the deployment's next poll due at once (a watch set or changed). */
  public void pollSoon(long deploymentId) {
    due.remove(deploymentId);
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void tick() {
    try {
      List<Watch> watches = db.dao(DeploymentWatchDao.class).all();
      Set<Long> live = new HashSet<>();
      for (Watch w : watches) {
        live.add(w.deploymentId());
        long now = clock.millis();
        if (due.getOrDefault(w.deploymentId(), 0L) > now) {
          continue;
        }
        due.put(w.deploymentId(), now + w.intervalSeconds() * 1000L);
        poll(w);
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      due.keySet().retainAll(live);
    } catch (RuntimeException e) {
      LOG.error("the deployment watcher's tick failed", e);
    }
  }

  /** One poll of one watch; its outcome is in the watch's row and in one row per study it handled. */
  void poll(Watch w) {
    DeploymentWatchDao watches = db.dao(DeploymentWatchDao.class);
    Integer poll = watches.startPoll(w.deploymentId()).orElse(null);
    if (poll == null) {
      return; // the watch was removed meanwhile
    }
    String error = null;
    try {
      error = pollStudies(w, poll);
    } catch (IOException | RuntimeException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!(e instanceof IOException) && !(e instanceof IllegalArgumentException)
          && !(e instanceof IllegalStateException)) {
        LOG.error("poll {} of deployment {} failed", poll, w.deploymentId(), e);
      }
    }
    watches.endPoll(w.deploymentId(), Times.now(), error);
    if (error != null) {
      LOG.warn("poll {} of deployment {}: {}", poll, w.deploymentId(), error);
    }
  }

  /** The poll's work; returns why the poll stopped short (null when it did not). */
  private String pollStudies(Watch w, int poll) throws IOException {
    DeploymentDao.Deployment d = db.dao(DeploymentDao.class).find(w.deploymentId()).orElse(null);
    if (d == null) {
      return "the deployment no longer exists";
    }
    if (d.modelId() == null) {
      return "deployment " + d.id() + " has no model to predict with";
    }
    ModelDao.Model m = db.dao(ModelDao.class).find(d.modelId()).orElse(null);
    if (m == null) {
      return "model " + d.modelId() + " no longer exists";
    }
    PacsSource source = PacsSources.read(home.resolve(PacsSources.FILE)).get(w.source());
    String unfit = unfit(source, w.readsFromReports());
    if (unfit != null) {
      return unfit;
    }
    PacsClient client = PacsClient.of(source, null);
    List<PacsClient.StudyMatch> matches = client.studies(query(w.query()));
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.loadOrCreate(home.resolve("site-secret")));
    Map<String, String> caseIds = new LinkedHashMap<>(); // each matching study's UID -> its case id (pseudonym)
    matches.forEach(match -> caseIds.put(match.studyUid(), pseudonyms.uid(match.studyUid())));
    Map<String, String> fresh = new LinkedHashMap<>(caseIds);
    fresh.values().removeAll(new HashSet<>(db.dao(DeploymentWatchDao.class).handled(d.id())));
    if (!fresh.isEmpty()) {
      String stopped = predict(w, poll, d, m, client, fresh, matches.size(), source);
      if (stopped != null) {
        return stopped;
      }
    }
    if (w.readsFromReports() && client instanceof DicomWebClient web) {
      readReports(web, d, poll, caseIds);
    }
    return null;
  }

  /** Predicts the poll's new studies; returns why it stopped short (null when it did not). */
  private String predict(Watch w, int poll, DeploymentDao.Deployment d, ModelDao.Model m, PacsClient client,
      Map<String, String> fresh, int matched, PacsSource source)
      throws IOException {
    TrainedModel model;
    try {
      model = TrainedModel.cached(Path.of(m.path()));
    } catch (IOException e) {
      return "model " + m.id() + " cannot be loaded: " + e.getMessage();
    }
    Study predictor = new Study(d, m, model, ModelRoutes.renderOptions(db, m), assist(d.useCaseId()),
        ImageBounds.load(home));
    LOG.info("poll {} of deployment {}: {} new of {} matching studies on {}", poll, d.id(), fresh.size(), matched,
        source);
    for (Map.Entry<String, String> study : fresh.entrySet()) {
      if (Thread.currentThread().isInterrupted()) {
        return "the server stopped during the poll";
      }
      if (db.dao(DeploymentWatchDao.class).find(d.id()).isEmpty()) {
        return "the watch was removed during the poll";
      }
      predictor.handle(client, w, poll, study.getKey(), study.getValue());
    }
    return null;
  }

  /**
   * The radiologists' reads of predicted studies that have none yet, from their SRs in the PACS: an SR series not
   * made by RadLab (its Manufacturer) whose report codes exactly one of the use case's categories (its CDE under
   * RADELEMENT, or its code under 99RADLAB) gives the study that read. A report that codes none or several is left
   * alone; an unreadable one is skipped.
   */
  private void readReports(DicomWebClient client, DeploymentDao.Deployment d, int poll,
      Map<String, String> caseIds) throws IOException {
    Set<String> unread = new HashSet<>();
    for (DeploymentDao.DeployedCase c : db.dao(DeploymentDao.class).cases(d.id())) {
      if (c.probabilities() != null && c.readCode() == null) {
        unread.add(c.caseId());
      }
    }
    if (unread.isEmpty()) {
      return;
    }
    Map<String, String> categories = new LinkedHashMap<>(); // "SCHEME|CODE" -> category code
    for (UseCaseDao.Category c : db.dao(UseCaseDao.class).categories(d.useCaseId())) {
      categories.put(ClassificationReportWriter.LOCAL_SCHEME + "|" + c.code(), c.code());
      if (c.cdeId() != null && !c.cdeId().isBlank()) {
        categories.put(ClassificationReportWriter.CDE_SCHEME + "|" + c.cdeId(), c.code());
      }
    }
    List<DeploymentDao.ReadRow> reads = new ArrayList<>();
    for (Map.Entry<String, String> study : caseIds.entrySet()) {
      String studyUid = study.getKey();
      String caseId = study.getValue();
      if (!unread.contains(caseId)) {
        continue;
      }
      String read = null;
      for (DicomWebClient.SeriesMatch series : client.series(studyUid, "SR")) {
        if (OWN_MANUFACTURER.equals(series.manufacturer())) {
          continue;
        }
        Path dir = privateFolder().resolve(d.id() + "-" + poll + "-" + caseId + "-reports");
        try {
          for (Path f : client.retrieveSeriesTo(studyUid, series.seriesUid(), dir)) {
            String code = readOf(f, categories);
            read = code != null ? code : read;
          }
        } finally {
          FileTrees.delete(dir);
        }
      }
      if (read != null) {
        reads.add(new DeploymentDao.ReadRow(caseId, read, null, null));
      }
    }
    if (!reads.isEmpty()) {
      db.dao(DeploymentDao.class).recordReads(d.id(), reads, Times.now());
      DeploymentWatchDao watches = db.dao(DeploymentWatchDao.class);
      reads.forEach(r -> watches.reportRead(d.id(), r.caseId(), r.code()));
      LOG.info("poll {} of deployment {}: {} reads from the radiologists' reports", poll, d.id(), reads.size());
    }
  }

  /** The one category a report codes, or null (none, several, made by RadLab, or not a readable SR). */
  private static String readOf(Path file, Map<String, String> categories) throws IOException {
    if (Files.size(file) > MAX_REPORT_BYTES) {
      return null;
    }
    ReportCodes.Report report;
    try {
      report = ReportCodes.of(Files.readAllBytes(file));
    } catch (IOException e) {
      return null;
    }
    if (OWN_MANUFACTURER.equals(report.manufacturer())) {
      return null;
    }
    Set<String> found = new java.util.TreeSet<>();
    for (ReportCodes.Code c : report.codes()) {
      String category = categories.get(c.scheme() + "|" + c.value());
      if (category != null) {
        found.add(category);
      }
    }
    return found.size() == 1 ? found.iterator().next() : null;
  }

  /** The Manufacturer RadLab's own reports carry. */
  static final String OWN_MANUFACTURER = ClassificationReportWriter.MANUFACTURER;
  /** A report larger than this is not read (an SR is kilobytes). */
  static final long MAX_REPORT_BYTES = 16L << 20;

  /** What a poll needs to predict its studies. */
  private final class Study {
    final DeploymentDao.Deployment deployment;
    final ModelDao.Model record;
    final TrainedModel model;
    final RenderOptions render;
    final AssistModule assist;
    final ImageBounds bounds;

    Study(DeploymentDao.Deployment deployment, ModelDao.Model record, TrainedModel model, RenderOptions render,
        AssistModule assist, ImageBounds bounds) {
      this.deployment = deployment;
      this.record = record;
      this.model = model;
      this.render = render;
      this.assist = assist;
      this.bounds = bounds;
    }

    /**
     * Retrieves, predicts, records and (if asked) sends back one study. A failure to talk to the PACS while
     * retrieving is thrown (the study is tried again next poll); anything about the study itself is recorded.
     */
    void handle(PacsClient client, Watch w, int poll, String studyUid, String caseId) throws IOException {
      Path dir = privateFolder().resolve(deployment.id() + "-" + poll + "-" + caseId);
      FileTrees.delete(dir);
      try {
        List<Path> files = client.retrieveTo(studyUid, dir);
        int k = model.classes().size();
        double[] sums = new double[k];
        int images = 0;
        Map<String, Integer> skipped = new TreeMap<>();
        for (Path f : files) {
          String why = null;
          if (Files.size(f) > maxImageBytes) {
            why = "larger than " + maxImageBytes + " bytes";
          } else {
            byte[] bytes = Files.readAllBytes(f);
            String exceeded = DeclaredSize.exceeded(bytes, bounds);
            if (exceeded != null) {
              why = "image too large: " + exceeded;
            } else {
              try {
                ImageTensors.Rendered r = ImageTensors.fromDicomRendered(bytes, model.tensorSide(), render);
                float[] p;
                synchronized (model) {
                  p = model.predictTensor(r.tensor(), model.tensorSide());
                }
                for (int c = 0; c < k; c++) {
                  sums[c] += p[c];
                }
                images++;
              } catch (DicomRejectException e) {
                why = e.reason();
              }
            }
          }
          if (why != null) {
            skipped.merge(why, 1, Integer::sum);
          }
          Files.deleteIfExists(f);
        }
        int notImages = skipped.values().stream().mapToInt(Integer::intValue).sum();
        DeploymentWatchDao watches = db.dao(DeploymentWatchDao.class);
        if (images == 0) {
          watches.record(deployment.id(), caseId, poll, 0, notImages, files.isEmpty() ? "the PACS sent no "
              + "instance of the study" : "no instance is an image the model can read: " + skipped, null, null,
              Times.now());
          return;
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        List<Double> values = new ArrayList<>();
        for (int c = 0; c < k; c++) {
          probabilities.put(model.classes().get(c), sums[c] / images);
          values.add(sums[c] / images);
        }
        String today = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
        db.dao(DeploymentDao.class).recordPredictions(deployment.id(), List.of(new DeploymentDao.PredictionRow(
            caseId, today, Json.MAPPER.valueToTree(values).toString(), null, null)), Times.now());
        String reportUid = null;
        String sendError = null;
        if (w.sendBack()) {
          try {
            reportUid = sendBack(client, studyUid, probabilities);
          } catch (IOException | IllegalArgumentException e) {
            sendError = e.getMessage();
          }
        }
        watches.record(deployment.id(), caseId, poll, images, notImages, null, reportUid, sendError, Times.now());
      } finally {
        FileTrees.delete(dir);
      }
    }

    /** The prediction as a DICOM SR stored in the study; returns its SOP Instance UID. */
    private String sendBack(PacsClient client, String studyUid, Map<String, Double> probabilities)
        throws IOException {
      Map<String, String> attributes = client.studyAttributes(studyUid, ClassificationReportWriter.STUDY_ATTRIBUTES);
      if (attributes == null) {
        throw new IOException("the PACS no longer holds the study");
      }
      Map<String, String> names = new LinkedHashMap<>();
      db.dao(UseCaseDao.class).categories(deployment.useCaseId()).forEach(c -> names.put(c.code(), c.name()));
      List<ClassificationReportWriter.Category> categories = new ArrayList<>();
      probabilities.forEach((code, p) -> {
        AssistModule.Finding finding = assist == null ? null : assist.findings().get(code);
        categories.add(new ClassificationReportWriter.Category(code, names.getOrDefault(code, code), p,
            finding == null ? null : finding.cde(), finding == null ? null : finding.reportText()));
      });
      ClassificationReportWriter.Prediction p = new ClassificationReportWriter.Prediction(attributes,
          record.id() + " (deployment " + deployment.name() + ")", categories);
      client.store(List.of(ClassificationReportWriter.bytes(p, LocalDateTime.now(clock))));
      return ClassificationReportWriter.sopInstanceUid(p);
    }
  }

  /** The use case's assist module (its stored one, or the default made from its categories); null if invalid. */
  private AssistModule assist(long useCaseId) {
    String document = db.dao(UseCaseDao.class).assistDocument(useCaseId);
    try {
      return AssistModule.parse(document);
    } catch (AssistModule.InvalidDocument e) {
      LOG.warn("the assist module of use case {} is invalid ({}); reports carry no CDE codes", useCaseId,
          e.getMessage());
      return null;
    }
  }

  /**
   * Why a source cannot serve a watch, or null when it can: a watch speaks DICOMweb, or DIMSE with C-GET (a C-MOVE
   * needs a receiver the server does not run); reads from reports need DICOMweb (series and their instances).
   */
  public static String unfit(PacsSource source, boolean readsFromReports) {
    if (!source.isDimse()) {
      return null;
    }
    if (source.dimse().retrieve() != PacsSource.Retrieve.GET) {
      return source + " retrieves with C-MOVE; a watched deployment retrieves with C-GET or DICOMweb (set "
          + "\"retrieve\": \"C-GET\" if the PACS allows it)";
    }
    return readsFromReports ? source + " is a DICOM node; reads from the radiologists' reports need a DICOMweb "
        + "source" : null;
  }

  /** A watch's stored query. */
  public static StudyQuery query(String json) {
    try {
      JsonNode q = Json.MAPPER.readTree(json);
      return new StudyQuery(text(q, "modality"), date(q, "from"), date(q, "to"), text(q, "description"), null, null);
    } catch (IOException e) {
      throw new IllegalStateException("a watch's stored query is not JSON: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode q, String field) {
    return q.hasNonNull(field) ? q.get(field).asText() : null;
  }

  private static LocalDate date(JsonNode q, String field) {
    return q.hasNonNull(field) ? LocalDate.parse(q.get(field).asText()) : null;
  }

  /** Where studies are retrieved to while they are predicted: the workspace's {@code private/watch}, owner-only. */
  private Path privateFolder() throws IOException {
    Path dir = home.resolve("private").resolve("watch");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }
}
