package org.radlab.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import java.util.ArrayList;
import java.util.List;

/**
 * The element values this package reads, on PixelMed's {@link Attribute} getters. Two are ours because PixelMed's
 * give other results: {@link #integer} reads the text of an element whose VR has no integer values (UT, FD, FL, or
 * a UN that PixelMed kept as UN), where PixelMed gives the default; and {@link #doubles} makes an unparseable value
 * NaN, where PixelMed makes it 0, and reads FD, FL and UN from their text.
 */
final class AttributeValues {
  private AttributeValues() {}

  /** The first value, trimmed; null when absent, empty or unreadable. */
  static String text(AttributeList l, AttributeTag tag) {
    return trimmed(Attribute.getSingleStringValueOrNull(l, tag));
  }

  static String trimmed(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return t.isEmpty() ? null : t;
  }

  /** The first value as an integer; {@code defaultValue} when absent, empty or not an integer. */
  static int integer(AttributeList l, AttributeTag tag, int defaultValue) {
    Attribute a = l == null ? null : l.get(tag);
    if (a == null || a.getVM() == 0) {
      return defaultValue;
    }
    int[] values = Attribute.getIntegerValues(a);
    if (values != null) {
      return values.length == 0 ? defaultValue : values[0];
    }
    String s = trimmed(Attribute.getSingleStringValueOrNull(a));
    if (s == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return defaultValue;
    }
  }

  /** The first value of {@link #doubles}, or {@code defaultValue} when there is none. */
  static double firstDouble(AttributeList l, AttributeTag tag, double defaultValue) {
    double[] v = doubles(l, tag);
    return v.length == 0 ? defaultValue : v[0];
  }

  /** Every value of a DS/FD element, unparseable ones as NaN. */
  static double[] doubles(AttributeList l, AttributeTag tag) {
    Attribute a = l == null ? null : l.get(tag);
    String[] values = a == null || a.getVM() == 0 ? null : Attribute.getStringValues(a);
    if (values == null) {
      return new double[0];
    }
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      try {
        out[i] = Double.parseDouble(values[i].trim());
      } catch (RuntimeException e) {
        out[i] = Double.NaN;
      }
    }
    return out;
  }

  /** The first item of {@code macro} within the shared functional groups, else within the first frame's. */
  static AttributeList functionalGroupItem(AttributeList l, AttributeTag macro) {
    for (AttributeTag groups : new AttributeTag[] {Tags.SHARED_FUNCTIONAL_GROUPS, Tags.PER_FRAME_FUNCTIONAL_GROUPS}) {
      AttributeList fg = firstItem(l, groups);
      if (fg != null) {
        AttributeList m = firstItem(fg, macro);
        if (m != null) {
          return m;
        }
      }
    }
    return null;
  }

  /** The first item of a sequence; null when absent, empty or not a sequence. */
  static AttributeList firstItem(AttributeList l, AttributeTag tag) {
    return l != null && l.get(tag) instanceof SequenceAttribute seq
        ? SequenceAttribute.getAttributeListFromSelectedItemWithinSequence(seq, 0) : null;
  }

  /** Every item of a sequence; empty when absent or not a sequence. */
  static List<AttributeList> items(AttributeList l, AttributeTag tag) {
    if (l == null || !(l.get(tag) instanceof SequenceAttribute seq)) {
      return List.of();
    }
    List<AttributeList> out = new ArrayList<>(seq.getNumberOfItems());
    for (int i = 0; i < seq.getNumberOfItems(); i++) {
      AttributeList item = seq.getItem(i).getAttributeList();
      if (item != null) {
        out.add(item);
      }
    }
    return out;
  }
}
