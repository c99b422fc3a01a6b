package org.radlab.prep.synth;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.io.FileTrees;

/**
 * Writes synthetic screening mammograms as real DICOM Part 10 files (Digital Mammography X-Ray Image Storage - For
 * Presentation), with reference density labels, for demos, tests and benchmarks. Plain Java: no Spark.
 *
 * <h2>Output</h2>
 * <pre>
 * OUT/labels.csv                                      StudyInstanceUID,PatientID,StudyDate,density,density_reader2
 * OUT/&lt;PatientID&gt;/&lt;StudyDate&gt;_&lt;AccessionNumber&gt;/L_CC.dcm   also L_MLO.dcm, R_CC.dcm, R_MLO.dcm
 * OUT/.radlab-synth                                   marker: this directory was written by the synthesizer
 * OUT/boxes.csv, OUT/_masks/&lt;SOPInstanceUID&gt;.png      with --lesions: the lesions' ground truth ({@link Lesions})
 * </pre>
 * labels.csv is written last, so its presence means the run completed.
 *
 * <h2>Content</h2>
 * Four views per study (L/R, CC/MLO) in standard hanging: the left breast's chest wall on the image's left edge, the
 * right breast's on the right edge. About 30 % of patients have a second study one to two years after the first;
 * dates run from 2019 to 2024. Each study has a BI-RADS density class drawn at about 10/40/40/10 %; the share of the
 * breast drawn as bright fibroglandular tissue grows with the class, with overlap between neighbouring classes (see
 * {@link BiRadsDensity}, {@link BreastPhantom}). A second, noisier reader agrees on about 82 % of studies and
 * otherwise names a neighbouring class. Units of two fictitious manufacturers use different pixel conventions (see
 * {@link DeviceProfile}): MONOCHROME1 at 12 or 13 bits with padding and linear windows, or MONOCHROME2 at 14 bits
 * with rescale attributes and a sigmoid VOI function.
 *
 * <h2>Transfer syntaxes</h2>
 * In a mixed run a share of files ({@link SynthConfig#compressedShare()}) is compressed: half lossless JPEG
 * (1.2.840.10008.1.2.4.70), a quarter RLE, a quarter deflated explicit little endian; the rest is explicit (70 %)
 * or implicit (30 %) little endian. PixelMed writes the uncompressed and deflated files. PixelMed cannot encode
 * lossless JPEG, RLE or JPEG-LS, so for those the file is written as explicit little endian and transcoded by the
 * dcmtk tools {@code dcmcjpeg}, {@code dcmcrle} or {@code dcmcjpls} (Debian package {@code dcmtk}) in a child
 * process; a missing tool or a non-zero exit code fails the run with an {@link IOException} that names the tool.
 *
 * <h2>Determinism</h2>
 * Equal configurations (apart from threads and overwrite) give byte-identical output. Nothing reads the clock or a
 * system random source: UIDs are 2.25 UIDs hashed from the seed, size and index, every patient, study and view draws
 * from its own {@link SplittableRandom} seeded from the run seed, and float arithmetic avoids platform-dependent
 * functions. Studies are rendered in parallel on {@link SynthConfig#effectiveThreads()} threads; the result does not
 * depend on their scheduling.
 */
public final class SyntheticMammography {
  public static final String LABELS_FILE = "labels.csv";
  public static final String LABELS_HEADER = "StudyInstanceUID,PatientID,StudyDate,density,density_reader2";
  static final String MARKER_FILE = ".radlab-synth";
  /** With lesions: their boxes ({@link org.radlab.core.dataset.BoxTable}'s format, images by SOPInstanceUID). */
  public static final String BOXES_FILE = "boxes.csv";
  /** With lesions: one 8-bit PNG mask per image; the leading _ keeps prep out of it. */
  public static final String MASKS_DIR = "_masks";
  private static final String SOURCE_AE_TITLE = "RADLAB_SYNTH";

  /** Told after each study is written; called from worker threads. */
  @FunctionalInterface
  public interface Progress {
    void studyWritten(int done, int total);
  }

  private SyntheticMammography() {}

  /** Writes the studies {@code cfg} describes; see the class comment. */
  public static SynthResult generate(SynthConfig cfg) throws IOException {
    return generate(cfg, (done, total) -> { });
  }

