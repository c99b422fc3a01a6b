package org.radlab.prep.pacs;

import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Callable;
import org.radlab.core.pacs.DimseClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code radlab receive}: a DICOM C-STORE receiver (a storage SCP, PixelMed's) that lands what a PACS or a modality
 * sends in an inbox folder that {@code radlab prep} reads, in the layout {@code radlab pull} writes.
 */
@Command(name = "receive", mixinStandardHelpOptions = true,
    description = {"Receive DICOM objects over the DICOM network protocol (C-STORE) into an inbox folder for "
        + "'radlab prep': for a PACS without DICOMweb, which sends studies to a DICOM node (a C-MOVE to it, or a "
        + "routing rule), or for a modality that sends directly. Runs until stopped (Ctrl-C).",
        "Each object lands as INBOX/<StudyInstanceUID>/<SOPInstanceUID>.dcm, whole: it is received under a hidden "
            + "folder and moved into place once complete, so prep never reads half a file. An object whose header "
            + "cannot be read lands in INBOX/unreadable/, for prep to reject with its reason. An instance already "
            + "in the inbox is kept, and the copy sent again dropped."},
    footer = {"", "Example (then tell the PACS about AE title RADLAB at this host, port 11112):",
        "  radlab receive --inbox /data/inbox --port 11112 --aet RADLAB",
        "  radlab prep --input /data/inbox --dataset radlab-home/datasets/inbox"})
public final class ReceiveCommand implements Callable<Integer> {
  /** The hidden folder inside the inbox where objects are received before they are moved into place. */
  public static final String STATE = ".radlab-receive";

  @Option(names = "--inbox", required = true, paramLabel = "DIR",
      description = "Where received objects go (created readable by you only).")
  Path inbox;

  @Option(names = "--port", defaultValue = "11112", paramLabel = "PORT",
      description = "TCP port to listen on, on every interface of this host (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--aet", defaultValue = "RADLAB", paramLabel = "AE",
      description = "This receiver's application entity title (default: ${DEFAULT-VALUE}).")
  String aet;

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be 1 to 65535, got " + port);
    }
    if (!aet.matches("[ -\\[\\]-~&&[^\\\\]]{1,16}") || aet.isBlank()) {
      throw new IllegalArgumentException("--aet must be 1 to 16 printable characters without a backslash, got '"
          + aet + "'");
    }
    Path root = inbox.toAbsolutePath().normalize();
    PullJob.createPrivately(root);
    Path incoming = Files.createDirectories(root.resolve(STATE).resolve("incoming"));
    Inbox box = new Inbox(root);
    StorageSOPClassSCPDispatcher dispatcher = new StorageSOPClassSCPDispatcher(port, aet, incoming.toFile(),
        new DimseClient.HiddenNames(), box); // never named by the sender's SOP Instance UID: it could be "../x"
    Thread server = new Thread(dispatcher, "c-store-scp");
    server.setDaemon(true);
    server.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!dispatcher.isReady() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (!dispatcher.isReady()) {
      throw new IOException("the C-STORE receiver did not start on port " + port);
    }
    System.err.printf("receive: listening as AE %s on port %d; objects go to %s%n", aet, port, root);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dispatcher.shutdown();
      System.err.printf("receive: stopped after %d objects (%d studies, %d unreadable)%n", box.stored.get(),
          box.studies.size(), box.unreadable.get());
      stopped.countDown();
    }));
    long reported = 0;
    while (true) { // until the JVM is told to stop; then the hook above reports
      Thread.sleep(2000);
      long now = box.stored.get() + box.unreadable.get() + box.repeated.get();
      if (now != reported) {
        System.err.printf("receive: %d objects in %d studies so far (%d unreadable, %d sent again)%n",
            box.stored.get(), box.studies.size(), box.unreadable.get(), box.repeated.get());
        reported = now;
      }
      if (stopped.getCount() == 0) {
        return 0;
      }
    }
  }

  /** Moves each received object from the hidden folder to its place in the inbox. */
  static final class Inbox extends ReceivedObjectHandler {
    private final Path root;
    final AtomicLong stored = new AtomicLong();
    final AtomicLong unreadable = new AtomicLong();
    final AtomicLong repeated = new AtomicLong();
    final Set<String> studies = ConcurrentHashMap.newKeySet();

    Inbox(Path root) {
      this.root = root;
    }

    @Override
    public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle)
        throws IOException {
      Path received = Path.of(fileName);
      String[] uids = org.radlab.core.pacs.InstanceUids.read(received);
      if (uids == null) {
        String name = received.getFileName().toString().replaceFirst("^\\.", "").replaceFirst("\\.dcm$", "");
        Path target = Files.createDirectories(root.resolve("unreadable")) // visible, for prep to reject
            .resolve(name + "-" + System.nanoTime() + ".dcm");
        Files.move(received, target, StandardCopyOption.ATOMIC_MOVE);
        unreadable.incrementAndGet();
        System.err.printf("receive: an object from AE %s has no readable header; kept as %s for prep to reject%n",
            callingAeTitle, root.relativize(target));
        return;
      }
      Path target = Files.createDirectories(root.resolve(uids[0])).resolve(uids[1] + ".dcm");
      if (Files.exists(target)) {
        Files.delete(received);
        repeated.incrementAndGet();
        return;
      }
      Files.move(received, target, StandardCopyOption.ATOMIC_MOVE);
      studies.add(uids[0]);
      stored.incrementAndGet();
    }
  }
}
