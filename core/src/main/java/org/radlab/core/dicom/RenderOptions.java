package org.radlab.core.dicom;

/**
 * How {@link PixelPipeline#render} turns one frame into a grey image.
 *
 * @param voiIndex which window (or, without windows, which VOI LUT) to use; 0 is the first. An index beyond
 *     the available ones falls back to the last one.
 * @param flipByLaterality mirror images whose laterality is {@code R} horizontally, so that a mammogram's
 *     chest wall is always on the image's left
 */
public record RenderOptions(int voiIndex, boolean flipByLaterality) {

  public RenderOptions {
    if (voiIndex < 0) {
      throw new IllegalArgumentException("voiIndex must be >= 0, got " + voiIndex);
    }
  }

  /** The first window or VOI LUT, no flip. */
  public static RenderOptions defaults() {
    return new RenderOptions(0, false);
  }

  public RenderOptions withVoiIndex(int index) {
    return new RenderOptions(index, flipByLaterality);
  }

  public RenderOptions withFlipByLaterality(boolean flip) {
    return new RenderOptions(voiIndex, flip);
  }
}
