package org.radlab.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.radlab.core.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab serve}: the control API on one port, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Start the control API: REST under /api (endpoint list at /api/docs), the job queue and its "
        + "runner, over the SQLite file radlab.db in the workspace.",
        "On the first start it creates an admin user and writes its token to the file admin-token in the "
            + "workspace (readable by you only); the token is never printed or logged."})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "7070", description = "Port to listen on (default ${DEFAULT-VALUE}; 0 = "
      + "any free port).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--home", paramLabel = "DIR", description = "Workspace (default $RADLAB_HOME or ./radlab-home).")
  Path home;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master for jobs (default "
      + "${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--max-jobs", defaultValue = "1", description = "Jobs running at once (default ${DEFAULT-VALUE}).")
  int maxJobs;

  @Option(names = "--max-body", defaultValue = "1048576", paramLabel = "BYTES",
      description = "Largest request body accepted (default ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(names = "--max-upload", defaultValue = "67108864", paramLabel = "BYTES",
      description = "Largest uploaded image (DICOM or PNG) to run a model on (default ${DEFAULT-VALUE}).")
  long maxUpload;

  @Option(names = "--min-training-labels", defaultValue = "100", paramLabel = "N",
      description = "Fewest labelled studies a training job accepts; also a challenge's default minimum of "
          + "annotations before a submission (default ${DEFAULT-VALUE}).")
  int minTrainingLabels;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark setting for every job (repeatable).")
  Map<String, String> conf = new LinkedHashMap<>();

  /** {@code java -cp ... org.radlab.api.ServeCommand [options]}: the same as {@code radlab serve}. */
  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new ServeCommand()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Path workspace = home != null ? home : Workspace.home();
    System.setProperty(Workspace.PROPERTY, workspace.toAbsolutePath().toString());
    ControlApi api = ControlApi.create(new ControlApi.Settings(workspace, host, port, master, maxJobs, maxBody,
        maxUpload, conf, minTrainingLabels, null));
    CountDownLatch stopped = new CountDownLatch(1);
    api.stopOnShutdown(a -> {
      System.out.println("RadLab control API stopped: requests drained, database closed; running jobs carry on and "
          + "are picked up by the next start.");
      System.out.flush();
      stopped.countDown();
    });
    api.start();
    System.out.printf("RadLab control API on http://%s:%d/api (endpoints: /api/docs), workspace %s%n", host,
        api.port(), api.settings().home());
    // The token itself never goes to the output, which is often a log file: only where to find it.
    api.firstAdminToken().ifPresent(token -> System.out.printf("%nAn admin API token was made (a new database, or no "
        + "admin token worked any more). It is in %s, readable by you only.%n%n", api.adminTokenFile()));
    System.out.flush();
    stopped.await();
    return 0;
  }
}
