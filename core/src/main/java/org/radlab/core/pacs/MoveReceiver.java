package org.radlab.core.pacs;

import com.pixelmed.network.AnyExplicitStorePresentationContextSelectionPolicy;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import org.radlab.core.io.FileTrees;

/**
 * Where a C-MOVE pull's studies arrive: a storage SCP (PixelMed's) listening, while the pull runs, as RadLab's AE
 * title on the source's {@code receivePort}, which the PACS knows as the move destination. Each object is received
 * under a hidden name, then filed by the StudyInstanceUID its header holds into {@code moved/<study>/}, where the task
 * that asked for the study takes it. An object whose header cannot be read goes to {@code unreadable/}, for prep to
 * reject with its reason. Nothing the sender says names a file.
 */
public final class MoveReceiver implements AutoCloseable {
  /** The hidden folder inside {@code moved} where objects are received before they are filed by study. */
  static final String INCOMING = ".incoming";
  private final StorageSOPClassSCPDispatcher dispatcher;
  private final Path moved;
  private final Filing filing;

  private MoveReceiver(StorageSOPClassSCPDispatcher dispatcher, Path moved, Filing filing) {
    this.dispatcher = dispatcher;
    this.moved = moved;
    this.filing = filing;
  }

  /** Starts listening for {@code source}'s C-MOVEs; objects are filed under {@code moved}. */
  public static MoveReceiver start(PacsSource source, Path moved, Path unreadable, PrintStream log)
      throws IOException {
    PacsSource.Dimse node = source.dimse();
    int port = node.receivePort();
    try (ServerSocket probe = new ServerSocket(port)) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new IOException("cannot listen on port " + port + " for the studies " + source + " sends by C-MOVE: "
          + e.getMessage() + " (another pull or receiver may be running)");
    }
    FileTrees.delete(moved);
    Path incoming = Files.createDirectories(moved.resolve(INCOMING));
    Filing filing = new Filing(moved, unreadable, log);
    StorageSOPClassSCPDispatcher dispatcher = new StorageSOPClassSCPDispatcher(port, node.callingAet(),
        incoming.toFile(), new DimseClient.HiddenNames(), filing, null, null, null,
        // accept what the PACS offers as it holds it (compressed too), rather than have it decompress
        new AnyExplicitStorePresentationContextSelectionPolicy(), false);
    Thread server = new Thread(dispatcher, "c-move-receiver");
    server.setDaemon(true);
    server.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!dispatcher.isReady() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!dispatcher.isReady()) {
      dispatcher.shutdown();
      throw new IOException("the C-MOVE receiver did not start on port " + port);
    }
    log.printf("pull: listening as AE %s on port %d for what %s sends%n", node.callingAet(), port, source);
    return new MoveReceiver(dispatcher, moved, filing);
  }

  /** Objects received so far. */
  public long received() {
    return filing.received.get();
  }

  /** Stops listening and removes what no task took (objects of studies nobody asked for). */
  @Override
  public void close() throws IOException {
    dispatcher.shutdown();
    FileTrees.delete(moved);
  }

  /** Files each received object by its study. */
  private static final class Filing extends ReceivedObjectHandler {
    private final Path moved;
    private final Path unreadable;
    private final PrintStream log;
    final AtomicLong received = new AtomicLong();

    Filing(Path moved, Path unreadable, PrintStream log) {
      this.moved = moved;
      this.unreadable = unreadable;
      this.log = log;
    }

    @Override
    public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle)
        throws IOException {
      Path file = Path.of(fileName);
      String[] uids = InstanceUids.read(file);
      received.incrementAndGet();
      if (uids == null) {
        Path target = Files.createDirectories(unreadable).resolve(file.getFileName().toString().substring(1));
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        log.printf("pull: an object from AE %s has no readable header; kept as %s for prep to reject%n",
            callingAeTitle, target);
        return;
      }
      Path study = Files.createDirectories(moved.resolve(uids[0]));
      Files.move(file, study.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
