package org.radlab.core.dicom;

/** Decoded stored values with what describes them after decoding. */
record Samples(int[] stored, String photometric, int samplesPerPixel, int sampleBits) {

  /** Samples whose description is still the header's (no colour conversion happened). */
  static Samples of(int[] stored, PixelLayout layout) {
    String photometric = layout.isSubsampled422() ? "YBR_FULL" : layout.photometric();
    return new Samples(stored, photometric, layout.samplesPerPixel(), layout.bitsStored());
  }
}
