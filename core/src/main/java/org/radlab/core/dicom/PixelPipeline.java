package org.radlab.core.dicom;

import java.util.Objects;

/**
 * Renders one frame of a {@link DecodedImage} as a grey image in [0,1] (PS3.3 C.11 and C.7.6.3.1).
 *
 * <p>Monochrome: stored value → Modality LUT (the Modality LUT Sequence if present, else rescale slope and
 * intercept) → VOI (window {@code voiIndex} with the VOI LUT Function LINEAR, LINEAR_EXACT or SIGMOID; else
 * VOI LUT Sequence item {@code voiIndex}, scaled by {@code 2^bits - 1}; else the frame's minimum/maximum
 * modality value over non-padding pixels) → inverted for MONOCHROME1 → padding pixels set to 0. The
 * mapping is evaluated once per distinct stored value into a lookup table when the frame's stored range is
 * at most {@value #MAX_LUT_ENTRIES} values, so the per-pixel work is one table lookup.
 *
 * <p>Colour: luminance {@code Y = 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, the same Y that defines
 * YBR_FULL in PS3.3 C.7.6.3.1.2) divided by {@code 2^sampleBits - 1}; for YBR_FULL the Y sample is used as is.
 * Modality and VOI transformations do not apply to colour images.
 *
 * <p>Finally, with {@link RenderOptions#flipByLaterality()} and laterality {@code R}, the image is mirrored
 * horizontally.
 */
public final class PixelPipeline {
  static final int MAX_LUT_ENTRIES = 1 << 20;

  private PixelPipeline() {}

  public static GrayImage render(DecodedImage image, int frame, RenderOptions options) {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(options, "options");
    if (frame < 0 || frame >= image.frames()) {
      throw new IllegalArgumentException("frame " + frame + " out of range 0.." + (image.frames() - 1));
    }
    float[] out = image.isMonochrome() ? monochrome(image, frame, options.voiIndex()) : colour(image, frame);
    if (mirrors(image.header(), options)) {
      mirrorHorizontally(out, image.width(), image.height());
    }
    return new GrayImage(image.width(), image.height(), out);
  }

  /** Whether {@link #render} mirrors an image with this header: with the flip option, a right-side (R) image. */
  public static boolean mirrors(DicomHeader header, RenderOptions options) {
    return options.flipByLaterality() && "R".equalsIgnoreCase(header.laterality());
  }

  // ------------------------------------------------------------------------------------------- monochrome

  /** Stored value to modality value. */
  private interface ModalityMap {
    double apply(int stored);
  }

  /** Modality value to [0,1]. */
  private interface VoiMap {
    double apply(double modality);
  }

  private static float[] monochrome(DecodedImage image, int frame, int voiIndex) {
    PixelAttributes a = image.attributes();
    int ppf = image.pixelsPerFrame();
    int base = frame * ppf;
    int[] s = image.stored();
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = base, end = base + ppf; i < end; i++) {
      int v = s[i];
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
    }
    Padding padding = Padding.of(a);
    Lut modalityLut = a.modalityLut();
    double slope = a.rescaleSlope();
    double intercept = a.rescaleIntercept();
    ModalityMap modality = modalityLut != null ? v -> modalityLut.lookup(v) : v -> v * slope + intercept;
    boolean invert = "MONOCHROME1".equals(image.photometric());
    long range = (long) max - min + 1;
    float[] out = new float[ppf];

    if (range <= MAX_LUT_ENTRIES) {
      int size = (int) range;
      VoiMap voi = voi(a, voiIndex);
      if (voi == null) {
        boolean[] present = new boolean[size];
        for (int i = base, end = base + ppf; i < end; i++) {
          present[s[i] - min] = true;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size; k++) {
          if (present[k] && !padding.contains(min + k)) {
            double m = modality.apply(min + k);
            lo = Math.min(lo, m);
            hi = Math.max(hi, m);
          }
        }
        voi = minMax(lo, hi);
      }
      float[] table = new float[size];
      for (int k = 0; k < size; k++) {
        int v = min + k;
        table[k] = padding.contains(v) ? 0f : finish(voi.apply(modality.apply(v)), invert);
      }
      for (int i = 0; i < ppf; i++) {
        out[i] = table[s[base + i] - min];
      }
      return out;
    }

