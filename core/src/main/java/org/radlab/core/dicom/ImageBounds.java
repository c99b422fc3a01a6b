package org.radlab.core.dicom;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The largest image RadLab decodes, checked against what a file declares before any pixel buffer is allocated: by
 * {@link DicomReader} (Rows, Columns, NumberOfFrames, SamplesPerPixel, BitsAllocated), by prep, and by the API's
 * upload check (a PNG's or DICOM's header). A file beyond a bound is refused with reason {@value #TOO_LARGE}.
 *
 * <p>The defaults hold real radiology with room to spare: a mammogram of about 4700 x 5900 pixels at 16 bits (the
 * largest detectors, 50 µm), a CT series of 512 x 512 x 1000 frames, a tomosynthesis volume of 2048 x 2048 x 60
 * frames. A site that needs more writes {@value #FILE} in its workspace with the bounds it wants (missing fields
 * keep their defaults); the control API reads it at start, prep on its driver.
 *
 * @param maxRows Rows (image height), default 8192
 * @param maxColumns Columns (image width), default 8192
 * @param maxFrames NumberOfFrames, default 4096
 * @param maxSamplesPerPixel SamplesPerPixel, default 3 (RGB)
 * @param maxBitsAllocated BitsAllocated, default 32
 * @param maxDecodedBytes decoded size of the whole image, counted as RadLab holds it: 4 bytes per sample (rows x
 *     columns x samples x frames x 4), default 1 GiB
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ImageBounds(int maxRows, int maxColumns, int maxFrames, int maxSamplesPerPixel, int maxBitsAllocated,
    long maxDecodedBytes) implements Serializable {

  /** The reject reason (and API error) of an image beyond a bound. */
  public static final String TOO_LARGE = "too_large";
  /** The workspace file holding a site's own bounds. */
  public static final String FILE = "image-limits.json";
  /** Bytes RadLab holds per decoded sample (a 32-bit int or float). */
  public static final int BYTES_PER_SAMPLE = 4;

  private static final int DEFAULT_SIDE = 8192;
  private static final int DEFAULT_FRAMES = 4096;
  private static final long DEFAULT_DECODED_BYTES = 1L << 30;
  private static final ImageBounds DEFAULTS = new ImageBounds(0, 0, 0, 0, 0, 0);

  /** A zero keeps that bound's default. */
  public ImageBounds {
    maxRows = maxRows == 0 ? DEFAULT_SIDE : maxRows;
    maxColumns = maxColumns == 0 ? DEFAULT_SIDE : maxColumns;
    maxFrames = maxFrames == 0 ? DEFAULT_FRAMES : maxFrames;
    maxSamplesPerPixel = maxSamplesPerPixel == 0 ? 3 : maxSamplesPerPixel;
    maxBitsAllocated = maxBitsAllocated == 0 ? 32 : maxBitsAllocated;
    maxDecodedBytes = maxDecodedBytes == 0 ? DEFAULT_DECODED_BYTES : maxDecodedBytes;
    if (maxRows < 1 || maxColumns < 1 || maxFrames < 1 || maxSamplesPerPixel < 1 || maxBitsAllocated < 1
        || maxDecodedBytes < 1) {
      throw new IllegalArgumentException("image bounds must be positive (0 or absent keeps the default)");
    }
    // Java arrays hold at most 2^31 - 1 elements; no bound may let a decoder ask for more.
    maxDecodedBytes = Math.min(maxDecodedBytes, (long) (Integer.MAX_VALUE - 16) * BYTES_PER_SAMPLE);
  }

  /** The built-in bounds. */
  public static ImageBounds defaults() {
    return DEFAULTS;
  }

  /** {@value #FILE} in {@code workspace} when it exists, else the defaults. */
  public static ImageBounds load(Path workspace) throws IOException {
    Path file = workspace.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return DEFAULTS;
    }
    try {
      return new ObjectMapper().readValue(file.toFile(), ImageBounds.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(file + " is not valid image bounds ({maxRows, maxColumns, maxFrames, "
          + "maxSamplesPerPixel, maxBitsAllocated, maxDecodedBytes}): " + e.getMessage(), e);
    }
  }

  /**
   * What a DICOM image declares, against these bounds.
   *
   * @return null when it fits, else the detail naming the dimension and its bound
   */
  public String exceeded(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated) {
    if (rows > maxRows || columns > maxColumns) {
      return size(columns, rows) + " exceeds the limit of " + size(maxColumns, maxRows) + " (columns x rows)";
    }
    if (frames > maxFrames) {
      return frames + " frames exceed the limit of " + maxFrames;
    }
    if (samplesPerPixel > maxSamplesPerPixel) {
      return samplesPerPixel + " samples per pixel exceed the limit of " + maxSamplesPerPixel;
    }
    if (bitsAllocated > maxBitsAllocated) {
      return bitsAllocated + " bits allocated exceed the limit of " + maxBitsAllocated;
    }
    return decodedBytes(size(columns, rows) + " x " + samplesPerPixel + " sample(s) x " + frames + " frame(s)",
        (long) rows * columns * samplesPerPixel * frames);
  }

  /**
   * What a flat image (a PNG or JPEG upload) declares, against these bounds: its width, height and channels.
   *
   * @return null when it fits, else the detail naming the dimension and its bound
   */
  public String exceeded(long width, long height, int channels) {
    if (height > maxRows || width > maxColumns) {
      return size(width, height) + " exceeds the limit of " + size(maxColumns, maxRows) + " (width x height)";
    }
    return decodedBytes(size(width, height) + " x " + channels + " channel(s)", width * height * channels);
  }

  private String decodedBytes(String what, long samples) {
    long bytes = samples * BYTES_PER_SAMPLE;
    if (bytes > maxDecodedBytes) {
      return what + " decode to " + bytes + " bytes, more than the limit of " + maxDecodedBytes;
    }
    return null;
  }

  private static String size(long width, long height) {
    return width + " x " + height + " pixels";
  }
}
