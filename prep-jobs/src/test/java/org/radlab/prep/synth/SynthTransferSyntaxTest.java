package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.radlab.core.testing.DicomTools;

/**
 * Every syntax a benchmark can force: the file says it (dcmdump), and dcmtk decodes it to exactly the pixels of the
 * uncompressed run with the same seed, i.e. the compression is lossless.
 */
class SynthTransferSyntaxTest {
  private static final long SEED = 17;
  @TempDir static Path tmp;
  static Path reference;

  @BeforeAll
  static void writeTheUncompressedReference() throws Exception {
    reference = tmp.resolve("explicit-reference");
    SyntheticMammography.generate(SynthConfig.small(reference, 1, SEED)
        .withTransferSyntax(SynthTransferSyntax.EXPLICIT_LE));
  }

  /** UIDs from DICOM PS3.6 Annex A. */
  @ParameterizedTest
  @CsvSource({
      "explicit-le, 1.2.840.10008.1.2.1",
      "implicit-le, 1.2.840.10008.1.2",
      "deflate, 1.2.840.10008.1.2.1.99",
      "jpeg-lossless, 1.2.840.10008.1.2.4.70",
      "jpeg-lossless-p14, 1.2.840.10008.1.2.4.57",
      "rle, 1.2.840.10008.1.2.5",
      "jpeg-ls, 1.2.840.10008.1.2.4.80"})
  void aForcedSyntaxIsWrittenForEveryFileAndDecodesLosslessly(String name, String uid) throws Exception {
    Path out = tmp.resolve(name);
    SynthResult result = SyntheticMammography.generate(SynthConfig.small(out, 1, SEED)
        .withTransferSyntax(SynthTransferSyntax.fromOptionName(name)));
    List<Path> files = DicomTools.dicomFiles(out);
    assertEquals(4, files.size());
    assertEquals(4, result.imageCount());
    for (Path f : files) {
      Map<String, String> tags = DicomTools.dcmdumpByKeyword(f);
      assertEquals(uid, tags.get("TransferSyntaxUID"), f.toString());
      Path twin = twinInReference(out, f);
      assertTrue(Files.exists(twin), "same layout as the reference run: " + twin);
      assertEquals(DicomTools.dcmdumpByKeyword(twin).get("SOPInstanceUID"), tags.get("SOPInstanceUID"),
          "compression keeps the SOP Instance UID");
      byte[] expected = DicomTools.dcmtkPixels(twin, tmp.resolve("work-ref"));
      byte[] actual = DicomTools.dcmtkPixels(f, tmp.resolve("work-" + name));
      assertEquals(2L * Integer.parseInt(tags.get("Rows")) * Integer.parseInt(tags.get("Columns")), actual.length);
      assertArrayEquals(expected, actual, f + " decodes to the reference pixels");
    }
  }

  @Test
  void aFailingDcmtkToolBecomesAClearException() throws Exception {
    Path notDicom = tmp.resolve("not-dicom.dcm");
    Files.writeString(notDicom, "this is not a DICOM file\n");
    Path target = tmp.resolve("never-written.dcm");
    var e = assertThrows(IOException.class,
        () -> DcmtkTranscoder.transcode(notDicom, target, SynthTransferSyntax.RLE));
    assertTrue(e.getMessage().contains("dcmcrle") && e.getMessage().contains("exit code"), e.getMessage());
    assertTrue(e.getMessage().contains(notDicom.toString()), e.getMessage());
  }

  @Test
  void withoutDcmtkACompressedRunFailsBeforeWritingAnything() throws Exception {
    Path out = tmp.resolve("no-dcmtk");
    String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
        ChildProcessSynth.class.getName(), "--out", out.toString(), "--studies", "1", "--transfer-syntax",
        "jpeg-lossless").redirectErrorStream(true);
    pb.environment().put("PATH", tmp.resolve("empty-path").toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, p.waitFor(), output);
    assertTrue(output.contains("dcmcjpeg") && output.contains("dcmtk"), output);
    assertFalse(Files.exists(out), "nothing written: " + output);
  }

  /** RadLab's reader uses PixelMed: it must decode the mixed-run syntaxes to the same values as dcmtk. */
  @ParameterizedTest
  @CsvSource({"deflate", "jpeg-lossless", "rle", "implicit-le"})
  void pixelMedDecodesTheMixedRunSyntaxesToTheSamePixels(String name) throws Exception {
    Path out = tmp.resolve("pixelmed-" + name);
    SyntheticMammography.generate(SynthConfig.small(out, 1, SEED)
        .withTransferSyntax(SynthTransferSyntax.fromOptionName(name)));
    for (Path f : DicomTools.dicomFiles(out)) {
      byte[] dcmtk = DicomTools.dcmtkPixels(twinInReference(out, f), tmp.resolve("work-pm-ref"));
      int[] decoded = ExternalDicomTools.readWithPixelMed(f).stored();
      assertEquals(dcmtk.length / 2, decoded.length, f.toString());
      for (int i = 0; i < decoded.length; i++) {
        int expected = (dcmtk[2 * i] & 0xFF) | (dcmtk[2 * i + 1] & 0xFF) << 8;
        if (expected != decoded[i]) {
          fail(f + ": pixel " + i + " is " + decoded[i] + ", dcmtk says " + expected);
        }
      }
    }
  }

  private static Path twinInReference(Path out, Path file) {
    return reference.resolve(out.relativize(file));
  }
}
