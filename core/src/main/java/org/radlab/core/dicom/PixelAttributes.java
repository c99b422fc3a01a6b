package org.radlab.core.dicom;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything the pixel pipeline needs besides the samples.
 *
 * @param rescaleSlope Rescale Slope, 1 if absent
 * @param rescaleIntercept Rescale Intercept, 0 if absent
 * @param windowCenters Window Center values (possibly empty, never null)
 * @param windowWidths Window Width values, same length as {@code windowCenters}
 * @param voiLutFunction {@code LINEAR} (default), {@code LINEAR_EXACT} or {@code SIGMOID}
 * @param voiLuts the items of the VOI LUT Sequence (possibly empty, never null)
 * @param modalityLut the Modality LUT Sequence item, or {@code null}
 * @param pixelPaddingValue Pixel Padding Value in stored-value space, or {@code null}
 * @param pixelPaddingRangeLimit Pixel Padding Range Limit in stored-value space, or {@code null}
 */
public record PixelAttributes(
    double rescaleSlope,
    double rescaleIntercept,
    double[] windowCenters,
    double[] windowWidths,
    String voiLutFunction,
    List<Lut> voiLuts,
    Lut modalityLut,
    Integer pixelPaddingValue,
    Integer pixelPaddingRangeLimit)
    implements Serializable {

  public static final String LINEAR = "LINEAR";
  public static final String LINEAR_EXACT = "LINEAR_EXACT";
  public static final String SIGMOID = "SIGMOID";

  public PixelAttributes {
    windowCenters = windowCenters == null ? new double[0] : windowCenters.clone();
    windowWidths = windowWidths == null ? new double[0] : windowWidths.clone();
    if (windowCenters.length != windowWidths.length) {
      throw new IllegalArgumentException(
          "window centres and widths differ in number: " + windowCenters.length + " vs " + windowWidths.length);
    }
    voiLutFunction = voiLutFunction == null ? LINEAR : voiLutFunction;
    voiLuts = voiLuts == null ? List.of() : List.copyOf(voiLuts);
  }

  /** No modality or VOI transformation at all: identity rescale, no window, no LUT, no padding. */
  public static PixelAttributes identity() {
    return new PixelAttributes(1, 0, null, null, LINEAR, List.of(), null, null, null);
  }

  /** Number of windows (centre/width pairs) available. */
  public int windowCount() {
    return windowCenters.length;
  }

  @Override
  public double[] windowCenters() {
    return windowCenters.clone();
  }

  @Override
  public double[] windowWidths() {
    return windowWidths.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PixelAttributes p
        && Double.compare(rescaleSlope, p.rescaleSlope) == 0
        && Double.compare(rescaleIntercept, p.rescaleIntercept) == 0
        && Arrays.equals(windowCenters, p.windowCenters)
        && Arrays.equals(windowWidths, p.windowWidths)
        && voiLutFunction.equals(p.voiLutFunction)
        && voiLuts.equals(p.voiLuts)
        && Objects.equals(modalityLut, p.modalityLut)
        && Objects.equals(pixelPaddingValue, p.pixelPaddingValue)
        && Objects.equals(pixelPaddingRangeLimit, p.pixelPaddingRangeLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rescaleSlope, rescaleIntercept, Arrays.hashCode(windowCenters),
        Arrays.hashCode(windowWidths), voiLutFunction, voiLuts, modalityLut, pixelPaddingValue,
        pixelPaddingRangeLimit);
  }

  @Override
  public String toString() {
    return "PixelAttributes[slope=" + rescaleSlope + ", intercept=" + rescaleIntercept
        + ", centers=" + Arrays.toString(windowCenters) + ", widths=" + Arrays.toString(windowWidths)
        + ", function=" + voiLutFunction + ", voiLuts=" + voiLuts + ", modalityLut=" + modalityLut
        + ", padding=" + pixelPaddingValue + ", paddingLimit=" + pixelPaddingRangeLimit + "]";
  }
}
