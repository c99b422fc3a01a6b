package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * Every file under Debian python3-pydicom's data directory (third-party DICOM files of every common
 * transfer syntax, plus deliberately broken files and non-DICOM files) is either decoded or rejected with a
 * reason, and decoded values are compared with other decoders': DCMTK ({@code dcmdrle}, {@code dcmdjpeg},
 * {@code dcmdjpls}, {@code dcmconv}) or, for JPEG 2000, GDCM ({@code gdcmconv --raw}) writes an uncompressed
 * copy, {@code dcmdump} prints its pixel module, {@code gdcmraw} extracts its pixel bytes, and
 * {@link ReferencePixels} unpacks them with code of its own.
 *
 * <p>Comparison rules: lossless transfer syntaxes must match exactly. Lossy ones (JPEG baseline/extended,
 * JPEG 2000 irreversible, JPEG-LS near-lossless) may differ by at most {@value #LOSSY_MAX_DIFF} per sample
 * with a mean absolute difference of at most {@value #LOSSY_MEAN_DIFF}, because decoders of lossy streams
 * legitimately differ in IDCT, wavelet and chroma upsampling arithmetic (observed here: at most 1, on
 * JPEG2000.dcm; the JDK's JPEG decoder and DCMTK's, both from IJG libjpeg, agree exactly). When the
 * reference leaves YBR_FULL colour that our codec converted to RGB, the reference is converted with the
 * PS3.3 equations first (another rounding step, same bounds).
 * GDCMJ2K_TextGBR.dcm (non-conformant tile-part counts, see {@link J2kCodestream}) is decoded by gdcmconv and
 * so matches its GDCM reference by construction; jai-imageio would be off by up to 108 there.
 */
class PydicomConformanceTest {
  static final Path DATA = Path.of("/usr/lib/python3/dist-packages/pydicom/data");
  static final int LOSSY_MAX_DIFF = 3;
  static final double LOSSY_MEAN_DIFF = 0.1;
  static final Set<String> LOSSY = Set.of("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",
      "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.81");

  /** The fewest decodable images we accept; 89 decoded when this test was written. */
  static final int MIN_DECODED = 89;
  static final int MIN_COMPARED = 89;

  /** Deliberately broken or unsupported files and the reason each must be rejected with. */
  static final Map<String, String> KNOWN_REJECTS = Map.ofEntries(
      Map.entry("test_files/MR_truncated.dcm", "size_mismatch"),
      Map.entry("test_files/JPEG2000-embedded-sequence-delimiter.dcm", "decode_failed"),
      Map.entry("test_files/SC_rgb_jpeg.dcm", "decode_failed"),
      Map.entry("test_files/badVR.dcm", "unsupported_pixel_format"),
      Map.entry("test_files/SC_rgb_rle_32bit.dcm", "unsupported_pixel_format"),
      Map.entry("test_files/SC_rgb_rle_32bit_2frame.dcm", "unsupported_pixel_format"),
      Map.entry("test_files/no_meta.dcm", "not_dicom"),
      Map.entry("test_files/zipMR.gz", "not_dicom"),
      Map.entry("test_files/README.txt", "not_dicom"),
      Map.entry("hashes.json", "not_dicom"),
      Map.entry("test_files/rtplan_truncated.dcm", "no_pixel_data"),
      Map.entry("test_files/reportsi.dcm", "no_pixel_data"),
      Map.entry("test_files/waveform_ecg.dcm", "no_pixel_data"),
      Map.entry("test_files/dicomdirtests/DICOMDIR", "no_pixel_data"));

  /**
   * 32-bit big-endian files whose reference is their little-endian twin. pydicom encodes each 32-bit value big
   * endian; DCMTK and GDCM swap the OW data as 16-bit words instead, which scrambles the word order. Our
   * values agree with the twin written in little endian.
   */
  static final Map<String, String> REFERENCE_TWIN = Map.of(
      "test_files/rtdose_expb.dcm", "test_files/rtdose.dcm",
      "test_files/rtdose_expb_1frame.dcm", "test_files/rtdose_1frame.dcm");

  /**
   * Files labelled RGB whose JPEG stream is YCbCr (JFIF). DCMTK and GDCM believe the label and skip the colour
   * conversion; the JPEG codec we use converts (the image is a pure red/green/blue pattern, which only the
   * converted values reproduce). The reference is converted from YCbCr before comparing.
   */
  static final Set<String> REFERENCE_LEFT_IN_YCBCR = Set.of("test_files/SC_rgb_jpeg_lossy_gdcm.dcm");

  record Outcome(String file, DecodedImage image, String reason, String detail, Throwable crash) {}

  static final List<Outcome> OUTCOMES = new ArrayList<>();
  static final List<String> HEADER_CRASHES = new ArrayList<>();

  @BeforeAll
  static void decodeEverything() throws Exception {
    assumeTrue(Files.isDirectory(DATA), "Debian python3-pydicom is not installed");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(DATA)) {
      files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path p : files) {
      String name = DATA.relativize(p).toString();
      byte[] bytes = Files.readAllBytes(p);
      try {
        DicomReader.readHeader(bytes);
      } catch (DicomRejectException expected) {
        // fine: readHeader may refuse, but only this way
      } catch (Throwable t) {
        HEADER_CRASHES.add(name + ": " + t);
      }
      try {
        OUTCOMES.add(new Outcome(name, DicomReader.decode(bytes), null, null, null));
      } catch (DicomRejectException e) {
        OUTCOMES.add(new Outcome(name, null, e.reason(), e.getMessage(), null));
      } catch (Throwable t) {
        OUTCOMES.add(new Outcome(name, null, null, null, t));
      }
    }
  }

  private static List<Outcome> decoded() {
    return OUTCOMES.stream().filter(o -> o.image() != null).toList();
  }

  @Test
  void everyFileIsDecodedOrRejectedWithAReason() {
    List<String> crashes = OUTCOMES.stream().filter(o -> o.crash() != null)
        .map(o -> o.file() + ": " + o.crash()).toList();
    assertEquals(List.of(), crashes, "decode threw something other than DicomRejectException");
    assertEquals(List.of(), HEADER_CRASHES, "readHeader threw something other than DicomRejectException");
    assertTrue(OUTCOMES.size() >= 150, "the pydicom tree should hold well over 150 files, found " + OUTCOMES.size());
    for (Outcome o : OUTCOMES) {
      if (o.image() == null) {
        assertTrue(o.reason() != null && !o.reason().isBlank() && o.detail() != null && !o.detail().isBlank(),
            o.file() + " rejected without reason or detail");
      }
    }
  }

  @Test
  void aHealthyMajorityOfImagesDecode() {
    long withPixels = OUTCOMES.stream().filter(o -> o.image() != null || !"no_pixel_data".equals(o.reason())
        && !"not_dicom".equals(o.reason())).count();
    int decoded = decoded().size();
    assertTrue(decoded >= MIN_DECODED, "decoded " + decoded + " of " + withPixels + " image files");
    assertTrue(decoded * 10 >= withPixels * 9, "fewer than 90% of the image files decode: " + decoded + "/" + withPixels);
  }

  @Test
  void decodingInParallelGivesTheSameValues() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (Outcome o : decoded()) {
        results.add(pool.submit(() -> {
          DecodedImage again = DicomReader.decode(DATA.resolve(o.file()));
          return Arrays.equals(again.stored(), o.image().stored()) ? null : o.file();
        }));
      }
      List<String> different = new ArrayList<>();
      for (Future<String> r : results) {
        if (r.get() != null) {
          different.add(r.get());
        }
      }
      assertEquals(List.of(), different);
      assertTrue(results.size() >= MIN_DECODED);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void knownBrokenFilesAreRejectedWithTheirReason() {
    Map<String, Outcome> byName = new LinkedHashMap<>();
    OUTCOMES.forEach(o -> byName.put(o.file(), o));
    for (Map.Entry<String, String> e : KNOWN_REJECTS.entrySet()) {
      Outcome o = byName.get(e.getKey());
      assertTrue(o != null, "missing test file " + e.getKey());
      assertEquals(e.getValue(), o.reason(), e.getKey() + " (" + o.detail() + ")");
    }
  }

  @Test
  void decodedValuesMatchTheReferenceDecoders(@TempDir Path work) throws Exception {
    for (String tool : new String[] {"gdcmconv", "gdcmraw", "dcmdump", "dcmconv", "dcmdjpeg", "dcmdjpls", "dcmdrle"}) {
      assumeTrue(DicomTools.available(tool), tool + " (GDCM/DCMTK command-line tools) is needed");
    }
    int compared = 0;
    List<String> skipped = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    for (Outcome o : decoded()) {
      String source = REFERENCE_TWIN.getOrDefault(o.file(), o.file());
      Path ref = work.resolve("ref.dcm");
      Path raw = work.resolve("ref.raw");
      Files.deleteIfExists(ref);
      Files.deleteIfExists(raw);
      String ts = o.image().header().transferSyntaxUid();
      String[] decompress = referenceDecoder(ts, DATA.resolve(source), ref);
      if (!DicomTools.run(work, decompress).ok()
          || !DicomTools.run(work, "/usr/bin/gdcmraw", "-i", ref.toString(), "-o", raw.toString(),
              "-t", "7fe0,0010").ok()) {
        skipped.add(o.file() + " (" + decompress[0] + " cannot decode it)");
        continue;
      }
      Map<String, String> dump = DicomTools.dcmdumpByTag(work, ref);
      if (!"LittleEndianExplicit".equals(dump.get("0002,0010"))) {
        skipped.add(o.file() + " (reference written as " + dump.get("0002,0010") + ")");
        continue;
      }
      ReferencePixels layout = ReferencePixels.fromDump(dump);
      int[] expected = layout.unpack(Files.readAllBytes(raw));
      DecodedImage image = o.image();
      String refPhotometric = layout.photometric().equals("YBR_FULL_422") ? "YBR_FULL" : layout.photometric();
      boolean converted = false;
      if (image.photometric().equals("RGB")
          && (refPhotometric.equals("YBR_FULL") || REFERENCE_LEFT_IN_YCBCR.contains(o.file()))) {
        expected = ReferencePixels.ybrFullToRgb(expected);
        refPhotometric = "RGB";
        converted = true;
      }
      boolean lossy = LOSSY.contains(ts) || converted;
      String problem = compare(image, refPhotometric, expected, lossy);
      if (lossy && problem == null) {
        System.out.println("  lossy within tolerance: " + o.file() + " " + differences(image.stored(), expected));
      }
      compared++;
      if (problem != null) {
        mismatches.add(o.file() + ": " + problem);
      }
    }
    Map<String, Long> reasons = new TreeMap<>(OUTCOMES.stream().filter(o -> o.reason() != null)
        .collect(Collectors.groupingBy(Outcome::reason, Collectors.counting())));
    System.out.printf("pydicom conformance: %d files, decoded %d, rejected %d %s, compared %d, skipped %s%n",
        OUTCOMES.size(), decoded().size(), OUTCOMES.size() - decoded().size(), reasons, compared, skipped);
    assertEquals(List.of(), mismatches);
    assertTrue(compared >= MIN_COMPARED, "compared only " + compared);
  }

  /**
   * The reference decompressor: DCMTK for everything it decodes (dcmdrle, dcmdjpeg, dcmdjpls, dcmconv), GDCM's
   * gdcmconv for JPEG 2000, which DCMTK lacks. Our 12-bit JPEG and JPEG-LS go through gdcmconv, so DCMTK
   * checks them independently.
   */
  private static String[] referenceDecoder(String ts, Path in, Path out) {
    String tool = switch (ts) {
      case "1.2.840.10008.1.2.5" -> "/usr/bin/dcmdrle";
      case "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70" ->
          "/usr/bin/dcmdjpeg";
      case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81" -> "/usr/bin/dcmdjpls";
      case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91" -> "/usr/bin/gdcmconv";
      default -> "/usr/bin/dcmconv";
    };
    if (tool.endsWith("gdcmconv")) {
      return new String[] {tool, "--raw", in.toString(), out.toString()};
    }
    if (tool.endsWith("dcmconv")) {
      return new String[] {tool, "+te", in.toString(), out.toString()};
    }
    return new String[] {tool, "+te", in.toString(), out.toString()};
  }

  private static String differences(int[] a, int[] b) {
    long max = 0;
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      long d = Math.abs((long) a[i] - b[i]);
      max = Math.max(max, d);
      sum += d;
    }
    return String.format("max %d mean %.3f", max, sum / Math.max(1, a.length));
  }

  /** Null when equal (within tolerance if {@code lossy}), else a description of the difference. */
  static String compare(DecodedImage image, String refPhotometric, int[] expected, boolean lossy) {
    if (!image.photometric().equals(refPhotometric)) {
      return "photometric " + image.photometric() + " vs reference " + refPhotometric;
    }
    int[] actual = image.stored();
    if (actual.length != expected.length) {
      return actual.length + " samples vs reference " + expected.length;
    }
    long maxDiff = 0;
    double sumDiff = 0;
    int firstDiff = -1;
    for (int i = 0; i < actual.length; i++) {
      long d = Math.abs((long) actual[i] - expected[i]);
      if (d != 0 && firstDiff < 0) {
        firstDiff = i;
      }
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
    }
    double mean = sumDiff / Math.max(1, actual.length);
    boolean ok = lossy ? maxDiff <= LOSSY_MAX_DIFF && mean <= LOSSY_MEAN_DIFF : maxDiff == 0;
    if (ok) {
      return null;
    }
    return String.format("max diff %d, mean %.3f, first at %d (ours %d, reference %d)%s", maxDiff, mean, firstDiff,
        actual[firstDiff], expected[firstDiff], lossy ? " [lossy]" : "");
  }
}
