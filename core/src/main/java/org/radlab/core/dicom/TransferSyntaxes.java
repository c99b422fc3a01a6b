package org.radlab.core.dicom;

import java.util.Map;

/** The transfer syntaxes RadLab knows, and which decoder handles each. */
final class TransferSyntaxes {
  private TransferSyntaxes() {}

  static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
  static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
  static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
  static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
  static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
  static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
  static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
  static final String JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";
  static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
  static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";
  static final String RLE = "1.2.840.10008.1.2.5";

  private static final Map<String, String> NAMES = Map.ofEntries(
      Map.entry(IMPLICIT_LE, "Implicit VR Little Endian"),
      Map.entry(EXPLICIT_LE, "Explicit VR Little Endian"),
      Map.entry(DEFLATED_LE, "Deflated Explicit VR Little Endian"),
      Map.entry(EXPLICIT_BE, "Explicit VR Big Endian"),
      Map.entry(JPEG_BASELINE, "JPEG Baseline"),
      Map.entry(JPEG_EXTENDED, "JPEG Extended"),
      Map.entry(JPEG_LOSSLESS, "JPEG Lossless"),
      Map.entry(JPEG_LOSSLESS_SV1, "JPEG Lossless SV1"),
      Map.entry(JPEG_LS_LOSSLESS, "JPEG-LS Lossless"),
      Map.entry(JPEG_LS_NEAR_LOSSLESS, "JPEG-LS Near-Lossless"),
      Map.entry(JPEG_2000_LOSSLESS, "JPEG 2000 Lossless"),
      Map.entry(JPEG_2000, "JPEG 2000"),
      Map.entry(RLE, "RLE Lossless"));

  /** Which decoder a file's pixel data goes to. */
  enum Route { NATIVE, PIXELMED, EXTERNAL, UNSUPPORTED }

  static Route route(String ts, PixelLayout layout) {
    if (ts == null) {
      return Route.UNSUPPORTED;
    }
    return switch (ts) {
      case IMPLICIT_LE, EXPLICIT_LE -> Route.NATIVE;
      case DEFLATED_LE, EXPLICIT_BE, JPEG_BASELINE, JPEG_2000_LOSSLESS, JPEG_2000, RLE -> Route.PIXELMED;
      // Lossless JPEG: gdcmconv in a subprocess decodes a 2500x2000 12-bit mammogram in about 130 ms, PixelMed's
      // codec in about 470 ms (docs/benchmarks.md), and lossless JPEG is what archives hold most.
      case JPEG_LOSSLESS, JPEG_LOSSLESS_SV1 -> Route.EXTERNAL;
      case JPEG_EXTENDED -> layout.bitsStored() > 8 || layout.bitsAllocated() > 8 ? Route.EXTERNAL : Route.PIXELMED;
      case JPEG_LS_LOSSLESS, JPEG_LS_NEAR_LOSSLESS -> Route.EXTERNAL;
      default -> Route.UNSUPPORTED;
    };
  }

  static boolean isJpeg2000(String ts) {
    return JPEG_2000_LOSSLESS.equals(ts) || JPEG_2000.equals(ts);
  }

  static String name(String ts) {
    String name = NAMES.get(ts);
    return name == null ? ts : name + " (" + ts + ")";
  }
}
