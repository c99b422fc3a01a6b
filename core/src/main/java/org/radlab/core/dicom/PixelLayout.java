package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;

import java.util.Locale;
import java.util.Set;

/**
 * The Image Pixel Module values that decide how pixel data bytes become samples, checked once.
 *
 * @param highBit normalised: when the file's value is inconsistent it is taken as {@code bitsStored - 1}
 * @param photometric upper-case, trimmed
 */
record PixelLayout(
    int rows,
    int columns,
    int frames,
    int samplesPerPixel,
    int bitsAllocated,
    int bitsStored,
    int highBit,
    int pixelRepresentation,
    String photometric,
    int planarConfiguration) {

  static final Set<String> KNOWN_PHOTOMETRICS = Set.of("MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB",
      "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT");

  /**
   * Validates the header's pixel description: anything we cannot unpack is {@code unsupported_pixel_format}, anything
   * beyond {@code bounds} is {@code too_large}, so no decoder allocates for it.
   */
  static PixelLayout of(DicomHeader h, int highBitOrMinus1, int planarConfiguration, ImageBounds bounds)
      throws DicomRejectException {
    int rows = h.rows();
    int columns = h.columns();
    if (rows <= 0 || columns <= 0) {
      throw reject("Rows/Columns must be positive, got " + rows + "x" + columns);
    }
    if (h.numberOfFrames() <= 0) {
      throw reject("NumberOfFrames is not a positive integer");
    }
    int bitsAllocated = h.bitsAllocated();
    if (bitsAllocated != 1 && bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
      throw reject("BitsAllocated " + bitsAllocated + " is not supported (1, 8, 16 or 32)");
    }
    int bitsStored = h.bitsStored() == 0 ? bitsAllocated : h.bitsStored();
    if (bitsStored < 1 || bitsStored > bitsAllocated) {
      throw reject("BitsStored " + bitsStored + " does not fit BitsAllocated " + bitsAllocated);
    }
    int highBit = highBitOrMinus1;
    if (highBit < bitsStored - 1 || highBit >= bitsAllocated) {
      highBit = bitsStored - 1;
    }
    int pixelRepresentation = h.pixelRepresentation();
    if (pixelRepresentation != 0 && pixelRepresentation != 1) {
      throw reject("PixelRepresentation " + pixelRepresentation + " is neither 0 nor 1");
    }
    int spp = h.samplesPerPixel() == 0 ? 1 : h.samplesPerPixel();
    if (spp != 1 && spp != 3) {
      throw reject("SamplesPerPixel " + spp + " is not supported (1 or 3)");
    }
    String photometric = h.photometricInterpretation() == null
        ? (spp == 1 ? "MONOCHROME2" : "RGB")
        : h.photometricInterpretation().trim().toUpperCase(Locale.ROOT);
    if (!KNOWN_PHOTOMETRICS.contains(photometric)) {
      throw reject("PhotometricInterpretation '" + photometric + "' is not supported");
    }
    boolean singleChannel = photometric.startsWith("MONOCHROME") || photometric.equals("PALETTE COLOR");
    if (singleChannel != (spp == 1)) {
      throw reject(photometric + " with SamplesPerPixel " + spp);
    }
    if (photometric.equals("PALETTE COLOR") && bitsAllocated != 8 && bitsAllocated != 16) {
      throw reject("PALETTE COLOR needs 8 or 16 bits allocated, got " + bitsAllocated);
    }
    if (spp == 3 && bitsAllocated == 1) {
      throw reject("colour images with 1 bit allocated");
    }
    String exceeded = bounds.exceeded(rows, columns, h.numberOfFrames(), spp, bitsAllocated);
    if (exceeded != null) {
      throw new DicomRejectException(ImageBounds.TOO_LARGE, exceeded);
    }
    PixelLayout layout = new PixelLayout(rows, columns, h.numberOfFrames(), spp, bitsAllocated, bitsStored, highBit,
        pixelRepresentation, photometric, planarConfiguration == 1 ? 1 : 0);
    if (layout.totalSamples() > Integer.MAX_VALUE - 16) {
      throw reject("image too large: " + layout.totalSamples() + " samples");
    }
    return layout;
  }

  private static DicomRejectException reject(String detail) {
    return new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, detail);
  }

  long pixelsPerFrame() {
    return (long) rows * columns;
  }

  /** Decoded samples: rows x columns x samplesPerPixel x frames. */
  long totalSamples() {
    return pixelsPerFrame() * samplesPerPixel * frames;
  }

  /** Uncompressed YBR_FULL_422 stores two luma and one pair of chroma samples for each pair of pixels. */
  boolean isSubsampled422() {
    return photometric.equals("YBR_FULL_422");
  }

  /** Samples per frame as stored in native (uncompressed) pixel data. */
  long nativeSamplesPerFrame() {
    return isSubsampled422() ? pixelsPerFrame() * 2 : pixelsPerFrame() * samplesPerPixel;
  }

  /** Bytes of native pixel data the header implies for all frames (1-bit data packed, no padding). */
  long nativeBytes() {
    long samples = nativeSamplesPerFrame() * frames;
    return bitsAllocated == 1 ? (samples + 7) / 8 : samples * (bitsAllocated / 8);
  }

  /** Bytes of one native frame (rounded up for 1-bit data). */
  long nativeBytesPerFrame() {
    long samples = nativeSamplesPerFrame();
    return bitsAllocated == 1 ? (samples + 7) / 8 : samples * (bitsAllocated / 8);
  }

  boolean signed() {
    return pixelRepresentation == 1;
  }
}
