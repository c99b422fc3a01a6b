package org.radlab.prep;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.deid.BurnedInText;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.dicom.DecodedImage;
import org.radlab.core.dicom.DicomHeader;
import org.radlab.core.dicom.DicomReader;
import org.radlab.core.dicom.DicomRejectException;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageBounds;
import org.radlab.core.dicom.ImageResize;
import org.radlab.core.dicom.PixelPipeline;
import org.radlab.core.dicom.PngCodec;
import org.radlab.core.dicom.RenderOptions;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.spark.HadoopPaths;

/**
 * Converts one input file, inside a Spark task: read, decode, de-identify, render each frame, write its PNG (and
 * optional {@code .npy}) next to the dataset, and return one staging row per image, or one reject row. Never throws
 * for a bad file: every failure becomes a reject with its reason, so one broken file cannot fail the job.
 *
 * <p>Outputs are pure functions of the file's content and the config, so a retried task rewrites identical files.
 */
public final class FileConverter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

  static {
    // Executors have no display; PixelMed's image utilities must not try to open one.
    System.setProperty("java.awt.headless", "true");
  }

  private final PrepJobConfig config;
  private final byte[] secret;
  private final ImageBounds bounds;
  private transient Pseudonymizer pseudonymizer;
  private transient Configuration hadoop;

  /**
   * @param bounds the largest image to decode: a file declaring more is a {@code too_large} reject before its pixels
   *     are allocated
   */
  public FileConverter(PrepJobConfig config, byte[] secret, ImageBounds bounds) {
    this.config = config;
    this.secret = secret.clone();
    this.bounds = bounds;
  }

  /** Enough of a file's header to find it again: bytes read before giving up on a prefix and reading it all. */
  private static final int HEADER_PREFIX = 64 * 1024;

  /**
   * The file's SOP Instance UID and transfer syntax, read from its first bytes (the whole file only when the header
   * runs longer): {@code [path, sopInstanceUid, transferSyntaxUid]}, with nulls where the header cannot tell. Used
   * to find duplicate instances before anything is converted.
   */
  public String[] identify(SourceFile source) {
    String[] out = {source.path(), null, null};
    try {
      DicomHeader h;
      try {
        h = DicomReader.readHeader(readPrefix(source, HEADER_PREFIX));
      } catch (DicomRejectException e) {
        if (source.length() <= HEADER_PREFIX) {
          return out;
        }
        h = DicomReader.readHeader(read(source));
      }
      out[1] = h.sopInstanceUid();
      out[2] = h.transferSyntaxUid();
    } catch (DicomRejectException | IOException | RuntimeException e) {
      // not identifiable: convert() reports why
    }
    return out;
  }

  /** Converts one file; I/O errors on the input become rejects, I/O errors on the output fail the task. */
  public List<Row> convert(SourceFile source) throws IOException {
    if (source.length() > bounds.maxDecodedBytes()) {
      return List.of(StagingRow.rejected(source, ImageBounds.TOO_LARGE, "the file holds " + source.length()
          + " bytes, more than the limit of " + bounds.maxDecodedBytes() + " decoded bytes for one image", null));
    }
    byte[] bytes;
    try {
      bytes = read(source);
    } catch (IOException e) {
      return List.of(StagingRow.rejected(source, "unreadable", "cannot read the file: " + e.getMessage(), null));
    }
    DecodedImage image;
    try {
      image = DicomReader.decode(bytes, bounds);
    } catch (DicomRejectException e) {
      return List.of(StagingRow.rejected(source, e.reason(), e.getMessage(), transferSyntaxOf(bytes)));
    } catch (RuntimeException | OutOfMemoryError e) {
      return List.of(StagingRow.rejected(source, "decode_failed", "unexpected " + e, transferSyntaxOf(bytes)));
    }
    bytes = null; // the decoded samples are all we need from here on
    DicomHeader h = image.header();
    var burnedIn = BurnedInText.check(h, config.allowBurnedIn());
    if (burnedIn.isPresent()) {
      return List.of(StagingRow.rejected(source, burnedIn.get().reason(), burnedIn.get().detail(),
          h.transferSyntaxUid()));
    }
    if (h.sopInstanceUid() == null || h.studyInstanceUid() == null) {
      return List.of(StagingRow.rejected(source, "missing_uid",
          "the file has no " + (h.sopInstanceUid() == null ? "SOPInstanceUID" : "StudyInstanceUID"),
          h.transferSyntaxUid()));
    }
    List<Row> rows = new ArrayList<>(image.frames());
    for (int frame = 0; frame < image.frames(); frame++) {
      try {
        rows.add(convertFrame(source, image, frame));
      } catch (RuntimeException e) {
        return List.of(StagingRow.rejected(source, "render_failed",
            "frame " + (frame + 1) + " of " + image.frames() + ": " + e, h.transferSyntaxUid()));
      }
    }
    return rows;
  }

  private Row convertFrame(SourceFile source, DecodedImage image, int frame) throws IOException {
    DicomHeader h = image.header();
    Pseudonymizer p = pseudonymizer();
    String imageId = p.imageId(h.sopInstanceUid(), frame);
    RenderOptions render = new RenderOptions(config.voiIndex(), config.flipByLaterality() && isMammogram(h));
    GrayImage rendered = PixelPipeline.render(image, frame, render);
    // Shrink to the configured long edge; a smaller image keeps its own size (no invented detail).
    GrayImage png = Math.max(rendered.width(), rendered.height()) > config.pngLongEdge()
        ? ImageResize.fitLongEdge(rendered, config.pngLongEdge()) : rendered;
    String pngPath = DatasetLayout.pngPath(imageId);
    write(pngPath, PngCodec.encode8bit(png));
    GrayImage tensor = ImageResize.squarePadded(rendered, config.tensorSide());
    String npyPath = null;
    if (config.writeNpy()) {
      npyPath = DatasetLayout.npyPath(imageId);
      write(npyPath, NpyFormat.float32(tensor.data(), tensor.height(), tensor.width()));
    }
    double sum = 0;
    double sumSq = 0;
    for (float v : tensor.data()) {
      sum += v;
      sumSq += (double) v * v;
    }
    int n = tensor.data().length;
    double mean = sum / n;
    double std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    return StagingRow.converted(source, h.transferSyntaxUid(),
        imageId, p.patientId(h.patientId()), p.uid(h.studyInstanceUid()), p.uid(h.seriesInstanceUid()),
        p.uid(h.sopInstanceUid()), frame, h.modality(), h.bodyPartExamined(), h.viewPosition(), h.laterality(),
        p.date(h.studyDate(), h.patientId(), config.dates()), h.manufacturer(), h.rows(), h.columns(),
        h.bitsStored(), h.pixelRepresentation(), h.photometricInterpretation(), h.numberOfFrames(),
        h.burnedInAnnotation(), pngPath, png.width(), png.height(), npyPath, mean, std,
        PixelPipeline.mirrors(h, render), h.geometry().rowSpacing(), h.geometry().columnSpacing(),
        h.geometry().position(), h.geometry().sliceSpacing(),
        h.patientId(), h.studyInstanceUid(), h.seriesInstanceUid(), h.sopInstanceUid(), float32(tensor.data()));
  }

  /** The tensor as Parquet stores it: float32, little endian, row-major. */
  static byte[] float32(float[] values) {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(values);
    return out.array();
  }

  private static boolean isMammogram(DicomHeader h) {
    return "MG".equalsIgnoreCase(h.modality());
  }

  /**
   * The file's first {@code max} bytes (all of it when shorter). A local file is read with java.nio: Hadoop's local
   * file system would also look for a {@code .crc} file beside each one.
   */
  private byte[] readPrefix(SourceFile source, int max) throws IOException {
    Path path = new Path(source.path());
    java.nio.file.Path local = HadoopPaths.local(path);
    byte[] buffer = new byte[(int) Math.min(max, source.length())];
    try (InputStream in = local != null ? java.nio.file.Files.newInputStream(local)
        : path.getFileSystem(hadoop()).open(path)) {
      int read = in.readNBytes(buffer, 0, buffer.length);
      if (read < buffer.length) {
        throw new java.io.EOFException("the file is shorter (" + read + " bytes) than when it was listed ("
            + source.length() + " bytes)");
      }
    }
    return buffer;
  }

  private byte[] read(SourceFile source) throws IOException {
    if (source.length() > MAX_FILE_BYTES) {
      throw new IOException("the file holds " + source.length() + " bytes, more than a single image may (2 GiB)");
    }
    return readPrefix(source, Integer.MAX_VALUE);
  }

  /**
   * Writes one PNG or .npy file. On a local dataset it goes straight through java.nio: Hadoop's local file system
   * would add a .crc file per image and fork chmod processes for every new folder. Other file systems go through
   * Hadoop.
   */
  private void write(String relative, byte[] content) throws IOException {
    Path path = new Path(config.dataset(), relative);
    java.nio.file.Path local = HadoopPaths.local(path);
    if (local != null) {
      java.nio.file.Files.createDirectories(local.getParent());
      java.nio.file.Files.write(local, content);
      return;
    }
    FileSystem fs = path.getFileSystem(hadoop());
    try (OutputStream out = fs.create(path, true)) {
      out.write(content);
    }
  }

  /** The transfer syntax of a file we could not decode, for the reject table; null if even the header fails. */
  private static String transferSyntaxOf(byte[] bytes) {
    try {
      return DicomReader.readHeader(bytes).transferSyntaxUid();
    } catch (DicomRejectException | RuntimeException e) {
      return null;
    }
  }

  private Pseudonymizer pseudonymizer() {
    if (pseudonymizer == null) {
      pseudonymizer = new Pseudonymizer(secret);
    }
    return pseudonymizer;
  }

  private Configuration hadoop() {
    if (hadoop == null) {
      hadoop = HadoopPaths.taskConfiguration();
    }
    return hadoop;
  }
}
