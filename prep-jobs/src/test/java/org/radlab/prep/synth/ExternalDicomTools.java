package org.radlab.prep.synth;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Independent readers for the synthesizer's output: dcmtk's command-line tools (dcmdump, and its decompressors for
 * pixel comparisons) and PixelMed's parser. Nothing here uses the synthesizer's own classes.
 */
final class ExternalDicomTools {
  private ExternalDicomTools() {}

  /** Runs a command, failing with its output when it exits non-zero. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + text);
    }
    return text;
  }

  /**
   * The top-level attributes of a file as dcmdump prints them, by dictionary keyword, file meta information
   * included; UIDs as numbers, multiple values joined by a backslash. Stops before the pixel data.
   */
  static Map<String, String> dcmdump(Path file) throws IOException, InterruptedException {
    String out = run("dcmdump", "-q", "-Un", "+sb", "7fe0,0010", file.toString());
    Map<String, String> tags = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      if (!line.startsWith("(")) {
        continue; // comments, and nested sequence items (indented)
      }
      int hash = line.lastIndexOf('#');
      String[] trailer = line.substring(hash + 1).trim().split("\\s+");
      String keyword = trailer[trailer.length - 1];
      String body = line.substring(12, hash).trim(); // after "(gggg,eeee) "
      String value = body.length() > 3 ? body.substring(3).trim() : "";
      if (value.startsWith("[") && value.endsWith("]")) {
        value = value.substring(1, value.length() - 1);
      }
      tags.put(keyword, value);
    }
    return tags;
  }

  /**
   * The native (decompressed) pixel bytes of a file, decoded by dcmtk: compressed files are first decompressed with
   * dcmdjpeg, dcmdrle or dcmdjpls, deflated and implicit ones converted with dcmconv, then dcmdump writes the pixel
   * data of the explicit little endian result to a raw file.
   */
  static byte[] dcmtkPixels(Path file, Path work) throws IOException, InterruptedException {
    Files.createDirectories(work);
    String syntax = dcmdump(file).get("TransferSyntaxUID");
    Path explicit = work.resolve("decoded.dcm");
    Files.deleteIfExists(explicit);
    switch (syntax) {
      case "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.57" ->
          run("dcmdjpeg", file.toString(), explicit.toString());
      case "1.2.840.10008.1.2.5" -> run("dcmdrle", file.toString(), explicit.toString());
      case "1.2.840.10008.1.2.4.80" -> run("dcmdjpls", file.toString(), explicit.toString());
      default -> run("dcmconv", "+te", file.toString(), explicit.toString());
    }
    Path rawDir = work.resolve("raw");
    Files.createDirectories(rawDir);
    try (Stream<Path> old = Files.list(rawDir)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    run("dcmdump", "-q", "+W", rawDir.toString(), explicit.toString());
    try (Stream<Path> raws = Files.list(rawDir)) {
      List<Path> written = raws.toList();
      if (written.size() != 1) {
        throw new IOException("expected one raw pixel file from dcmdump, got " + written);
      }
      return Files.readAllBytes(written.get(0));
    }
  }

  /** A file read with PixelMed: a few header values and the decompressed stored pixel values. */
  record PixelMedImage(Path file, String transferSyntax, String photometric, String laterality,
                       String viewPosition, String manufacturer, String patientId, String studyDate,
                       String studyInstanceUid, int rows, int columns, int bitsStored, Integer paddingValue,
                       int[] stored) {
    /** Display value in [0, 1] of pixel (x, y): bright means dense, whatever the photometric interpretation. */
    double display(int x, int y) {
      int max = (1 << bitsStored) - 1;
      int v = stored[y * columns + x];
      return "MONOCHROME1".equals(photometric) ? (max - v) / (double) max : v / (double) max;
    }

    /** True when pixel (x, y) is breast, i.e. not the background (padding value, or 0 without one). */
    boolean breast(int x, int y) {
      int background = paddingValue != null ? paddingValue : 0;
      return stored[y * columns + x] != background;
    }
  }

  static PixelMedImage readWithPixelMed(Path file) throws IOException, DicomException {
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    Attribute padding = list.get(TagFromName.PixelPaddingValue);
    short[] raw = list.get(TagFromName.PixelData).getShortValues();
    int[] stored = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      stored[i] = raw[i] & 0xFFFF;
    }
    return new PixelMedImage(file, string(list, TagFromName.TransferSyntaxUID),
        string(list, TagFromName.PhotometricInterpretation), string(list, TagFromName.ImageLaterality),
        string(list, TagFromName.ViewPosition), string(list, TagFromName.Manufacturer),
        string(list, TagFromName.PatientID), string(list, TagFromName.StudyDate),
        string(list, TagFromName.StudyInstanceUID), integer(list, TagFromName.Rows),
        integer(list, TagFromName.Columns), integer(list, TagFromName.BitsStored),
        padding == null ? null : padding.getSingleIntegerValueOrDefault(-1), stored);
  }

  private static String string(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
  }

  private static int integer(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleIntegerValueOrDefault(list, tag, -1);
  }

  /** Every .dcm file under {@code dir}, sorted. */
  static List<Path> dicomFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".dcm")).sorted()
          .toList();
    }
  }

  /** Every regular file under {@code dir}, as sorted paths relative to it. */
  static List<Path> relativeFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }
}
