package org.radlab.core.dicom;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A DICOM lookup table (Modality or VOI LUT, PS3.3 C.11.1). Stored values below {@code firstMapped} map to
 * the first entry, values beyond the last mapped one to the last entry.
 *
 * @param firstMapped the first stored value mapped (second LUT Descriptor value, already sign-corrected)
 * @param bitsPerEntry the third LUT Descriptor value
 * @param entries the LUT Data values, unsigned
 */
public record Lut(int firstMapped, int bitsPerEntry, int[] entries) implements Serializable {

  public Lut {
    if (entries == null || entries.length == 0) {
      throw new IllegalArgumentException("a LUT needs at least one entry");
    }
    if (bitsPerEntry < 1 || bitsPerEntry > 16) {
      throw new IllegalArgumentException("LUT bits per entry must be 1..16, got " + bitsPerEntry);
    }
  }

  /** The entry for a stored (or modality) value, clamping outside the mapped range. */
  public int lookup(int value) {
    long index = (long) value - firstMapped;
    if (index <= 0) {
      return entries[0];
    }
    return index >= entries.length ? entries[entries.length - 1] : entries[(int) index];
  }

  /** The largest value an entry can take, {@code 2^bitsPerEntry - 1}. */
  public int maxOutput() {
    return (1 << bitsPerEntry) - 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Lut other
        && firstMapped == other.firstMapped
        && bitsPerEntry == other.bitsPerEntry
        && Arrays.equals(entries, other.entries);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * firstMapped + bitsPerEntry) + Arrays.hashCode(entries);
  }

  @Override
  public String toString() {
    return "Lut[firstMapped=" + firstMapped + ", bitsPerEntry=" + bitsPerEntry + ", entries=" + entries.length + "]";
  }
}
