package org.radlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.radlab.api.ControlApi;
import org.radlab.cli.cluster.HomeOption;
import org.radlab.cli.demo.ChallengeDemo;
import org.radlab.cli.demo.DetectionDemo;
import org.radlab.cli.demo.SegmentationDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code radlab demo}: a breast-density challenge (or with {@code --task detection} a lesion-detection one, with
 * {@code --task segmentation} a liver-segmentation one on CT) from synthetic DICOM to a leaderboard, through the
 * control API.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run RadLab end to end on synthetic mammograms, through the control API: start the server, "
        + "synthesize a training pool and two hidden sets, prepare them (Spark prep jobs), create a breast-density "
        + "challenge, let two simulated participants annotate, train, evaluate and submit, print the leaderboard, "
        + "and keep the server running for you to explore.",
        "With --task detection, the same for lesion detection: mammograms with masses and calcification clusters, "
            + "reference boxes for the hidden sets, participants who draw boxes and train detectors, and a "
            + "leaderboard by mAP.",
        "With --task segmentation, a liver challenge on synthetic CT series with a liver and a lesion of known "
            + "volume: reference masks for the hidden sets, participants who outline the slices and train U-Nets, "
            + "a leaderboard by mean Dice, and each model's liver volumes against the reference (Bland-Altman).",
        "The server's workspace is RADLAB_HOME/demo, made afresh on each run; the synthetic DICOM files are kept "
            + "in RADLAB_HOME/demo-data and reused."})
public final class DemoCommand implements Callable<Integer> {
  private static final String MARKER = ".radlab-demo";
  /** The segmentation demo's CT: series in the pool, slices per series and their side in pixels. */
  private static final int SEGMENTATION_POOL = 24;
  private static final int SEGMENTATION_SLICES = 24;
  private static final int SEGMENTATION_SIZE = 96;

  @Option(names = "--studies", description = "Studies in the training pool; at least 100 (default: 104; "
      + "segmentation: 24 CT series, at least 4, participants outlining all but 4).")
  Integer studies;

  @Option(names = "--hidden-studies", description = "Studies in each hidden set (default: 24; segmentation: 4).")
  Integer hiddenStudies;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--epochs", description = "Training epochs (default: 5 for classification, 20 for detection, 12 "
      + "for segmentation).")
  Integer epochs;

  @Option(names = "--task", defaultValue = "classification", description = "classification (breast density), "
      + "detection (masses and calcification clusters) or segmentation (liver and lesion on CT) (default: "
      + "${DEFAULT-VALUE}).")
  String task;

  @Option(names = "--port", defaultValue = "7070", description = "The server's port; 0 for any free one "
      + "(default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master for the jobs (default: "
      + "${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--no-wait", description = "Stop the server after printing the leaderboard.")
  boolean noWait;

  @Option(names = "--pacs", description = "Start a PACS (Orthanc with DICOMweb, in a network namespace of its own: "
      + "needs root), store the synthetic studies in it and prepare the datasets from PACS queries; after the "
      + "challenge, deploy the leading model watching the PACS, and let new studies arrive that it predicts and "
      + "reports back as DICOM SRs. Classification only.")
  boolean pacs;

  @CommandLine.Mixin HomeOption home;

