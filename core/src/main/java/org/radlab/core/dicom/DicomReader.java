package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;
import static org.radlab.core.dicom.DicomRejectException.EXTERNAL_DECODER_FAILED;
import static org.radlab.core.dicom.DicomRejectException.NO_PIXEL_DATA;
import static org.radlab.core.dicom.DicomRejectException.SIZE_MISMATCH;
import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;
import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_TRANSFER_SYNTAX;

import com.pixelmed.dicom.AttributeList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads DICOM files into {@link DicomHeader} and {@link DecodedImage}. Every failure is a
 * {@link DicomRejectException} with a stable reason; nothing a codec throws escapes as anything else.
 *
 * <p>How pixel data is decoded:
 * <ul>
 *   <li>uncompressed little endian (implicit or explicit VR): read straight from the file's bytes at the
 *       offset where PixelMed's header parse stopped, after checking the element's length;
 *   <li>big endian, deflate, JPEG baseline/lossless, 8-bit JPEG extended, JPEG 2000: PixelMed and ImageIO
 *       (PixelMed's lossless JPEG codec, jai-imageio's JPEG 2000), one frame at a time, each frame's size
 *       checked; RLE: our own decoder, which checks every segment;
 *   <li>JPEG-LS, 12-bit lossy JPEG, and JPEG 2000 whose tile-parts jai-imageio would drop: {@code gdcmconv --raw}
 *       in a child process, then the native path.
 * </ul>
 * PALETTE COLOR images are expanded through their palette to RGB. Nothing is allocated for what a file merely
 * declares: element lengths are checked against the file ({@link ElementLengths}), the image size against the
 * {@link ImageBounds}, and each decoder's input against the size it would produce. This class is stateless and
 * thread-safe.
 */
public final class DicomReader {
  /** What {@link DecodedImage#photometric()} can be. */
  private static final Set<String> RENDERABLE = Set.of("MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL");

  private DicomReader() {}

  /** The header, read up to the pixel data (which is neither read nor decoded). */
  public static DicomHeader readHeader(byte[] file) throws DicomRejectException {
    try {
      return DicomParser.parseHeader(file).header();
    } catch (DicomRejectException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Header, pixel attributes and the stored values of every frame, within the default {@link ImageBounds}. */
  public static DecodedImage decode(byte[] file) throws DicomRejectException {
    return decode(file, ImageBounds.defaults());
  }

  /**
   * Header, pixel attributes and the stored values of every frame. An image whose header declares more than
   * {@code bounds} allow is a {@code too_large} reject before any pixel buffer is allocated.
   */
  public static DecodedImage decode(byte[] file, ImageBounds bounds) throws DicomRejectException {
    try {
      return decode(file, DicomParser.parseHeader(file), bounds, true);
    } catch (DicomRejectException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Whatever slipped through the specific handlers is still a reject, so that bad input never stops a job. */
  private static DicomRejectException unexpected(Throwable t) {
    Failures.rethrowIfFatal(t);
    return new DicomRejectException(DECODE_FAILED, "unexpected failure: " + Failures.describe(t), t);
  }

  /** Reads the file, then {@link #decode(byte[])}; an unreadable path is an {@link IOException}. */
  public static DecodedImage decode(Path file) throws DicomRejectException, IOException {
    return decode(Files.readAllBytes(file));
  }

  private static DecodedImage decode(byte[] file, ParsedDicom parsed, ImageBounds bounds, boolean allowExternal)
      throws DicomRejectException {
    DicomHeader header = parsed.header();
    if (parsed.floatPixelData()) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "Float/Double Float Pixel Data is not supported");
    }
    if (!header.hasPixelData()) {
      throw new DicomRejectException(NO_PIXEL_DATA, "no Pixel Data element"
          + (header.sopClassUid() == null ? "" : " (SOP class " + header.sopClassUid() + ")"));
    }
    AttributeList list = parsed.list();
    PixelLayout layout = PixelLayout.of(header, HeaderFields.highBit(list), HeaderFields.planarConfiguration(list),
        bounds);
    PixelAttributes attributes = PixelAttributesReader.read(list, layout.pixelRepresentation());
    String ts = parsed.datasetTransferSyntax();
    Samples samples = switch (TransferSyntaxes.route(ts, layout)) {
      case NATIVE -> {
        int[] stored = NativePixelReader.read(file, parsed, layout);
        yield stored != null ? Samples.of(stored, layout) : PixelMedDecoder.decode(file, parsed, layout);
      }
      case PIXELMED -> {
        Samples decoded = PixelMedDecoder.decode(file, parsed, layout);
        yield decoded != null ? decoded : decodeExternally(file, parsed, layout, bounds, allowExternal);
      }
      case EXTERNAL -> decodeExternally(file, parsed, layout, bounds, allowExternal);
      case UNSUPPORTED -> throw new DicomRejectException(UNSUPPORTED_TRANSFER_SYNTAX,
          "transfer syntax " + (ts == null ? "unknown" : TransferSyntaxes.name(ts)) + " is not supported");
    };
    if (samples.photometric().equals("PALETTE COLOR")) {
      samples = Palette.expand(samples, list, layout);
    }
    if (!RENDERABLE.contains(samples.photometric())) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "PhotometricInterpretation " + samples.photometric()
          + " is not supported for " + TransferSyntaxes.name(ts) + " pixel data");
    }
    long expected = layout.pixelsPerFrame() * layout.frames() * samples.samplesPerPixel();
    if (samples.stored().length != expected) {
      throw new DicomRejectException(SIZE_MISMATCH, "decoded " + samples.stored().length + " samples, expected "
          + expected);
    }
    return new DecodedImage(header, attributes, layout.columns(), layout.rows(), layout.frames(),
        samples.samplesPerPixel(), samples.photometric(), samples.stored(), samples.sampleBits());
  }

  private static Samples decodeExternally(byte[] file, ParsedDicom source, PixelLayout original, ImageBounds bounds,
      boolean allowed) throws DicomRejectException {
    if (!allowed) {
      throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "gdcmconv --raw left the pixel data compressed");
    }
    EncapsulatedPixelData.checkComplete(file, source, original.frames());
    // the uncompressed file: at most the original's elements plus the samples Rows x Columns x frames declare
    long samples = original.totalSamples() * ImageBounds.BYTES_PER_SAMPLE;
    byte[] raw = ExternalDecoder.decompress(file, file.length + samples + 65536);
    ParsedDicom parsed;
    try {
      parsed = DicomParser.parseHeader(raw);
    } catch (DicomRejectException e) {
      throw new DicomRejectException(EXTERNAL_DECODER_FAILED, "gdcmconv wrote an unreadable file: " + e.getMessage(), e);
    }
    DicomHeader h = parsed.header();
    if (h.rows() != original.rows() || h.columns() != original.columns() || h.numberOfFrames() != original.frames()
        || h.samplesPerPixel() != original.samplesPerPixel()) {
      throw new DicomRejectException(SIZE_MISMATCH, "gdcmconv produced " + h.columns() + "x" + h.rows() + "x"
          + h.samplesPerPixel() + " x " + h.numberOfFrames() + " frames, header says " + original.columns() + "x"
          + original.rows() + "x" + original.samplesPerPixel() + " x " + original.frames());
    }
    DecodedImage decoded = decode(raw, parsed, bounds, false);
    return new Samples(decoded.stored(), decoded.photometric(), decoded.samplesPerPixel(), decoded.sampleBits());
  }
}