    VoiMap voi = voi(a, voiIndex);
    if (voi == null) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < ppf; i++) {
        int v = s[base + i];
        if (!padding.contains(v)) {
          double m = modality.apply(v);
          lo = Math.min(lo, m);
          hi = Math.max(hi, m);
        }
      }
      voi = minMax(lo, hi);
    }
    for (int i = 0; i < ppf; i++) {
      int v = s[base + i];
      out[i] = padding.contains(v) ? 0f : finish(voi.apply(modality.apply(v)), invert);
    }
    return out;
  }

  private static float finish(double y, boolean invert) {
    double v = invert ? 1 - y : y;
    if (!(v > 0)) {
      return 0f;
    }
    return v >= 1 ? 1f : (float) v;
  }

  /** The window or VOI LUT to use, or null for min/max auto-windowing. Indices beyond the last use the last. */
  private static VoiMap voi(PixelAttributes a, int voiIndex) {
    if (a.windowCount() > 0) {
      int i = Math.min(voiIndex, a.windowCount() - 1);
      double c = a.windowCenters()[i];
      double w = a.windowWidths()[i];
      return switch (a.voiLutFunction()) {
        case PixelAttributes.LINEAR_EXACT -> linearExact(c, w);
        case PixelAttributes.SIGMOID -> sigmoid(c, w);
        default -> linear(c, w);
      };
    }
    if (!a.voiLuts().isEmpty()) {
      Lut lut = a.voiLuts().get(Math.min(voiIndex, a.voiLuts().size() - 1));
      double scale = 1.0 / lut.maxOutput();
      return x -> lut.lookup(toIndex(x)) * scale;
    }
    return null;
  }

  private static int toIndex(double x) {
    double r = Math.floor(x + 0.5);
    return r >= Integer.MAX_VALUE ? Integer.MAX_VALUE : r <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) r;
  }

  /** PS3.3 C.11.2.1.2.1, with y in [0,1]. */
  static VoiMap linear(double c, double w) {
    double lower = c - 0.5 - (w - 1) / 2;
    double upper = c - 0.5 + (w - 1) / 2;
    return x -> {
      if (x <= lower) {
        return 0;
      }
      if (x > upper) {
        return 1;
      }
      return (x - (c - 0.5)) / (w - 1) + 0.5;
    };
  }

  /** PS3.3 C.11.2.1.3.2, with y in [0,1]. */
  static VoiMap linearExact(double c, double w) {
    return x -> {
      if (x <= c - w / 2) {
        return 0;
      }
      if (x > c + w / 2) {
        return 1;
      }
      return (x - c) / w + 0.5;
    };
  }

  /** PS3.3 C.11.2.1.3.1, with y in [0,1]. */
  static VoiMap sigmoid(double c, double w) {
    return x -> 1 / (1 + Math.exp(-4 * (x - c) / w));
  }

  private static VoiMap minMax(double lo, double hi) {
    if (!(hi > lo)) {
      return x -> 0;
    }
    double span = hi - lo;
    return x -> (x - lo) / span;
  }

  /** Pixel Padding Value, or the closed range it spans with Pixel Padding Range Limit (in either order). */
  private record Padding(boolean present, int lo, int hi) {
    static Padding of(PixelAttributes a) {
      Integer value = a.pixelPaddingValue();
      if (value == null) {
        return new Padding(false, 0, -1);
      }
      Integer limit = a.pixelPaddingRangeLimit();
      int other = limit == null ? value : limit;
      return new Padding(true, Math.min(value, other), Math.max(value, other));
    }

    boolean contains(int v) {
      return present && v >= lo && v <= hi;
    }
  }

  // ------------------------------------------------------------------------------------------- colour

  private static float[] colour(DecodedImage image, int frame) {
    int ppf = image.pixelsPerFrame();
    int spp = image.samplesPerPixel();
    int[] s = image.stored();
    int base = frame * ppf * spp;
    double scale = 1.0 / ((1L << image.sampleBits()) - 1);
    boolean lumaStored = image.photometric().startsWith("YBR");
    float[] out = new float[ppf];
    for (int i = 0, p = base; i < ppf; i++, p += spp) {
      double y = lumaStored ? s[p] : 0.299 * s[p] + 0.587 * s[p + 1] + 0.114 * s[p + 2];
      out[i] = finish(y * scale, false);
    }
    return out;
  }

  private static void mirrorHorizontally(float[] data, int width, int height) {
    for (int y = 0; y < height; y++) {
      for (int l = y * width, r = l + width - 1; l < r; l++, r--) {
        float t = data[l];
        data[l] = data[r];
        data[r] = t;
      }
    }
  }
}
