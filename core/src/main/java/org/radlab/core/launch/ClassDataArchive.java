package org.radlab.core.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.radlab.core.Workspace;

/**
 * A class-data archive (the JDK's dynamic AppCDS archive) for the Spark drivers RadLab starts, so that a job's JVM maps
 * the classes it needs, already parsed and verified, instead of loading them from jars.
 *
 * <p>A Spark driver loads about 15,000 classes before it does any work; on a small job that is most of its cost.
 * With the archive, a local Spark job took half the CPU time to start and finish (10 s to 5 s for a tiny job, see
 * docs/benchmarks.md). The archive is only valid for the class path it was made with, file for file (the JDK checks
 * each jar's size and modification time), and for the same JDK: it is named by a fingerprint of both, so a new
 * build or JDK gets a new archive, and a JVM given an archive that no longer matches runs without it, as before.
 *
 * <p>The first launch with a class path finds no archive: it runs as before, and starts a separate warm-up driver
 * ({@value #WARMUP_CLASS}, a small local Spark job) with {@code -XX:ArchiveClassesAtExit} in the background. That
 * process's shell moves the archive into place only when the warm-up ended well, so a half-written archive is never
 * used; a failed warm-up leaves a {@code .failed} marker and its log, and that class path is not tried again. Only
 * class paths made of files can be archived (the JDK refuses class directories): launchers pass directories packed as
 * jars ({@link #packed}).
 *
 * <p>Where: the directory given by {@value #VARIABLE} if set ({@code off} turns archives off), else the workspace's
 * {@code cache/class-data}. The newest {@value #KEEP} archives are kept; each is about 170 MB.
 */
public final class ClassDataArchive {
  /** The environment variable naming the archives' directory, or {@code off}. */
  public static final String VARIABLE = "RADLAB_CLASS_DATA";
  /** The warm-up job whose loaded classes make the archive (in radlab-spark-support). */
  public static final String WARMUP_CLASS = "org.radlab.spark.ClassDataWarmup";
  /** How many archives the directory keeps. */
  static final int KEEP = 4;
  /** A warm-up that has not finished after this long is taken for dead, and another may start. */
  private static final Duration STALE = Duration.ofMinutes(20);
  /**
   * Moves the archive into place only after a warm-up that ended well, marks a failure otherwise, then removes the
   * marker and the warm-up's scratch folder ({@code $WORK}).
   */
  private static final String WRAPPER = "partial=$1; archive=$2; making=$3; failed=$4; shift 4; "
      + "if \"$@\" && [ -s \"$partial\" ]; then mv -f -- \"$partial\" \"$archive\"; else touch -- \"$failed\"; fi; "
      + "rm -f -- \"$partial\" \"$making\"; rm -rf -- \"$WORK\"";

  private final Path dir;

  private ClassDataArchive(Path dir) {
    this.dir = dir;
  }

  /**
   * The archives of a workspace: in {@value #VARIABLE}'s directory if set, else in {@code workspaceCache/class-data};
   * empty when {@value #VARIABLE} is {@code off}.
   */
  public static Optional<ClassDataArchive> of(Path workspaceCache) {
    return of(workspaceCache, System.getenv());
  }

