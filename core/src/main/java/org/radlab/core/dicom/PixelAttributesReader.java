package org.radlab.core.dicom;

import static org.radlab.core.dicom.AttributeValues.doubles;
import static org.radlab.core.dicom.AttributeValues.firstDouble;
import static org.radlab.core.dicom.AttributeValues.firstItem;
import static org.radlab.core.dicom.AttributeValues.functionalGroupItem;
import static org.radlab.core.dicom.AttributeValues.items;
import static org.radlab.core.dicom.AttributeValues.text;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@link PixelAttributes} from a parsed data set: rescale, window, VOI LUT function, Modality and VOI LUTs
 * (through {@link LutReader}) and pixel padding.
 */
final class PixelAttributesReader {
  private PixelAttributesReader() {}

  /**
   * Rescale, window, VOI LUT and padding values. Each is taken from the top level, else from the shared
   * functional groups, else from the first frame's functional groups (enhanced multi-frame images).
   * Window pairs with a non-finite centre or a non-positive width are dropped; a rescale slope of 0 or
   * non-finite is treated as absent.
   */
  static PixelAttributes read(AttributeList l, int pixelRepresentation) {
    AttributeList transform = l.get(Tags.RESCALE_SLOPE) != null || l.get(Tags.RESCALE_INTERCEPT) != null
        ? l : functionalGroupItem(l, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
    double slope = firstDouble(transform, Tags.RESCALE_SLOPE, 1);
    if (!Double.isFinite(slope) || slope == 0) {
      slope = 1;
    }
    double intercept = firstDouble(transform, Tags.RESCALE_INTERCEPT, 0);
    if (!Double.isFinite(intercept)) {
      intercept = 0;
    }
    AttributeList voi = l.get(Tags.WINDOW_CENTER) != null || l.get(Tags.VOI_LUT_SEQUENCE) != null
        ? l : functionalGroupItem(l, Tags.FRAME_VOI_LUT_SEQUENCE);
    double[] centers = doubles(voi, Tags.WINDOW_CENTER);
    double[] widths = doubles(voi, Tags.WINDOW_WIDTH);
    int n = Math.min(centers.length, widths.length);
    double[] keptCenters = new double[n];
    double[] keptWidths = new double[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (Double.isFinite(centers[i]) && Double.isFinite(widths[i]) && widths[i] > 0) {
        keptCenters[kept] = centers[i];
        keptWidths[kept] = widths[i];
        kept++;
      }
    }
    Lut modalityLut = LutReader.read(firstItem(l, Tags.MODALITY_LUT_SEQUENCE), Tags.LUT_DESCRIPTOR, Tags.LUT_DATA,
        pixelRepresentation == 1);
    // the VOI LUT's input is the modality value, which may be negative even for unsigned stored values
    boolean signedModality = modalityLut == null && (pixelRepresentation == 1 || intercept < 0);
    List<Lut> voiLuts = new ArrayList<>();
    for (AttributeList item : items(voi, Tags.VOI_LUT_SEQUENCE)) {
      Lut lut = LutReader.read(item, Tags.LUT_DESCRIPTOR, Tags.LUT_DATA, signedModality);
      if (lut != null) {
        voiLuts.add(lut);
      }
    }
    return new PixelAttributes(slope, intercept, Arrays.copyOf(keptCenters, kept),
        Arrays.copyOf(keptWidths, kept), voiLutFunction(l, voi), voiLuts, modalityLut,
        storedValue(l, Tags.PIXEL_PADDING_VALUE, pixelRepresentation),
        storedValue(l, Tags.PIXEL_PADDING_RANGE_LIMIT, pixelRepresentation));
  }

  /** From the VOI's source, else the top level; LINEAR when absent or not one PS3.3 defines. */
  private static String voiLutFunction(AttributeList l, AttributeList voi) {
    String function = text(voi, Tags.VOI_LUT_FUNCTION);
    if (function == null) {
      function = text(l, Tags.VOI_LUT_FUNCTION);
    }
    function = function == null ? PixelAttributes.LINEAR : function.toUpperCase(Locale.ROOT);
    if (!function.equals(PixelAttributes.LINEAR_EXACT) && !function.equals(PixelAttributes.SIGMOID)) {
      function = PixelAttributes.LINEAR;
    }
    return function;
  }

  /** A US/SS value in stored-value space: 16-bit values are reinterpreted to match PixelRepresentation. */
  private static Integer storedValue(AttributeList l, AttributeTag tag, int pixelRepresentation) {
    int[] v = Attribute.getIntegerValues(l, tag);
    if (v == null || v.length == 0) {
      return null;
    }
    int value = v[0];
    if (pixelRepresentation == 1 && value > 0x7FFF && value <= 0xFFFF) {
      value -= 0x10000;
    } else if (pixelRepresentation == 0 && value < 0 && value >= -0x8000) {
      value += 0x10000;
    }
    return value;
  }
}
