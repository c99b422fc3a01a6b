package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * JPEG-LS and 12-bit lossy JPEG go through {@code gdcmconv --raw}. The compressed files are made here with
 * DCMTK ({@code dcmcjpls}, {@code dcmcjpeg +ee}) from an uncompressed file of known values written with
 * PixelMed, and decoded values are compared with those known values.
 */
class ExternalDecoderTest {
  private static final int ROWS = 48;
  private static final int COLUMNS = 64;
  private static final int FRAMES = 2;

  @TempDir Path dir;
  private int[] values;
  private Path original;

  @BeforeEach
  void writeOriginal() {
    assumeTrue(DicomTools.available("gdcmconv") && DicomTools.available("dcmcjpls")
        && DicomTools.available("dcmcjpeg"), "GDCM and DCMTK command-line tools are needed");
    // 12-bit values: a smooth ramp per frame plus some seeded noise; frame 2 runs the other way
    Random random = new Random(1234);
    values = new int[ROWS * COLUMNS * FRAMES];
    for (int f = 0; f < FRAMES; f++) {
      for (int y = 0; y < ROWS; y++) {
        for (int x = 0; x < COLUMNS; x++) {
          int ramp = f == 0 ? x * 40 + y * 20 : (COLUMNS - 1 - x) * 40 + y * 20;
          values[(f * ROWS + y) * COLUMNS + x] = Math.min(4095, ramp + random.nextInt(64));
        }
      }
    }
    original = TestDicom.image(ROWS, COLUMNS, 16, 12, 0, "MONOCHROME2")
        .set(Tags.NUMBER_OF_FRAMES, Integer.toString(FRAMES))
        .pixels16(values)
        .writeTo(dir.resolve("original.dcm"), TestDicom.EXPLICIT_LE);
  }

  private Path compress(String tool, String... options) throws Exception {
    Path out = dir.resolve(tool + ".dcm");
    String[] command = new String[options.length + 3];
    command[0] = "/usr/bin/" + tool;
    System.arraycopy(options, 0, command, 1, options.length);
    command[options.length + 1] = original.toString();
    command[options.length + 2] = out.toString();
    DicomTools.Run run = DicomTools.run(dir, command);
    assertTrue(run.ok(), tool + " failed: " + run.output());
    return out;
  }

  @Test
  void jpegLsLosslessDecodesExactly() throws Exception {
    Path ls = compress("dcmcjpls");
    assertEquals("1.2.840.10008.1.2.4.80", DicomReader.readHeader(Files.readAllBytes(ls)).transferSyntaxUid());
    DecodedImage d = DicomReader.decode(ls);
    assertEquals(FRAMES, d.frames());
    assertEquals("MONOCHROME2", d.photometric());
    assertArrayEquals(values, d.stored());
  }

  @Test
  void jpegLsNearLosslessStaysWithinItsNearBound() throws Exception {
    Path ls = compress("dcmcjpls", "+en"); // NEAR = 2: no sample may move by more than 2
    assertEquals("1.2.840.10008.1.2.4.81", DicomReader.readHeader(Files.readAllBytes(ls)).transferSyntaxUid());
    int[] decoded = DicomReader.decode(ls).stored();
    assertEquals(values.length, decoded.length);
    for (int i = 0; i < values.length; i++) {
      assertTrue(Math.abs(decoded[i] - values[i]) <= 2, "sample " + i + ": " + decoded[i] + " vs " + values[i]);
    }
  }

