package org.radlab.core.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.FindSOPClassSCU;
import com.pixelmed.network.GetSOPClassSCU;
import com.pixelmed.network.IdentifierHandler;
import com.pixelmed.network.MoveSOPClassSCU;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.radlab.core.io.FileTrees;

/**
 * A DIMSE client for one DIMSE {@link PacsSource} (PixelMed's): a study-level C-FIND in the Study Root model to find
 * studies (the same keys as QIDO-RS, NumberOfStudyRelatedInstances asked for), and C-GET or C-MOVE to retrieve one.
 * C-GET brings the instances back on the same association; C-MOVE has the PACS send them to RadLab's AE title, where
 * a {@link MoveReceiver} (started by the pull) files them by study under {@code moved}. Errors name the source and
 * what went wrong: unreachable, association rejected (an AE title the PACS does not know), a failure status.
 */
public final class DimseClient implements PacsClient {
  /** The most studies one C-FIND may answer: far more than a site pulls at once, far less than memory. */
  static final int MAX_MATCHES = 1_000_000;
  private static final DateTimeFormatter DICOM_DATE = DateTimeFormatter.BASIC_ISO_DATE;
  private static final AtomicLong SEQUENCE = new AtomicLong();
  /** How PixelMed reports a C-MOVE's failure status. */
  private static final Pattern MOVE_FAILURE = Pattern.compile("C-MOVE reports failure status 0x([0-9a-fA-F]{1,4})");
  /**
   * How long an exchange may go without an answer or a received byte before it is given up: as long as a DICOMweb
   * request may take; the system property {@code radlab.dimse.idleSeconds} shortens it (tests).
   */
  static final java.time.Duration IDLE = java.time.Duration.ofSeconds(Long.getLong("radlab.dimse.idleSeconds", 600));
  private static final long WATCH_MILLIS = Math.min(1000, IDLE.toMillis());

  private final PacsSource source;
  private final PacsSource.Dimse node;
  private final Path moved;

  /** {@code moved}: where a {@link MoveReceiver} files what a C-MOVE brings (unused for C-GET; may be null then). */
  public DimseClient(PacsSource source, Path moved) {
    if (!source.isDimse()) {
      throw new IllegalArgumentException(source + " is a DICOMweb source, not a DIMSE one");
    }
    this.source = source;
    this.node = source.dimse();
    this.moved = moved;
  }

  @Override
  public List<StudyMatch> studies(StudyQuery query) throws IOException {
    AttributeList keys = new AttributeList();
    try {
      put(keys, TagFromName.QueryRetrieveLevel, "STUDY");
      put(keys, TagFromName.StudyInstanceUID, query.studyUid());
      put(keys, TagFromName.ModalitiesInStudy, query.modality());
      put(keys, TagFromName.StudyDate, query.from() == null && query.to() == null ? null
          : (query.from() == null ? "" : query.from().format(DICOM_DATE)) + "-"
              + (query.to() == null ? "" : query.to().format(DICOM_DATE)));
      put(keys, TagFromName.StudyDescription, query.description());
      put(keys, TagFromName.AccessionNumber, query.accessionNumber());
      put(keys, TagFromName.NumberOfStudyRelatedInstances, null);
    } catch (DicomException e) {
      throw new IllegalArgumentException("cannot build the C-FIND keys of " + query + ": " + e.getMessage());
    }
    Map<String, StudyMatch> found = new LinkedHashMap<>();
    AtomicLong answers = new AtomicLong();
    IdentifierHandler collect = new IdentifierHandler() {
      @Override
      public void doSomethingWithIdentifier(AttributeList answer) {
        answers.incrementAndGet();
        if (found.size() >= MAX_MATCHES) {
          return;
        }
        String uid = Attribute.getSingleStringValueOrNull(answer, TagFromName.StudyInstanceUID);
        String count = Attribute.getSingleStringValueOrEmptyString(answer, TagFromName.NumberOfStudyRelatedInstances)
            .strip();
        found.putIfAbsent(String.valueOf(uid), new StudyMatch(uid, count.matches("\\d{1,9}")
            ? Integer.parseInt(count) : -1));
      }
    };
    call("C-FIND " + query, () -> new FindSOPClassSCU(node.host(), node.port(), node.aet(), node.callingAet(),
        SOPClass.StudyRootQueryRetrieveInformationModelFind, keys, collect), answers::get);
    if (found.size() >= MAX_MATCHES) {
      throw new IOException(source + " answered C-FIND " + query + " with " + MAX_MATCHES + " studies or more:"
          + " narrow the query (dates, modality)");
    }
    return new ArrayList<>(found.values());
  }

