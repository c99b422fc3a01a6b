package org.radlab.prep.pacs;

import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.StudyQuery;
import org.radlab.core.pacs.MoveReceiver;
import org.radlab.core.pacs.InstanceUids;
import org.radlab.core.pacs.PacsClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.io.FileTrees;

/**
 * {@code radlab pull}: finds studies on a PACS (QIDO-RS, or a DIMSE C-FIND) and retrieves them (WADO-RS, or C-GET or
 * C-MOVE) in parallel Spark tasks (one task per study) into a folder that {@code radlab prep} then reads as usual. For
 * C-MOVE the driver listens as RadLab's AE title while the tasks run ({@link MoveReceiver}); each task asks the PACS to
 * move its study there and takes the objects from the shared folder once the PACS reports the move done.
 *
 * <p>The folder holds one subfolder per study, named by its StudyInstanceUID, with one file per instance named by its
 * SOPInstanceUID. A new study is written into {@code .radlab-pull/partial/} and moved into place whole, so prep never
 * sees half a study. Incremental: a study whose folder already holds at least as many instances as the PACS reports
 * is not fetched again; one that grew on the PACS is fetched again and only its new instances are added, each
 * written under a hidden name and renamed. Prep skips the hidden {@code .radlab-pull} folder, which also keeps a
 * record of every pull ({@code pulled.csv}). Files the PACS sends that are not readable DICOM are kept (named
 * {@code unreadable-N.dcm}), so prep rejects them with a reason rather than losing them silently.
 */
public final class PullJob {
  /** The hidden folder inside the output that holds the pull's own state. */
  public static final String STATE = ".radlab-pull";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PullJob() {}

  /** What to pull from where: one query, or one per row of a list of accession numbers or study UIDs. */
  public record Request(PacsSource source, List<StudyQuery> queries, Path out, boolean dryRun) {}

  /** One study's retrieval, as a task reports it. */
  public record StudyResult(String studyUid, int written, int alreadyThere, long bytes, String error)
      implements Serializable {}

  /** A study that could not be pulled, and why. */
  public record Failure(String studyUid, String reason) {}