  @Override
  public Integer call() throws Exception {
    org.radlab.core.task.TaskType type = org.radlab.core.task.TaskType.parse(task);
    boolean detection = type == org.radlab.core.task.TaskType.DETECTION;
    boolean segmentation = type == org.radlab.core.task.TaskType.SEGMENTATION;
    int pool = studies != null ? studies : segmentation ? SEGMENTATION_POOL : 104;
    int hidden = hiddenStudies != null ? hiddenStudies : segmentation ? 4 : 24;
    if (segmentation && pool < 8) {
      throw new IllegalArgumentException("--studies must be at least 8 for segmentation: participants outline all "
          + "but 4 of the pool's series");
    } else if (!segmentation && pool < 100) {
      throw new IllegalArgumentException("--studies must be at least 100: participants annotate 100 studies");
    }
    if (pacs && (detection || segmentation)) {
      throw new IllegalArgumentException("--pacs runs the classification demo; leave out --task " + task);
    }
    if (hidden < 2) {
      throw new IllegalArgumentException("--hidden-studies must be at least 2");
    }
    int trainingEpochs = epochs != null ? epochs : detection ? 20 : segmentation ? 12 : 5;
    int annotations = segmentation ? pool - 4 : 100;
    Path ws = home.resolve();
    Path server = ws.resolve("demo");
    startOver(server);
    Files.createDirectories(server);
    Files.writeString(server.resolve(MARKER), "made by radlab demo; deleted by the next run\n");
    ControlApi.Settings settings = new ControlApi.Settings(server, "127.0.0.1", port, master, 1, 1L << 20,
        64L << 20, java.util.Map.of());
    ControlApi api = ControlApi.create(segmentation ? settings.withMinTrainingLabels(annotations) : settings).start();
    String admin = api.firstAdminToken().orElseThrow();
    org.radlab.cli.demo.DemoPacs site = null;
    try {
      if (pacs) {
        System.out.println("Starting the demo's PACS (bench/pacs-sim: Orthanc with DICOMweb)...");
        site = org.radlab.cli.demo.DemoPacs.start(NotebookCommand.projectRoot(), server);
      }
      System.out.printf("RadLab control API on http://127.0.0.1:%d/api (endpoints: /api/docs), workspace %s%n",
          api.port(), server);
      int ranked = detection
          ? new DetectionDemo(api.port(), admin, server, ws.resolve("demo-data"), System.out)
              .run(new DetectionDemo.Options(pool, hidden, seed, trainingEpochs, annotations)).size()
          : segmentation
          ? new SegmentationDemo(api.port(), admin, server, ws.resolve("demo-data"), System.out)
              .run(new SegmentationDemo.Options(pool, hidden, SEGMENTATION_SLICES, SEGMENTATION_SIZE, seed,
                  trainingEpochs, annotations)).size()
          : new ChallengeDemo(api.port(), admin, server, ws.resolve("demo-data"), System.out, site)
              .run(new ChallengeDemo.Options(pool, hidden, seed, trainingEpochs, annotations)).size();
      System.out.printf("%nDone: %d participants on the leaderboard.%n", ranked);
      // The admin token is not printed (terminal output is often kept in a log): it is in an owner-only file.
      System.out.printf("%nThe server keeps running. The admin API token is in %s (readable by you only).%n",
          api.adminTokenFile());
      System.out.printf("Open http://127.0.0.1:%d/challenge in a browser and sign in with that token, or try%n"
          + "  curl -H \"Authorization: Bearer $(cat %s)\" http://127.0.0.1:%d/api/challenges%n", api.port(),
          api.adminTokenFile(), api.port());
      if (site != null) {
        System.out.printf("The demo's PACS (Orthanc) answers at %s/app/explorer.html as user radlab, with the "
            + "password in %s; it stops with the server.%n", site.url(), server.resolve("pacs-sim/password"));
      }
      if (!noWait) {
        System.out.println("Stop it with Ctrl-C.");
        CountDownLatch stopped = new CountDownLatch(1);
        org.radlab.cli.demo.DemoPacs running = site;
        api.stopOnShutdown(a -> {
          if (running != null) {
            running.close();
          }
          stopped.countDown();
        });
        stopped.await();
        return 0;
      }
    } catch (Exception e) {
      if (site != null && !noWait) {
        site.close(); // the server stays up to look at; the PACS would outlive it
      }
      throw e;
    } finally {
      if (noWait) {
        api.stop();
        if (site != null) {
          site.close();
        }
      }
    }
    return 0;
  }

  /** Removes an earlier demo workspace, but only one the demo made (it carries the marker file). */
  private static void startOver(Path server) throws IOException {
    if (!Files.exists(server)) {
      return;
    }
    if (!Files.exists(server.resolve(MARKER))) {
      throw new IOException(server + " exists and was not made by radlab demo; move it away or choose another "
          + "--home");
    }
    System.out.println("Starting over: removing the previous demo workspace " + server);
    try (Stream<Path> files = Files.walk(server)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