  /**
   * Writes the studies {@code cfg} describes, reporting each finished study to {@code progress}.
   *
   * @throws IOException when a dcmtk tool the run needs is missing (checked before anything is written), the
   *                     output directory cannot be used (not empty and not an earlier synthesizer output, or a
   *                     complete earlier output without {@link SynthConfig#overwrite()}), a file cannot be
   *                     written, or a dcmtk tool fails
   */
  public static SynthResult generate(SynthConfig cfg, Progress progress) throws IOException {
    List<PlannedStudy> plan = StudyPlanner.plan(cfg);
    Set<SynthTransferSyntax> syntaxes = EnumSet.noneOf(SynthTransferSyntax.class);
    for (PlannedStudy study : plan) {
      for (MammoView view : MammoView.values()) {
        syntaxes.add(transferSyntax(cfg, study, view));
      }
    }
    DcmtkTranscoder.requireTools(syntaxes);
    prepareOutput(cfg);
    AtomicInteger done = new AtomicInteger();
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(cfg.effectiveThreads(), runnable -> {
      Thread t = new Thread(runnable, "radlab-synth-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    List<SynthStudy> studies = new ArrayList<>(plan.size());
    try {
      List<Future<SynthStudy>> futures = new ArrayList<>(plan.size());
      for (PlannedStudy study : plan) {
        futures.add(pool.submit(() -> {
          SynthStudy written = writeStudy(cfg, study);
          progress.studyWritten(done.incrementAndGet(), plan.size());
          return written;
        }));
      }
      for (Future<SynthStudy> f : futures) {
        studies.add(await(f));
      }
    } finally {
      pool.shutdownNow();
      awaitQuietly(pool);
    }
    if (cfg.lesions()) {
      writeBoxes(cfg.outDir(), studies);
    }
    Path labels = writeLabels(cfg.outDir(), studies);
    return new SynthResult(cfg.outDir(), labels, studies);
  }

  /** The directory of one study: {@code OUT/<PatientID>/<StudyDate>_<AccessionNumber>}. */
  static Path studyDirectory(Path out, PlannedStudy s) {
    return out.resolve(s.patient().patientId())
        .resolve(s.studyDate().format(MammogramDicom.DA) + "_" + s.accessionNumber());
  }

  private static SynthStudy writeStudy(SynthConfig cfg, PlannedStudy s) throws IOException {
    Path dir = studyDirectory(cfg.outDir(), s);
    Files.createDirectories(dir);
    List<SynthImage> images = new ArrayList<>();
    for (MammoView view : MammoView.values()) {
      SplittableRandom r = new SplittableRandom(SynthIds.seed(s.pixelSeed(), view.name()));
      BreastAnatomy anatomy = BreastAnatomy.of(s, view, r);
      float[] display = BreastPhantom.render(anatomy, cfg.rows(), cfg.columns());
      String sopUid = SynthIds.uid("image", cfg.seed(), cfg.rows(), cfg.columns(), s.index(), view.name());
      List<SynthLesion> lesions = List.of();
      if (cfg.lesions()) {
        SplittableRandom lr = new SplittableRandom(SynthIds.seed(s.pixelSeed(), view.name() + "/lesions"));
        Lesions.Drawn drawn = Lesions.draw(anatomy, display, cfg.rows(), cfg.columns(), lr);
        lesions = drawn.lesions();
        writeMask(cfg.outDir().resolve(MASKS_DIR).resolve(sopUid + ".png"), drawn.mask(), cfg.rows(), cfg.columns());
      }
      short[] pixels = s.device().encode(display);
      SynthTransferSyntax syntax = transferSyntax(cfg, s, view);
      Path file = dir.resolve(view.fileName());
      try {
        AttributeList list = MammogramDicom.attributes(s, view, cfg.rows(), cfg.columns(), pixels, sopUid,
            cfg.studyDescription());
        write(list, file, syntax);
      } catch (DicomException e) {
        throw new IOException("could not encode " + file + " as DICOM: " + e.getMessage(), e);
      }
      images.add(new SynthImage(view, file.toAbsolutePath(), sopUid, syntax,
          s.device().photometricInterpretation(), s.device().bitsStored(), lesions));
    }
    return new SynthStudy(s.index(), s.patient().patientId(), s.patient().patientName(),
        s.patient().birthDate().format(MammogramDicom.DA), s.studyInstanceUid(), s.seriesInstanceUid(),
        s.studyDate().format(MammogramDicom.DA), s.studyTime().format(MammogramDicom.TM), s.accessionNumber(),
        s.studyId(), s.institution(), s.referringPhysician(), s.device().manufacturer(), s.device().model(),
        s.density(), s.densityReader2(), s.fibroglandularFraction(), images);
  }

  /** The syntax of one file: the forced one, or the study's draws for the view in a mixed run. */
  private static SynthTransferSyntax transferSyntax(SynthConfig cfg, PlannedStudy s, MammoView view) {
    return cfg.forcedTransferSyntax().orElse(SynthTransferSyntax.mixed(s.syntaxDraws()[2 * view.ordinal()],
        s.syntaxDraws()[2 * view.ordinal() + 1], cfg.compressedShare()));
  }

  /** Writes {@code list} as a Part 10 file in {@code syntax}, through dcmtk when PixelMed cannot encode it. */
  private static void write(AttributeList list, Path file, SynthTransferSyntax syntax)
      throws IOException, DicomException {
    if (syntax.writtenByPixelMed()) {
      FileMetaInformation.addFileMetaInformation(list, syntax.uid(), SOURCE_AE_TITLE);
      list.write(file.toFile(), syntax.uid(), true, true);
      return;
    }
    Path uncompressed = file.resolveSibling("." + file.getFileName() + ".tmp");
    String explicit = SynthTransferSyntax.EXPLICIT_LE.uid();
    FileMetaInformation.addFileMetaInformation(list, explicit, SOURCE_AE_TITLE);
    list.write(uncompressed.toFile(), explicit, true, true);
    try {
      DcmtkTranscoder.transcode(uncompressed, file, syntax);
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    } finally {
      Files.deleteIfExists(uncompressed);
    }
  }

  /** Every image's lesions as boxes.csv, an image without any as a row with empty box fields. */
  private static void writeBoxes(Path out, List<SynthStudy> studies) throws IOException {
    List<String> images = new ArrayList<>();
    List<BoxTable.Box> boxes = new ArrayList<>();
    for (SynthStudy s : studies) {
      for (SynthImage image : s.images()) {
        images.add(image.sopInstanceUid());
        for (SynthLesion l : image.lesions()) {
          boxes.add(new BoxTable.Box(image.sopInstanceUid(), l.label(), l.xMin(), l.yMin(), l.xMax(), l.yMax(),
              Double.NaN));
        }
      }
    }
    AtomicFiles.writeString(out.resolve(BOXES_FILE), new BoxTable(images, boxes).csv(IMAGE_COLUMN, false));
  }

  /** The image column of boxes.csv: the original SOP Instance UID, as label import keys it. */
  public static final String IMAGE_COLUMN = "SOPInstanceUID";

  /** A mask as an 8-bit grey PNG (class indices as grey values). */
  static void writeMask(Path file, byte[] mask, int rows, int columns) throws IOException {
    BufferedImage png = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
    png.getRaster().setDataElements(0, 0, columns, rows, mask);
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(png, "png", file.toFile())) {
      throw new IOException("no PNG writer for the mask " + file);
    }
  }

  private static Path writeLabels(Path out, List<SynthStudy> studies) throws IOException {
    StringBuilder csv = new StringBuilder(LABELS_HEADER).append('\n');
    for (SynthStudy s : studies) {
      csv.append(s.studyInstanceUid()).append(',').append(s.patientId()).append(',').append(s.studyDate())
          .append(',').append(s.density()).append(',').append(s.densityReader2()).append('\n');
    }
    Path labels = out.resolve(LABELS_FILE);
    AtomicFiles.writeString(labels, csv.toString());
    return labels;
  }

  /**
   * Makes {@code outDir} an empty directory holding only the marker. An earlier synthesizer output is cleared when
   * it is incomplete (no labels.csv) or when overwriting is asked for; anything else is left alone.
   */
  private static void prepareOutput(SynthConfig cfg) throws IOException {
    Path out = cfg.outDir();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IOException("the output " + out + " is a file; give a directory (--out DIR)");
    }
    if (Files.isDirectory(out) && !isEmpty(out)) {
      if (!Files.isRegularFile(out.resolve(MARKER_FILE))) {
        throw new IOException("the output directory " + out + " is not empty and was not written by radlab synth;"
            + " choose an empty or new directory");
      }
      if (Files.exists(out.resolve(LABELS_FILE)) && !cfg.overwrite()) {
        throw new IOException("the output directory " + out + " already holds synthetic studies; choose another"
            + " directory, or pass --overwrite to replace them");
      }
      FileTrees.deleteContents(out);
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve(MARKER_FILE), "written by radlab synth: seed " + cfg.seed() + ", "
        + cfg.studies() + " studies, " + cfg.rows() + "x" + cfg.columns() + "\n", StandardCharsets.UTF_8);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  private static SynthStudy await(Future<SynthStudy> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing synthetic studies", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    }
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