  static Optional<ClassDataArchive> of(Path workspaceCache, Map<String, String> env) {
    String chosen = env.get(VARIABLE);
    if (chosen != null && chosen.equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    Path dir = chosen == null || chosen.isBlank() ? workspaceCache.resolve("class-data") : Path.of(chosen);
    return Optional.of(new ClassDataArchive(dir.toAbsolutePath().normalize()));
  }

  /** A Spark JVM's class path (class folders packed as jars when archives are on) and the options that map its archive. */
  public record Launch(List<Path> classpath, List<String> jvmOptions) {}

  /**
   * How to start a Spark JVM with {@code classpath} under a workspace's cache: with archives off, the class path as it
   * is and no options; otherwise the class path {@link #packed} and its archive's {@link #options} (which start the
   * archive's warm-up when there is none yet).
   */
  public static Launch launch(List<Path> classpath, Path workspaceCache) throws IOException {
    Optional<ClassDataArchive> archive = of(workspaceCache);
    if (archive.isEmpty()) {
      return new Launch(classpath, List.of());
    }
    List<Path> packed = archive.get().packed(classpath);
    return new Launch(packed, archive.get().options(packed));
  }

  /**
   * For launcher scripts ({@code bin/radlab}), run with the class path they are about to start a Spark JVM with:
   * prints that class path as the drivers the control API starts get it ({@link SparkClasspath#ofRunningJvm}, so both
   * share one archive), then, one per line, the options that map its archive in the current workspace's archives, and
   * starts the warm-up when there is none yet (the warm-up outlives this process). Archives off or unavailable: the
   * class path alone.
   */
  public static void main(String[] args) {
    List<Path> classpath = SparkClasspath.ofRunningJvm();
    try {
      Launch launch = launch(classpath, new Workspace(Workspace.home().toAbsolutePath()).cache());
      System.out.println(SparkClasspath.join(launch.classpath()));
      launch.jvmOptions().forEach(System.out::println);
    } catch (IOException | RuntimeException e) {
      System.out.println(SparkClasspath.join(classpath));
      System.err.println("radlab: no class-data archive (" + e.getMessage() + ")");
    }
  }

  /** The directory the archives are in. */
  public Path dir() {
    return dir;
  }

  /**
   * {@code classpath} with its class directories packed as jars in this directory's {@code jars} (packed again only
   * when they change: {@link DirectoryJar#packed}), so that it can have an archive.
   */
  public List<Path> packed(List<Path> classpath) throws IOException {
    return SparkClasspath.asJars(classpath, dir.resolve("jars"));
  }

  /** The archive file for this class path (whether it exists or not); empty if the class path cannot have one. */
  public Optional<Path> file(List<Path> classpath) {
    return key(classpath).map(k -> dir.resolve(k + ".jsa"));
  }

  /**
   * The JVM options that map this class path's archive if it is ready, else none; in that case (unless the archive is
   * being made or failed before) a warm-up that makes it starts in the background.
   */
  public List<String> options(List<Path> classpath) {
    Optional<String> key = key(classpath);
    if (key.isEmpty()) {
      return List.of();
    }
    Path archive = dir.resolve(key.get() + ".jsa");
    if (Files.isRegularFile(archive)) {
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }
    try {
      startWarmup(key.get(), classpath);
    } catch (IOException | RuntimeException e) {
      // an archive only makes a job start faster; a job never fails for the lack of one
    }
    return List.of();
  }

  /**
   * The fingerprint naming a class path's archive: SHA-256 over the JDK and every entry's path, size and modification
   * time. Empty when an entry is not a regular file (a class directory, or missing): the JDK archives jars only.
   */
  Optional<String> key(List<Path> classpath) {
    if (classpath.isEmpty() || !classpath.stream().allMatch(Files::isRegularFile)) {
      return Optional.empty();
    }
    try {
      return Optional.of(FileStamps.fingerprint(System.getProperty("java.home") + "\n"
          + System.getProperty("java.vm.version") + "\n", classpath, entry -> entry.toAbsolutePath().toString(), 24));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void startWarmup(String key, List<Path> classpath) throws IOException {
    Path failed = dir.resolve(key + ".failed");
    if (Files.exists(failed)) {
      return;
    }
    Optional<Path> appJar = SparkClasspath.entryContaining(WARMUP_CLASS, classpath);
    if (appJar.isEmpty()) {
      return;
    }
    Files.createDirectories(dir);
    Path making = dir.resolve(key + ".making");
    if (!claim(making)) {
      return;
    }
    Path partial = dir.resolve(key + ".jsa.partial");
    Path work = Files.createTempDirectory(dir, key + "-warmup-");
    SubmitRequest request = SubmitRequest.of("local[1]", WARMUP_CLASS, appJar.get())
        .withConf(Map.of("spark.ui.enabled", "false", "spark.ui.showConsoleProgress", "false"))
        .withAppArgs(List.of(work.toString()));
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "warmup",
        partial.toString(), dir.resolve(key + ".jsa").toString(), making.toString(), failed.toString()));
    command.addAll(SparkSubmitProcess.command(request, classpath,
        List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off")));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(key + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("WORK", work.toString());
    SparkSubmitProcess.environment(request, builder.environment());
    Process warmup;
    try {
      warmup = builder.start();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(making);
      throw e;
    }
    Files.writeString(making, Long.toString(warmup.pid()));
    prune();
  }

  /**
   * Creates the marker that this process makes the archive (it then holds the warm-up's process id); false if another
   * warm-up runs. A marker whose warm-up is gone (killed before its shell could clean up), or older than {@link
   * #STALE}, is taken over.
   */
  private static boolean claim(Path making) throws IOException {
    try {
      Files.createFile(making);
      return true;
    } catch (FileAlreadyExistsException e) {
      Instant since = Files.getLastModifiedTime(making).toInstant();
      String pid = Files.readString(making).trim();
      boolean running = pid.isEmpty()
          ? Duration.between(since, Instant.now()).compareTo(Duration.ofMinutes(1)) < 0
          : pid.matches("[0-9]{1,10}") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
      if (running && Duration.between(since, Instant.now()).compareTo(STALE) < 0) {
        return false;
      }
      Files.deleteIfExists(making);
      return claim(making);
    }
  }

  /** Keeps the newest {@link #KEEP} archives. */
  private void prune() throws IOException {
    List<Path> archives;
    try (Stream<Path> files = Files.list(dir)) {
      archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted(Comparator
          .comparing((Path f) -> {
            try {
              return Files.getLastModifiedTime(f).toMillis();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }).reversed()).toList();
    }
    for (Path old : archives.subList(Math.min(KEEP, archives.size()), archives.size())) {
      Files.deleteIfExists(old); // a JVM that mapped it keeps its mapping
    }
  }
}