  /** What a pull did; printed as JSON by the command. */
  public record Summary(String source, String query, int matched, int alreadyPulled, int pulled, int instances,
      long bytes, int instancesAlreadyThere, List<Failure> failed, List<String> notFound, boolean dryRun,
      double seconds) {
    public String toJson() {
      try {
        return JSON.writeValueAsString(this);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * What the PACS matched and what of it is still to retrieve: the queries, on the driver, before any Spark work, so
   * a pull that cannot reach its PACS, or has nothing to do, fails or ends at once.
   */
  public record Plan(Request request, String described, int matched, int alreadyPulled,
      List<PacsClient.StudyMatch> todo, List<Failure> failed, List<String> notFound, long started) {
    /** Whether Spark has any work: something to retrieve, and not a dry run. */
    public boolean needsSpark() {
      return !request.dryRun() && !todo.isEmpty();
    }

    /** The summary of a pull that retrieves nothing. */
    public Summary nothingRetrieved() {
      return new Summary(request.source().name(), described, matched, alreadyPulled, 0, 0, 0, 0, failed, notFound,
          request.dryRun(), seconds(started));
    }
  }

  /** Queries the PACS and compares with the folder. */
  public static Plan plan(Request request, PrintStream log) throws IOException {
    long started = System.nanoTime();
    PacsSource source = request.source();
    PacsClient client = PacsClient.of(source, null);
    Path out = request.out().toAbsolutePath().normalize();
    // The studies: one query, or one per listed number or UID (a row that matches nothing is reported).
    Map<String, PacsClient.StudyMatch> matched = new LinkedHashMap<>();
    List<String> notFound = new ArrayList<>();
    for (StudyQuery q : request.queries()) {
      List<PacsClient.StudyMatch> found = client.studies(q);
      if (found.isEmpty() && (q.accessionNumber() != null || q.studyUid() != null)) {
        notFound.add(q.accessionNumber() != null ? q.accessionNumber() : q.studyUid());
      }
      found.forEach(m -> matched.putIfAbsent(m.studyUid(), m));
    }
    String described = request.queries().size() == 1 ? request.queries().get(0).toString()
        : request.queries().size() + " listed studies";
    log.printf("pull: %s matched %d studies (%s)%n", source, matched.size(), described);

    List<Failure> failed = new ArrayList<>();
    List<PacsClient.StudyMatch> todo = new ArrayList<>();
    int alreadyPulled = 0;
    for (PacsClient.StudyMatch m : matched.values()) {
      if (!DicomWebClient.isUid(m.studyUid())) {
        failed.add(new Failure(String.valueOf(m.studyUid()), "the PACS named this study with something that is not"
            + " a DICOM UID; nothing was written for it"));
      } else if (m.instances() > 0 && instancesIn(out.resolve(m.studyUid())) >= m.instances()) {
        alreadyPulled++;
      } else {
        todo.add(m);
      }
    }
    log.printf("pull: %d already here, %d to retrieve%s%n", alreadyPulled, todo.size(),
        request.dryRun() ? " (a dry run: nothing is retrieved)" : "");
    return new Plan(request, described, matched.size(), alreadyPulled, todo, failed, notFound, started);
  }

  /** Plans, then retrieves what the plan holds (a dry run or a pull with nothing new needs no Spark session). */
  public static Summary run(SparkSession spark, Request request, PrintStream log) throws IOException {
    Plan plan = plan(request, log);
    return plan.needsSpark() ? retrieve(spark, plan, log) : plan.nothingRetrieved();
  }

  /** Retrieves the plan's studies in Spark tasks, one study per task. */
  public static Summary retrieve(SparkSession spark, Plan plan, PrintStream log) throws IOException {
    Request request = plan.request();
    PacsSource source = request.source();
    Path out = request.out().toAbsolutePath().normalize();
    List<PacsClient.StudyMatch> todo = plan.todo();
    List<Failure> failed = new ArrayList<>(plan.failed());
    createPrivately(out);
    Files.createDirectories(out.resolve(STATE).resolve("partial"));

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String outText = out.toString();
    // C-MOVE: the PACS sends each study to RadLab's AE title, which listens here (the driver) while the tasks ask.
    MoveReceiver receiver = source.isDimse() && source.dimse().retrieve() == PacsSource.Retrieve.MOVE
        ? MoveReceiver.start(source, out.resolve(STATE).resolve("moved"), out.resolve("unreadable"), log) : null;
    Progress progress = new Progress(spark, todo.size(), log);
    List<StudyResult> results;
    try {
      results = jsc.parallelize(todo, Math.min(todo.size(), 10_000))
          .map(m -> fetch(source, Path.of(outText), m.studyUid())).collect();
    } finally {
      progress.stop();
      if (receiver != null) {
        receiver.close();
      }
    }
    int pulled = 0;
    int instances = 0;
    int alreadyThere = 0;
    long bytes = 0;
    StringBuilder ledger = new StringBuilder();
    String now = Instant.now().toString();
    for (StudyResult r : results) {
      if (r.error() != null) {
        failed.add(new Failure(r.studyUid(), r.error()));
        continue;
      }
      pulled++;
      instances += r.written();
      alreadyThere += r.alreadyThere();
      bytes += r.bytes();
      ledger.append(now).append(',').append(source.name()).append(',').append(r.studyUid()).append(',')
          .append(r.written()).append(',').append(r.bytes()).append('\n');
    }
    appendLedger(out.resolve(STATE).resolve("pulled.csv"), ledger.toString());
    Summary summary = new Summary(source.name(), plan.described(), plan.matched(), plan.alreadyPulled(), pulled,
        instances, bytes, alreadyThere, failed, plan.notFound(), false, seconds(plan.started()));
    log.printf("pull: retrieved %d studies (%d instances, %.1f MB) into %s in %.1f s%s%n", pulled, instances,
        bytes / 1e6, out, summary.seconds(), failed.isEmpty() ? "" : "; " + failed.size() + " failed (listed in the"
            + " summary)");
    return summary;
  }

  /** Runs in a task: retrieves one study into its folder; never throws (the error is the result). */
  static StudyResult fetch(PacsSource source, Path out, String studyUid) {
    Path target = out.resolve(studyUid);
    boolean grown = Files.isDirectory(target);
    Path dir = grown ? target : out.resolve(STATE).resolve("partial").resolve(studyUid);
    try {
      if (!grown) {
        FileTrees.delete(dir); // what a crashed attempt left
      }
      List<Path> parts = PacsClient.of(source, out.resolve(STATE).resolve("moved")).retrieveTo(studyUid, dir);
      int written = 0;
      int there = 0;
      long bytes = 0;
      for (int i = 0; i < parts.size(); i++) {
        Path part = parts.get(i);
        String[] uids = InstanceUids.read(part);
        Path file = dir.resolve((uids == null ? "unreadable-" + i : uids[1]) + ".dcm");
        if (Files.exists(file)) {
          Files.delete(part);
          there++;
          continue;
        }
        bytes += Files.size(part);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        written++;
      }
      if (parts.isEmpty()) {
        if (!grown) {
          FileTrees.delete(dir);
        }
        return new StudyResult(studyUid, 0, 0, 0, "the PACS sent no instance of this study");
      }
      if (!grown) {
        Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
      }
      return new StudyResult(studyUid, written, there, bytes, null);
    } catch (FileAlreadyExistsException e) {
      return new StudyResult(studyUid, 0, 0, 0, "another pull wrote this study at the same time: " + e.getFile());
    } catch (IOException | RuntimeException e) {
      try {
        if (!grown) {
          FileTrees.delete(dir);
        } else {
          cleanTemporary(dir);
        }
      } catch (IOException ignored) {
        // reported below; the next pull cleans up again
      }
      return new StudyResult(studyUid, 0, 0, 0, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** Instances already in a study's folder (visible files only). */
  static int instancesIn(Path study) throws IOException {
    if (!Files.isDirectory(study)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(study)) {
      return (int) files.filter(f -> !f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)).count();
    }
  }

  /**
   * A pulled or received folder holds identifiable DICOM until prep de-identifies it: created readable by its owner
   * only (an existing folder is left as it is).
   */
  static void createPrivately(Path out) throws IOException {
    if (Files.isDirectory(out)) {
      return;
    }
    try {
      Files.createDirectories(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(out);
    }
  }

  private static void appendLedger(Path file, String lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    boolean fresh = !Files.exists(file);
    Files.writeString(file, (fresh ? "pulled_at,source,study_uid,instances,bytes\n" : "") + lines,
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void cleanTemporary(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(".part-")).toList()) {
        FileTrees.delete(f); // a part, or a DIMSE retrieve's hidden landing folder
      }
    }
  }


  private static double seconds(long started) {
    return Math.round((System.nanoTime() - started) / 1e8) / 10.0;
  }

  /** Prints how many studies are retrieved, every few seconds, while the Spark stage runs. */
  private static final class Progress {
    private final Thread thread;

    Progress(SparkSession spark, int total, PrintStream log) {
      thread = new Thread(() -> {
        int last = -1;
        while (!Thread.currentThread().isInterrupted()) {
          try {
            Thread.sleep(5000);
          } catch (InterruptedException e) {
            return;
          }
          int done = 0;
          var tracker = spark.sparkContext().statusTracker();
          for (int stage : tracker.getActiveStageIds()) {
            var info = tracker.getStageInfo(stage);
            if (info.isDefined()) {
              done += info.get().numCompletedTasks();
            }
          }
          if (done != last) {
            log.printf("pull: %d of %d studies retrieved%n", done, total);
            last = done;
          }
        }
      }, "pull-progress");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      thread.interrupt();
    }
  }
}
