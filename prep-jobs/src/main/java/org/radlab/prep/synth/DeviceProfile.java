package org.radlab.prep.synth;

/**
 * The (fictitious) mammography units and the pixel conventions each one follows, so that readers meet the variety
 * of real archives:
 * <ul>
 *   <li>Lumenara units store MONOCHROME1 (dense tissue has low stored values), mark the background with
 *       PixelPaddingValue, give two linear VOI windows with an explanation, and have no rescale attributes.</li>
 *   <li>The Kestrel unit stores MONOCHROME2 with a background of 0 and no padding value, gives RescaleSlope 1 and
 *       RescaleIntercept 0 (the values the DX image module allows), and one window with VOILUTFunction SIGMOID.</li>
 * </ul>
 * Both render to the same picture: bright tissue on a black background.
 */
enum DeviceProfile {
  LUMENARA_AURELIA_3D("Lumenara Medical Systems", "Aurelia 3D", "AUR3D-20417", "LMS 4.2.11", 12, true, 0.35),
  LUMENARA_AURELIA_S("Lumenara Medical Systems", "Aurelia S", "AURS-07731", "LMS 3.9.2", 13, true, 0.20),
  KESTREL_MAMMORA("Kestrel Imaging GmbH", "Mammora DR-9", "KDR9-0088412", "MAMMORA_VX 7.1", 14, false, 0.45);

  /** Display value (0 black, 1 white) at the centre of the default window, and the window's width. */
  private static final double WINDOW_CENTER = 0.47;
  private static final double WINDOW_WIDTH = 0.75;
  private static final double HARD_WINDOW_WIDTH = 0.5;

  private final String manufacturer;
  private final String model;
  private final String serialNumber;
  private final String softwareVersion;
  private final int bitsStored;
  private final boolean monochrome1;
  private final double share;

  DeviceProfile(String manufacturer, String model, String serialNumber, String softwareVersion, int bitsStored,
                boolean monochrome1, double share) {
    this.manufacturer = manufacturer;
    this.model = model;
    this.serialNumber = serialNumber;
    this.softwareVersion = softwareVersion;
    this.bitsStored = bitsStored;
    this.monochrome1 = monochrome1;
    this.share = share;
  }

  String manufacturer() {
    return manufacturer;
  }

  String model() {
    return model;
  }

  String serialNumber() {
    return serialNumber;
  }

  String softwareVersion() {
    return softwareVersion;
  }

  int bitsStored() {
    return bitsStored;
  }

  int maxStoredValue() {
    return (1 << bitsStored) - 1;
  }

  boolean monochrome1() {
    return monochrome1;
  }

  String photometricInterpretation() {
    return monochrome1 ? "MONOCHROME1" : "MONOCHROME2";
  }

  /** The stored value outside the breast. */
  int backgroundValue() {
    return monochrome1 ? maxStoredValue() : 0;
  }

  /** The unit a uniform draw in [0, 1) picks. */
  static DeviceProfile fromUniform(double u) {
    double cumulative = 0;
    for (DeviceProfile p : values()) {
      cumulative += p.share;
      if (u < cumulative) {
        return p;
      }
    }
    return KESTREL_MAMMORA;
  }

  /**
   * Stored pixel values of a display image: 0 is background, (0, 1] tissue from dark to bright. Tissue never takes
   * the background value, so the background is exactly the area outside the breast.
   */
  short[] encode(float[] display) {
    int max = maxStoredValue();
    short[] stored = new short[display.length];
    for (int i = 0; i < display.length; i++) {
      float d = display[i];
      int v;
      if (d <= 0f) {
        v = backgroundValue();
      } else {
        int level = Math.min(max - 1, Math.max(1, Math.round(d * max)));
        v = monochrome1 ? max - level : level;
      }
      stored[i] = (short) v;
    }
    return stored;
  }

  /** Window centres in stored (= rescaled) units: the standard window first. */
  int[] windowCenters() {
    int c = (int) Math.round(storedLevel(WINDOW_CENTER));
    return monochrome1 ? new int[] {c, c} : new int[] {c};
  }

  int[] windowWidths() {
    int w = (int) Math.round(WINDOW_WIDTH * maxStoredValue());
    return monochrome1 ? new int[] {w, (int) Math.round(HARD_WINDOW_WIDTH * maxStoredValue())} : new int[] {w};
  }

  private double storedLevel(double displayLevel) {
    double v = displayLevel * maxStoredValue();
    return monochrome1 ? maxStoredValue() - v : v;
  }
}
