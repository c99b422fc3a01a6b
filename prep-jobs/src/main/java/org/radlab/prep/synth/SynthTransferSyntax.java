package org.radlab.prep.synth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The transfer syntaxes the synthesizer can write, by their command-line name. PixelMed writes the uncompressed and
 * deflated ones itself; the others are produced by a dcmtk tool that transcodes an explicit little endian file (see
 * {@link DcmtkTranscoder}).
 */
public enum SynthTransferSyntax {
  EXPLICIT_LE("explicit-le", "1.2.840.10008.1.2.1", null),
  IMPLICIT_LE("implicit-le", "1.2.840.10008.1.2", null),
  DEFLATE("deflate", "1.2.840.10008.1.2.1.99", null),
  /** Lossless JPEG, process 14, selection value 1: the lossless JPEG archives use most. */
  JPEG_LOSSLESS("jpeg-lossless", "1.2.840.10008.1.2.4.70", List.of("dcmcjpeg", "+e1", "+un")),
  /** Lossless JPEG, process 14 with any predictor (dcmtk picks selection value 6). Only when forced. */
  JPEG_LOSSLESS_P14("jpeg-lossless-p14", "1.2.840.10008.1.2.4.57", List.of("dcmcjpeg", "+el", "+un")),
  RLE("rle", "1.2.840.10008.1.2.5", List.of("dcmcrle")),
  /** Lossless JPEG-LS. Only when forced: PixelMed cannot decode it, RadLab's reader goes through gdcmconv. */
  JPEG_LS("jpeg-ls", "1.2.840.10008.1.2.4.80", List.of("dcmcjpls", "+el", "+un"));

  private final String optionName;
  private final String uid;
  private final List<String> dcmtkCommand;

  SynthTransferSyntax(String optionName, String uid, List<String> dcmtkCommand) {
    this.optionName = optionName;
    this.uid = uid;
    this.dcmtkCommand = dcmtkCommand;
  }

  /** The name used on the command line, e.g. {@code jpeg-lossless}. */
  public String optionName() {
    return optionName;
  }

  /** The DICOM transfer syntax UID. */
  public String uid() {
    return uid;
  }

  /** True when the pixel data is encapsulated or deflated, i.e. not plain little endian. */
  public boolean compressed() {
    return this != EXPLICIT_LE && this != IMPLICIT_LE;
  }

  /** True when PixelMed writes this syntax directly; otherwise a dcmtk tool transcodes an explicit LE file. */
  public boolean writtenByPixelMed() {
    return dcmtkCommand == null;
  }

  /** The dcmtk command and its options (without file arguments); empty when PixelMed writes the syntax. */
  List<String> dcmtkCommand() {
    return dcmtkCommand == null ? List.of() : dcmtkCommand;
  }

  /** Every command-line name, in declaration order, comma separated. */
  public static String optionNames() {
    return Arrays.stream(values()).map(SynthTransferSyntax::optionName).collect(Collectors.joining(", "));
  }

  /**
   * Parses a command-line name (case-insensitive; the enum constant name is accepted too).
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static SynthTransferSyntax fromOptionName(String name) {
    if (name != null) {
      String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (SynthTransferSyntax s : values()) {
        if (s.optionName.equals(key)) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a transfer syntax the synthesizer writes; use one of: "
        + optionNames());
  }

  /**
   * The syntax of one file in a mixed run. {@code compressDraw} and {@code kindDraw} are uniform draws in [0, 1):
   * the file is compressed when {@code compressDraw < compressedShare}; compressed files are half lossless JPEG,
   * a quarter RLE and a quarter deflate; uncompressed files are 70 % explicit and 30 % implicit little endian.
   */
  static SynthTransferSyntax mixed(double compressDraw, double kindDraw, double compressedShare) {
    if (compressDraw < compressedShare) {
      return kindDraw < 0.5 ? JPEG_LOSSLESS : kindDraw < 0.75 ? RLE : DEFLATE;
    }
    return kindDraw < 0.7 ? EXPLICIT_LE : IMPLICIT_LE;
  }
}
