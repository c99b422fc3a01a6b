package org.radlab.core.dicom;

/**
 * Decoded stored pixel values: sign-extended per PixelRepresentation/BitsStored, frame-major, samples
 * interleaved per pixel ({@code stored[((frame * height + y) * width + x) * samplesPerPixel + sample]}).
 *
 * @param photometric the photometric interpretation after decoding: {@code MONOCHROME1}, {@code MONOCHROME2},
 *     {@code RGB} (also when a codec converted YBR to RGB, or when PALETTE COLOR was expanded through its
 *     palette) or {@code YBR_FULL} (also for uncompressed YBR_FULL_422, whose chroma is repeated for both
 *     pixels of a pair)
 * @param sampleBits significant bits of each decoded sample: BitsStored, or for an expanded palette its
 *     bits per entry. Colour samples range over {@code [0, 2^sampleBits - 1]}.
 */
public record DecodedImage(
    DicomHeader header,
    PixelAttributes attributes,
    int width,
    int height,
    int frames,
    int samplesPerPixel,
    String photometric,
    int[] stored,
    int sampleBits) {

  public DecodedImage {
    long expected = (long) width * height * frames * samplesPerPixel;
    if (width <= 0 || height <= 0 || frames <= 0 || samplesPerPixel <= 0 || stored == null
        || stored.length != expected) {
      throw new IllegalArgumentException("stored has " + (stored == null ? 0 : stored.length)
          + " samples, expected " + expected);
    }
    if (sampleBits < 1 || sampleBits > 32) {
      throw new IllegalArgumentException("sampleBits must be 1..32, got " + sampleBits);
    }
  }

  /** The original API shape: sample bits taken from the header's BitsStored. */
  public DecodedImage(DicomHeader header, PixelAttributes attributes, int width, int height, int frames,
      int samplesPerPixel, String photometric, int[] stored) {
    this(header, attributes, width, height, frames, samplesPerPixel, photometric, stored,
        header.bitsStored() <= 0 ? 8 : header.bitsStored());
  }

  /** {@code width * height}. */
  public int pixelsPerFrame() {
    return width * height;
  }

  public boolean isMonochrome() {
    return photometric.startsWith("MONOCHROME");
  }
}