  @Override
  public List<Path> retrieveTo(String studyUid, Path dir) throws IOException {
    if (!DicomWebClient.isUid(studyUid)) {
      throw new IllegalArgumentException("not a DICOM UID: '" + studyUid + "'");
    }
    Files.createDirectories(dir);
    return node.retrieve() == PacsSource.Retrieve.GET ? get(studyUid, dir) : move(studyUid, dir);
  }

  /** A C-ECHO: returns when the node answers RadLab's AE title; throws with the reason otherwise. */
  public void echo() throws IOException {
    AtomicLong none = new AtomicLong();
    call("C-ECHO", () -> new com.pixelmed.network.VerificationSOPClassSCU(node.host(), node.port(), node.aet(),
        node.callingAet(), false, 0), none::get);
  }

  /**
   * The named attributes (DICOM keywords) of one study as the PACS holds them, from a study-level C-FIND (keyword to
   * value; an attribute the PACS leaves out is absent), or null when the PACS does not have the study.
   */
  @Override
  public Map<String, String> studyAttributes(String studyUid, List<String> keywords) throws IOException {
    if (!DicomWebClient.isUid(studyUid)) {
      throw new IllegalArgumentException("not a DICOM UID: '" + studyUid + "'");
    }
    AttributeList keys = studyKeys(studyUid);
    Map<String, AttributeTag> tags = new LinkedHashMap<>();
    for (String keyword : keywords) {
      AttributeTag tag = com.pixelmed.dicom.DicomDictionary.StandardDictionary.getTagFromName(keyword);
      if (tag == null) {
        throw new IllegalArgumentException("not a DICOM keyword: '" + keyword + "'");
      }
      tags.put(keyword, tag);
      if (keys.get(tag) == null) {
        try {
          put(keys, tag, null);
        } catch (DicomException e) {
          throw new IllegalArgumentException("cannot ask for " + keyword + ": " + e.getMessage());
        }
      }
    }
    List<Map<String, String>> found = new ArrayList<>();
    AtomicLong answers = new AtomicLong();
    IdentifierHandler collect = new IdentifierHandler() {
      @Override
      public void doSomethingWithIdentifier(AttributeList answer) {
        answers.incrementAndGet();
        if (!found.isEmpty() || !studyUid.equals(Attribute.getSingleStringValueOrNull(answer,
            TagFromName.StudyInstanceUID))) {
          return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        tags.forEach((keyword, tag) -> {
          String v = Attribute.getSingleStringValueOrNull(answer, tag);
          if (v != null && !v.isBlank()) {
            values.put(keyword, v.strip());
          }
        });
        found.add(values);
      }
    };
    call("C-FIND of study " + studyUid, () -> new FindSOPClassSCU(node.host(), node.port(), node.aet(),
        node.callingAet(), SOPClass.StudyRootQueryRetrieveInformationModelFind, keys, collect), answers::get);
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * Stores DICOM objects on the PACS with C-STORE (one association); throws, naming the objects, when the PACS
   * reports any as failed.
   */
  @Override
  public void store(List<byte[]> objects) throws IOException {
    Path dir = Files.createTempDirectory("radlab-c-store");
    try {
      com.pixelmed.dicom.SetOfDicomFiles files = new com.pixelmed.dicom.SetOfDicomFiles();
      for (int i = 0; i < objects.size(); i++) {
        Path f = dir.resolve(i + ".dcm");
        Files.write(f, objects.get(i));
        files.add(f.toString());
      }
      AtomicLong progress = new AtomicLong();
      List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
      int[] failures = new int[1];
      com.pixelmed.network.MultipleInstanceTransferStatusHandler status =
          new com.pixelmed.network.MultipleInstanceTransferStatusHandler() {
            @Override
            public void updateStatus(int remaining, int completed, int failedSoFar, int warnings, String sopUid) {
              progress.incrementAndGet();
              if (failedSoFar > failures[0]) {
                failures[0] = failedSoFar;
                failed.add(sopUid);
              }
            }
          };
      call("C-STORE of " + objects.size() + " objects", () -> new com.pixelmed.network.StorageSOPClassSCU(
          node.host(), node.port(), node.aet(), node.callingAet(), files, 0, status), progress::get);
      if (!failed.isEmpty() || progress.get() < objects.size()) {
        throw new IOException(source + " did not store " + (failed.isEmpty() ? (objects.size() - progress.get())
            + " of " + objects.size() + " objects" : failed));
      }
    } finally {
      FileTrees.delete(dir);
    }
  }

  /** C-GET: the instances come back on this association, into a hidden folder, then become {@code .part-} files. */
  private List<Path> get(String studyUid, Path dir) throws IOException {
    Set<String> classes = sopClasses(studyUid);
    if (classes.isEmpty()) {
      return List.of(); // the PACS holds no instance of the study (any more)
    }
    // One presentation context per SOP class and transfer syntax, so the PACS can send each instance as it holds it
    // (no transcoding); fewer transfer syntaxes when the study has many SOP classes (at most 128 contexts).
    int perContext = classes.size() * 21 + 1 <= 127 ? 4 : classes.size() * 10 + 1 <= 127 ? 3 : -1;
    Path incoming = dir.resolve(".part-incoming");
    FileTrees.delete(incoming);
    Files.createDirectories(incoming);
    try {
      AttributeList keys = studyKeys(studyUid);
      call("C-GET of study " + studyUid, () -> new GetSOPClassSCU(node.host(), node.port(), node.aet(),
          node.callingAet(), SOPClass.StudyRootQueryRetrieveInformationModelGet, keys, new IdentifierHandler(),
          incoming.toFile(), new HiddenNames(), null, classes, perContext < 0 ? 3 : perContext, perContext < 0,
          perContext >= 0, false), () -> bytesIn(incoming));
      return takeParts(incoming, dir);
    } finally {
      FileTrees.delete(incoming);
    }
  }

  /** C-MOVE to RadLab's own AE title: the {@link MoveReceiver} files what comes under {@code moved/<study>}. */
  private List<Path> move(String studyUid, Path dir) throws IOException {
    if (moved == null) {
      throw new IllegalStateException("a C-MOVE pull needs its receiver's folder");
    }
    Path arrived = moved.resolve(studyUid);
    FileTrees.delete(arrived); // what an earlier, stopped pull left
    AttributeList keys = studyKeys(studyUid);
    MoveSOPClassSCU[] scu = new MoveSOPClassSCU[1];
    call("C-MOVE of study " + studyUid + " to AE " + node.callingAet(), () -> scu[0] = new MoveSOPClassSCU(
        node.host(), node.port(), node.aet(), node.callingAet(), node.callingAet(),
        SOPClass.StudyRootQueryRetrieveInformationModelMove, keys),
        () -> bytesIn(arrived) + bytesIn(moved.resolve(MoveReceiver.INCOMING)));
    int status = scu[0].getStatus() & 0xFFFF;
    if (status != 0) {
      FileTrees.delete(arrived);
      throw new IOException(source + " ended the C-MOVE of study " + studyUid + " with status 0x"
          + Integer.toHexString(status) + moveStatus(status));
    }
    if (!Files.isDirectory(arrived)) {
      return List.of();
    }
    try {
      return takeParts(arrived, dir);
    } finally {
      FileTrees.delete(arrived);
    }
  }

  /** What a C-MOVE's failure status means for the site. */
  private String moveStatus(int status) {
    String where = "AE " + node.callingAet() + " at this host and port " + node.receivePort();
    if (status == 0xA801) {
      return " (move destination unknown: register " + where + " on the PACS)";
    }
    return " (the PACS could not send the study: check that it knows " + where + " and can reach that port, e.g."
        + " through a firewall; its log says more)";
  }

  /** The study's SOP classes, from an instance-level C-FIND (the PACS answers one identifier per instance). */
  Set<String> sopClasses(String studyUid) throws IOException {
    AttributeList keys = new AttributeList();
    try {
      put(keys, TagFromName.QueryRetrieveLevel, "IMAGE");
      put(keys, TagFromName.StudyInstanceUID, studyUid);
      put(keys, TagFromName.SeriesInstanceUID, null);
      put(keys, TagFromName.SOPInstanceUID, null);
      put(keys, TagFromName.SOPClassUID, null);
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
    Set<String> classes = new LinkedHashSet<>();
    AtomicLong answers = new AtomicLong();
    IdentifierHandler collect = new IdentifierHandler() {
      @Override
      public void doSomethingWithIdentifier(AttributeList answer) {
        answers.incrementAndGet();
        String c = Attribute.getSingleStringValueOrEmptyString(answer, TagFromName.SOPClassUID).strip();
        if (DicomWebClient.isUid(c) && classes.size() < 100) {
          classes.add(c);
        }
      }
    };
    call("C-FIND of the instances of study " + studyUid, () -> new FindSOPClassSCU(node.host(), node.port(),
        node.aet(), node.callingAet(), SOPClass.StudyRootQueryRetrieveInformationModelFind, keys, collect),
        answers::get);
    return classes;
  }

  /** The bytes of the files in {@code dir} (0 when it is not there): what a retrieve has received so far. */
  private static long bytesIn(Path dir) {
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        total += f.toFile().length() + 1; // + 1: a file that appeared counts even when still empty
      }
    } catch (IOException e) {
      return -1;
    }
    return total;
  }

  private static AttributeList studyKeys(String studyUid) {
    AttributeList keys = new AttributeList();
    try {
      put(keys, TagFromName.QueryRetrieveLevel, "STUDY");
      put(keys, TagFromName.StudyInstanceUID, studyUid);
    } catch (DicomException e) {
      throw new IllegalStateException(e);
    }
    return keys;
  }

  /** Renames every file in {@code from} (received, in order of arrival) to a new {@code .part-} file in {@code dir}. */
  private static List<Path> takeParts(Path from, Path dir) throws IOException {
    List<Path> received;
    try (Stream<Path> files = Files.list(from)) {
      received = files.filter(f -> f.getFileName().toString().startsWith(HiddenNames.PREFIX))
          .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
    }
    List<Path> parts = new ArrayList<>();
    for (Path f : received) {
      Path part = dir.resolve(String.format(".part-%06d.tmp", parts.size()));
      Files.move(f, part, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      parts.add(part);
    }
    return parts;
  }

  private static void put(AttributeList keys, AttributeTag tag, String value) throws DicomException {
    Attribute a = keys.putNewAttribute(tag);
    if (value != null) {
      a.addValue(value);
    }
  }

  private interface Exchange {
    void run() throws Exception;
  }

  /**
   * Runs one DIMSE exchange; turns what PixelMed throws into a message that names the source and the cause. PixelMed's
   * sockets have no timeout, so the exchange runs in a thread of its own, watched: when {@code progress} (answers,
   * bytes received) has not moved for {@link #IDLE}, the exchange is given up (its thread, blocked on the socket, is
   * left to the JVM's end).
   */
  private void call(String what, Exchange exchange, java.util.function.LongSupplier progress) throws IOException {
    Exception[] failed = new Exception[1];
    Thread worker = new Thread(() -> {
      try {
        exchange.run();
      } catch (Exception e) {
        failed[0] = e;
      }
    }, "dimse-" + node.aet());
    worker.setDaemon(true);
    worker.start();
    long last = progress.getAsLong();
    long moved = System.nanoTime();
    try {
      while (worker.isAlive()) {
        worker.join(WATCH_MILLIS);
        long now = progress.getAsLong();
        if (now != last) {
          last = now;
          moved = System.nanoTime();
        } else if (worker.isAlive() && System.nanoTime() - moved > IDLE.toNanos()) {
          worker.interrupt();
          throw new IOException(source + " stopped answering (" + what + "): nothing came for " + IDLE.toSeconds()
              + " s");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + source + " (" + what + ")");
    }
    if (failed[0] != null) {
      throw explained(what, failed[0]);
    }
  }

  /** What went wrong in an exchange, in words a site admin can act on. */
  private IOException explained(String what, Exception e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null && all.length() < 4000; t = t.getCause()) {
      all.append(t).append(' ');
    }
    String m = all.toString();
    if (m.contains("ConnectException") || m.contains("NoRouteToHostException")) {
      return new IOException("cannot reach " + source + ": connection refused or no route (" + what + ")");
    }
    if (m.contains("UnknownHostException")) {
      return new IOException("cannot reach " + source + ": unknown host '" + node.host() + "' (" + what + ")");
    }
    if (m.contains("SocketTimeoutException")) {
      return new IOException(source + " did not answer in time (" + what + ")");
    }
    if (m.contains("A-ASSOCIATE-RJ")) {
      return new IOException(source + " rejected the association (" + what + "): check that its AE title is '"
          + node.aet() + "' and that it knows RadLab's AE title '" + node.callingAet() + "' ["
          + e.getMessage() + "]");
    }
    if (m.contains("A-ABORT")) {
      return new IOException(source + " aborted the association (" + what + "): most PACS do that to an AE title"
          + " they do not allow to query or retrieve; register RadLab's AE title '" + node.callingAet() + "' on"
          + " the PACS (docs/pacs.md) [" + e.getMessage() + "]");
    }
    Matcher status = MOVE_FAILURE.matcher(m);
    if (status.find()) {
      return new IOException(source + " failed " + what + ": " + e.getMessage()
          + moveStatus(Integer.parseInt(status.group(1), 16)));
    }
    return new IOException(source + " failed " + what + ": " + e.getMessage());
  }

  /**
   * Names every received object by a counter, never by the SOP Instance UID the PACS's C-STORE request carries: that
   * is untrusted and might name a path ({@code ../../x}). The header is read later, when the file is named.
   */
  public static final class HiddenNames extends StoredFilePathStrategy {
    static final String PREFIX = ".obj-";

    @Override
    public String makeStoredFilePath(String sopInstanceUid) {
      return String.format("%s%d-%012d.dcm", PREFIX, ProcessHandle.current().pid(), SEQUENCE.incrementAndGet());
    }

    @Override
    public File makeStoredFilePath(File folder, String sopInstanceUid) {
      return new File(folder, makeStoredFilePath(sopInstanceUid));
    }

    @Override
    public File makeReliableStoredFilePathWithFoldersCreated(File folder, String sopInstanceUid) {
      folder.mkdirs();
      return makeStoredFilePath(folder, sopInstanceUid);
    }

    @Override
    public File makeReliableStoredFilePathWithFoldersCreated(File folder, String sopInstanceUid, String subfolder) {
      return makeReliableStoredFilePathWithFoldersCreated(folder, sopInstanceUid);
    }

    @Override
    public File makeAlternativeStoredFilePath(File folder, String sopInstanceUid, String subfolder) {
      return makeStoredFilePath(folder, sopInstanceUid);
    }
  }
}
