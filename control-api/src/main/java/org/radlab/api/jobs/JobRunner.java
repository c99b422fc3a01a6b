package org.radlab.api.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.radlab.core.Workspace;
import org.radlab.api.http.Times;
import org.radlab.api.db.Database;
import org.radlab.api.db.JobDao;
import org.radlab.api.db.JobDao.Job;
import org.radlab.core.jobs.JobKind;
import org.radlab.core.launch.AppJars;
import org.radlab.core.launch.ClassDataArchive;
import org.radlab.core.launch.ProcessTrees;
import org.radlab.core.launch.SparkClasspath;
import org.radlab.core.launch.SparkSubmitProcess;
import org.radlab.core.launch.SubmitRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts queued jobs as {@code SparkSubmit} child processes, at most {@code maxRunning} at a time and fair between
 * users (see {@link JobDao#nextQueued}), and records how each one ends.
 *
 * <p>Each job runs under a small shell that writes the job's exit code to {@code jobs/job-<id>/exit} when it ends.
 * Job processes outlive the control API: after a restart, {@link #recover} reads the exit codes of jobs that ended
 * meanwhile, adopts those still running, and marks the rest FAILED with the reason. No job is ever left RUNNING
 * without a process.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  /** Runs the job, then records its exit code atomically; {@code $0} is the exit file. */
  private static final String LAUNCHER = "\"$@\"; code=$?; printf '%s\\n' \"$code\" > \"$0.tmp\" && "
      + "mv \"$0.tmp\" \"$0\"; exit \"$code\"";
  private static final String LOG_CONFIG = "radlab-log4j2.properties";
  private static final Duration CANCEL_GRACE = Duration.ofSeconds(20);

  /** Where and how jobs run. */
  public record Settings(Path home, String master, int maxRunning, Map<String, String> sparkConf) {
    public Settings {
      if (maxRunning < 1) {
        throw new IllegalArgumentException("the job concurrency limit must be at least 1, got " + maxRunning);
      }
      sparkConf = Map.copyOf(sparkConf);
    }
  }

  private final JobDao jobs;
  private final Settings settings;
  private final Hooks hooks;
  private final Map<Long, ProcessHandle> live = new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private volatile boolean stopped;
  private Thread loop;

  /** What happens around a job's end, beyond its own row. */
  public interface Hooks {
    /**
     * Records a successful job's results (for example a dataset's image list) before it is marked SUCCEEDED, so a
     * client that sees SUCCEEDED sees the results too. Throwing marks the job FAILED with the message instead.
     */
    void recordResults(Job job);

    /** Called once with the final row of every job that ends: succeeded, failed or cancelled. */
    void ended(Job job);
  }

  public JobRunner(Database db, Settings settings, Hooks hooks) {
    this.jobs = db.dao(JobDao.class);
    this.settings = settings;
    this.hooks = hooks;
  }

  /** Recovers jobs left by an earlier run of the server, then starts the scheduling loop. */
  public synchronized void start() {
    recover();
    try {
      jobLaunch(); // the job JVMs' class-data archive starts being made now if there is none yet
    } catch (IOException | RuntimeException e) {
      LOG.warn("the job JVMs' class path could not be packed; jobs will pack it when they start", e);
    }
    loop = new Thread(this::schedule, "radlab-job-runner");
    loop.setDaemon(true);
    loop.start();
  }

  /** Asks the loop to look at the queue now (after a submit, or when a job ended). */
  public void poke() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void schedule() {
    while (!stopped) {
      try {
        startWhatFits();
      } catch (RuntimeException e) {
        LOG.error("job scheduling failed; retrying", e);
      }
      synchronized (wake) {
        try {
          wake.wait(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void startWhatFits() {
    while (!stopped && jobs.countRunning() < settings.maxRunning()) {
      Optional<Job> next = jobs.nextQueued();
      if (next.isEmpty()) {
        return;
      }
      Job job = next.get();
      if (jobs.claim(job.id(), Times.now()) != 1) {
        continue; // cancelled meanwhile
      }
      try {
        launch(job);
      } catch (IOException | RuntimeException e) {
        LOG.warn("job {} could not start", job.id(), e);
        end(job.id(), JobDao.FAILED, "the job could not start: " + e.getMessage(), null);
      }
    }
  }

  private void launch(Job job) throws IOException {
    JobKind kind = JobKind.of(job.kind());
    JobFiles files = JobFiles.of(settings.home(), job.id());
    Files.createDirectories(files.dir());
    Files.deleteIfExists(files.exit());
    ClassDataArchive.Launch jvm = jobLaunch();
    Path appJar = AppJars.containing(kind.mainClass(), jvm.classpath(), new Workspace(settings.home()).cache().resolve("app-jars"));
    SubmitRequest request = SubmitRequest.of(settings.master(), kind.mainClass(), appJar)
        .withConf(defaultConf())
        .withConf(settings.sparkConf())
        .withAppArgs(List.of(files.config().toAbsolutePath().toString()));
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCHER, files.exit().toAbsolutePath().toString()));
    command.addAll(SparkSubmitProcess.command(request, jvm.classpath(), jvm.jvmOptions()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log().toFile()));
    builder.environment().put("RADLAB_HOME", settings.home().toAbsolutePath().toString());
    SparkSubmitProcess.environment(request, builder.environment());
    Process process = builder.start();
    jobs.setPid(job.id(), process.pid());
    LOG.info("job {} ({}) started as pid {}", job.id(), job.kind(), process.pid());
    watch(job.id(), process.toHandle(), files);
  }

  /** The job JVMs' class path (this JVM's) and the options that map its class-data archive ({@link ClassDataArchive}). */
  private ClassDataArchive.Launch jobLaunch() throws IOException {
    return ClassDataArchive.launch(SparkClasspath.ofRunningJvm(), new Workspace(settings.home()).cache());
  }

  /** Headless AWT for the PNG and chart writers, and RadLab's quiet log set-up when it is on the class path. */
  private static Map<String, String> defaultConf() {
    String options = "-Djava.awt.headless=true";
    if (JobRunner.class.getClassLoader().getResource(LOG_CONFIG) != null) {
      options += " -Dlog4j2.configurationFile=classpath:" + LOG_CONFIG;
    }
    return Map.of("spark.driver.extraJavaOptions", options, "spark.ui.showConsoleProgress", "false");
  }

  private void watch(long jobId, ProcessHandle process, JobFiles files) {
    live.put(jobId, process);
    process.onExit().thenRun(() -> {
      live.remove(jobId);
      Optional<Integer> code = files.exitCode();
      if (code.isPresent() && code.get() == 0) {
        end(jobId, JobDao.SUCCEEDED, null, 0);
      } else {
        end(jobId, JobDao.FAILED, failure(code, files), code.orElse(null));
      }
      poke();
    });
  }

  /** Ends the job unless it has ended already (recording a success's results first); then the ended hook. */
  private void end(long jobId, String status, String reason, Integer exitCode) {
    if (JobDao.SUCCEEDED.equals(status)) {
      Optional<Job> job = jobs.find(jobId).filter(j -> JobDao.RUNNING.equals(j.status()));
      if (job.isEmpty()) {
        return;
      }
      try {
        hooks.recordResults(job.get());
      } catch (RuntimeException e) {
        LOG.error("job {} succeeded but its results could not be recorded", jobId, e);
        status = JobDao.FAILED;
        reason = "the job succeeded, but its results could not be recorded: " + e.getMessage();
      }
    }
    if (jobs.finish(jobId, status, reason, exitCode, Times.now()) == 1) {
      jobs.find(jobId).ifPresent(this::ended);
    }
  }

  private void ended(Job job) {
    try {
      hooks.ended(job);
    } catch (RuntimeException e) {
      LOG.error("after job {} ended: {}", job.id(), e.getMessage(), e);
    }
  }

  /**
   * Cancels a queued or running job: it is marked CANCELLED at once, and a running job's processes get SIGTERM
   * (a training job then saves its best weights), then SIGKILL after a grace period.
   *
   * @return false if the job had already ended
   */
  public boolean cancel(Job job, String by) {
    if (jobs.finish(job.id(), JobDao.CANCELLED, "cancelled by " + by, null, Times.now()) != 1) {
      return false;
    }
    jobs.find(job.id()).ifPresent(this::ended);
    ProcessHandle process = live.get(job.id());
    if (process == null && job.pid() != null) {
      process = ProcessTrees.liveWithArgument(job.pid(), JobFiles.of(settings.home(), job.id()).exit()
          .toAbsolutePath().toString()).orElse(null);
    }
    if (process != null) {
      ProcessHandle root = process;
      Thread stopper = new Thread(() -> stop(root), "radlab-cancel-" + job.id());
      stopper.setDaemon(true);
      stopper.start();
    }
    poke();
    return true;
  }

  private static void stop(ProcessHandle root) {
    List<ProcessHandle> below = root.descendants().toList();
    below.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : below) {
      ProcessTrees.awaitExit(p, CANCEL_GRACE);
    }
    ProcessTrees.terminate(root, Duration.ofSeconds(5));
  }

  /**
   * Settles jobs an earlier server left RUNNING: ended ones get their recorded exit code, live ones are watched
   * again, and jobs whose process is gone without an exit code are marked FAILED with that reason.
   */
  void recover() {
    for (Job job : jobs.running()) {
      JobFiles files = JobFiles.of(settings.home(), job.id());
      Optional<Integer> code = files.exitCode();
      Optional<ProcessHandle> process = job.pid() == null ? Optional.empty()
          : ProcessTrees.liveWithArgument(job.pid(), files.exit().toAbsolutePath().toString());
      if (process.isPresent()) {
        LOG.info("job {} is still running as pid {}; watching it again", job.id(), job.pid());
        watch(job.id(), process.get(), files);
      } else if (code.isPresent()) {
        end(job.id(), code.get() == 0 ? JobDao.SUCCEEDED : JobDao.FAILED,
            code.get() == 0 ? null : failure(code, files), code.get());
      } else {
        end(job.id(), JobDao.FAILED, job.pid() == null
            ? "the control API stopped while starting the job; it never ran"
            : "the job's process (pid " + job.pid() + ") was gone when the control API restarted, and it left no "
                + "exit code: it was killed or the machine restarted", null);
      }
    }
  }

  /** Why a job failed: its exit code and the last error line of its log. */
  static String failure(Optional<Integer> code, JobFiles files) {
    String prefix = code.map(c -> "exited with code " + c).orElse("ended without an exit code (killed)");
    String[] lines = JobFiles.tail(files.log(), 16_384).split("\n");
    String hint = null;
    for (int i = lines.length - 1; i >= 0 && hint == null; i--) {
      String line = lines[i].strip();
      if (line.matches(".*(Exception|Error|error|failed|must|cannot|not found).*") && !line.startsWith("at ")) {
        hint = line;
      }
    }
    if (hint == null) {
      for (int i = lines.length - 1; i >= 0 && hint == null; i--) {
        hint = lines[i].isBlank() ? null : lines[i].strip();
      }
    }
    if (hint == null) {
      return prefix;
    }
    return prefix + ": " + (hint.length() > 400 ? hint.substring(0, 400) + "..." : hint);
  }

  /** The number of job processes this runner watches. */
  public int watching() {
    return live.size();
  }

  /**
   * Stops scheduling. Running jobs keep running: the next server start adopts them (or records how they ended).
   */
  @Override
  public void close() {
    stopped = true;
    poke();
    if (loop != null) {
      try {
        loop.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

}
