package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class J2kCodestreamTest {

  /** SOC, a SIZ segment of arbitrary content, then tile-parts (tile index, TNsot) each with 4 data bytes, EOC. */
  private static byte[] codestream(int[][] tileParts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51, 0, 41});
    out.writeBytes(new byte[39]);
    for (int[] tp : tileParts) {
      int psot = 12 + 2 + 4;
      out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0x90, 0, 10, 0, (byte) tp[0], 0, 0, 0, (byte) psot, 0, (byte) tp[1]});
      out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0x93, 1, 2, 3, 4});
    }
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD9});
    return out.toByteArray();
  }

  @Test
  void moreTilePartsThanDeclaredAreDetected() {
    assertTrue(J2kCodestream.hasUndeclaredTileParts(codestream(new int[][] {{0, 1}, {0, 1}})));
    assertTrue(J2kCodestream.hasUndeclaredTileParts(codestream(new int[][] {{0, 2}, {1, 2}, {0, 2}, {1, 2}, {0, 2}})));
  }

  @Test
  void consistentOrUndeclaredCountsAreFine() {
    assertFalse(J2kCodestream.hasUndeclaredTileParts(codestream(new int[][] {{0, 2}, {1, 2}, {0, 2}, {1, 2}})));
    assertFalse(J2kCodestream.hasUndeclaredTileParts(codestream(new int[][] {{0, 0}, {0, 0}, {0, 0}})));
    assertFalse(J2kCodestream.hasUndeclaredTileParts(new byte[] {1, 2, 3}));
  }

  @Test
  void pydicomsNonConformantGdcmFileIsDetected() throws Exception {
    Path dir = PydicomConformanceTest.DATA.resolve("test_files");
    assumeTrue(Files.isDirectory(dir), "Debian python3-pydicom is not installed");
    // 16 tiles of 6 tile-parts each, every one announcing TNsot = 5
    assertTrue(J2kCodestream.hasUndeclaredTileParts(Files.readAllBytes(dir.resolve("GDCMJ2K_TextGBR.dcm"))));
    assertFalse(J2kCodestream.hasUndeclaredTileParts(Files.readAllBytes(dir.resolve("JPEG2000.dcm"))));
    assertFalse(J2kCodestream.hasUndeclaredTileParts(Files.readAllBytes(dir.resolve("MR_small_jp2klossless.dcm"))));
  }
}