  @Test
  void twelveBitLossyJpegIsCloseToTheOriginal() throws Exception {
    Path jpeg = compress("dcmcjpeg", "+ee");
    DicomHeader h = DicomReader.readHeader(Files.readAllBytes(jpeg));
    assertEquals("1.2.840.10008.1.2.4.51", h.transferSyntaxUid());
    assertEquals(12, h.bitsStored());
    int[] decoded = DicomReader.decode(jpeg).stored();
    assertEquals(values.length, decoded.length);
    // DCMTK's independent 12-bit decoder must agree (decoders of the same lossy stream may differ by 1)
    Path reference = dir.resolve("dcmdjpeg.dcm");
    assertTrue(DicomTools.run(dir, "/usr/bin/dcmdjpeg", jpeg.toString(), reference.toString()).ok());
    int[] dcmtk = pixelValues(dir, reference);
    assertEquals(values.length, dcmtk.length);
    for (int i = 0; i < values.length; i++) {
      assertTrue(Math.abs(decoded[i] - dcmtk[i]) <= 1, "sample " + i + ": " + decoded[i] + " vs DCMTK " + dcmtk[i]);
    }
    // and stay close to the original: quality 90 mostly smooths the 0..63 noise (mean error about 20);
    // a decoding failure (zeros, swapped frames, 8-bit truncation) would be off by hundreds
    long sum = 0;
    int max = 0;
    for (int i = 0; i < values.length; i++) {
      int d = Math.abs(decoded[i] - values[i]);
      sum += d;
      max = Math.max(max, d);
    }
    double mean = (double) sum / values.length;
    assertTrue(mean <= 32, "mean abs error " + mean);
    assertTrue(max <= 160, "max abs error " + max);
  }

  @Test
  void aDamagedJpegLsStreamIsRejectedNotZeroFilled() throws Exception {
    byte[] ls = Files.readAllBytes(compress("dcmcjpls"));
    // cut the file in the middle of the first frame's codestream
    byte[] damaged = Arrays.copyOf(ls, ls.length - (ls.length - 1500) / 2);
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(damaged));
    // caught before gdcmconv runs: the last fragment runs past the end of the file
    assertEquals("size_mismatch", e.reason(), e.toString());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aTruncatedLosslessJpegIsRejectedThoughGdcmconvWouldFillItIn() throws Exception {
    Path jpeg = compress("dcmcjpeg"); // lossless, process 14, selection value 1
    assertEquals("1.2.840.10008.1.2.4.70", DicomReader.readHeader(Files.readAllBytes(jpeg)).transferSyntaxUid());
    assertArrayEquals(values, DicomReader.decode(jpeg).stored(), "the whole file decodes exactly");

    byte[] whole = Files.readAllBytes(jpeg);
    Path cut = dir.resolve("cut.dcm");
    Files.write(cut, Arrays.copyOf(whole, whole.length - (whole.length - 1500) / 2));
    // the child process alone accepts the cut file (it pads what is missing), so our own check must refuse it
    Path raw = dir.resolve("cut-raw.dcm");
    assertTrue(DicomTools.run(dir, "/usr/bin/gdcmconv", "--raw", cut.toString(), raw.toString()).ok());
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(cut));
    assertEquals("size_mismatch", e.reason(), e.toString());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aLosslessJpegWhoseLastFrameLacksItsEndMarkerIsRejected() throws Exception {
    byte[] whole = Files.readAllBytes(compress("dcmcjpeg"));
    // keep the item structure intact but overwrite the final end-of-image marker of the last frame
    int delimiter = whole.length - 8;
    assertEquals((byte) 0xDD, whole[delimiter + 2], "the file ends with the sequence delimiter");
    int end = delimiter;
    while (whole[end - 1] == 0) {
      end--;
    }
    assertEquals((byte) 0xD9, whole[end - 1]);
    whole[end - 1] = 0x12;
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(whole));
    assertEquals("size_mismatch", e.reason(), e.toString());
    assertTrue(e.getMessage().contains("1 of 2"), e.getMessage());
  }

  /** The pixel values of an uncompressed little-endian file, extracted with gdcmraw, unpacked by the test code. */
  private static int[] pixelValues(Path workDir, Path uncompressed) throws IOException, InterruptedException {
    Path raw = Files.createTempFile(workDir, "pixels-", ".raw");
    DicomTools.Run r = DicomTools.run(workDir, "/usr/bin/gdcmraw", "-i", uncompressed.toString(), "-o",
        raw.toString(), "-t", "7fe0,0010");
    if (!r.ok()) {
      throw new IOException("gdcmraw failed: " + r.output());
    }
    int[] values = ReferencePixels.fromDump(DicomTools.dcmdumpByTag(workDir, uncompressed))
        .unpack(Files.readAllBytes(raw));
    Files.deleteIfExists(raw);
    return values;
  }
}
