package org.radlab.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import java.util.Arrays;

/** Reads a {@link Lut} (Modality, VOI or palette colour) from its descriptor and data elements. */
final class LutReader {
  private LutReader() {}

  /**
   * A LUT from a descriptor (entries, first mapped value, bits per entry) and its data. 8-bit entries packed
   * two to a 16-bit word (low byte first) are unpacked. The first mapped value is US or SS depending on
   * whether the LUT's input is signed: a value read as SS is kept, a value read as US above 32767 is taken
   * as negative when {@code signedInput}. Returns null for a LUT that cannot be read.
   */
  static Lut read(AttributeList item, AttributeTag descriptorTag, AttributeTag dataTag, boolean signedInput) {
    if (item == null) {
      return null;
    }
    try {
      Attribute descriptor = item.get(descriptorTag);
      Attribute data = item.get(dataTag);
      if (descriptor == null || data == null) {
        return null;
      }
      int[] d = descriptor.getIntegerValues();
      if (d == null || d.length < 3) {
        return null;
      }
      int entries = d[0] & 0xFFFF;
      if (entries == 0) {
        entries = 0x10000;
      }
      int first = d[1];
      if (signedInput && first > 0x7FFF && first <= 0xFFFF) {
        first -= 0x10000;
      }
      int bits = d[2];
      int[] words = unsignedWords(data);
      int[] values;
      if (words.length == entries) {
        values = words;
      } else if (bits <= 8 && words.length == (entries + 1) / 2) {
        values = new int[entries];
        for (int i = 0; i < entries; i++) {
          int w = words[i >> 1];
          values[i] = (i & 1) == 0 ? w & 0xFF : w >>> 8;
        }
      } else if (words.length > entries) {
        values = Arrays.copyOf(words, entries);
      } else {
        return null;
      }
      int max = 0;
      for (int v : values) {
        max = Math.max(max, v);
      }
      int needed = 32 - Integer.numberOfLeadingZeros(Math.max(max, 1));
      if (bits < 1 || bits > 16 || needed > bits) {
        bits = Math.max(needed, bits < 1 || bits > 16 ? 8 : bits);
      }
      return new Lut(first, Math.min(bits, 16), values);
    } catch (Exception e) {
      return null;
    }
  }

  /** The data as 16-bit words (OW), else as integers (US, SS) cut to 16 bits. */
  private static int[] unsignedWords(Attribute a) throws Exception {
    int[] out;
    try {
      short[] s = a.getShortValues();
      out = new int[s.length];
      for (int i = 0; i < s.length; i++) {
        out[i] = s[i] & 0xFFFF;
      }
    } catch (Exception notWords) {
      int[] v = a.getIntegerValues();
      out = new int[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i] & 0xFFFF;
      }
    }
    return out;
  }
}
