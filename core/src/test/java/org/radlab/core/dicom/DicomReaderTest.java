package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomReaderTest {

  /** 2x3 signed 16-bit image with negative values. */
  private static final int[] SIGNED_VALUES = {-1000, -1, 0, 1, 1234, 32767};

  private static TestDicom signedImage() {
    return TestDicom.image(2, 3, 16, 16, 1, "MONOCHROME2").pixels16(SIGNED_VALUES);
  }

  @Test
  void headerFieldsAreTrimmedAndDefaulted() throws Exception {
    byte[] file = signedImage()
        .set(Tags.PATIENT_ID, " PAT-7 ")
        .set(Tags.STUDY_DATE, "20240131")
        .set(Tags.LATERALITY, "L")
        .set(Tags.VIEW_POSITION, "CC")
        .set(Tags.BODY_PART_EXAMINED, "BREAST")
        .set(Tags.BURNED_IN_ANNOTATION, "no")
        .set(Tags.MANUFACTURER, "")
        .write();
    DicomHeader h = DicomReader.readHeader(file);
    assertEquals("PAT-7", h.patientId());
    assertEquals("20240131", h.studyDate());
    assertEquals("L", h.laterality(), "Laterality is used when ImageLaterality is absent");
    assertEquals("CC", h.viewPosition());
    assertEquals("BREAST", h.bodyPartExamined());
    assertEquals("NO", h.burnedInAnnotation());
    assertNull(h.manufacturer(), "empty values are null");
    assertEquals(1, h.numberOfFrames(), "absent NumberOfFrames is 1");
    assertEquals(2, h.rows());
    assertEquals(3, h.columns());
    assertEquals(16, h.bitsStored());
    assertEquals(1, h.pixelRepresentation());
    assertEquals("MONOCHROME2", h.photometricInterpretation());
    assertEquals(TestDicom.EXPLICIT_LE, h.transferSyntaxUid());
    assertEquals(TestDicom.SECONDARY_CAPTURE, h.sopClassUid());
    assertTrue(h.hasPixelData());
  }

  @Test
  void imageLateralityWinsOverLaterality() throws Exception {
    byte[] file = signedImage().set(Tags.LATERALITY, "L").set(Tags.IMAGE_LATERALITY, "R").write();
    assertEquals("R", DicomReader.readHeader(file).laterality());
  }

  @Test
  void readHeaderDoesNotTouchPixelData() throws Exception {
    byte[] file = signedImage().write();
    byte[] truncated = Arrays.copyOf(file, file.length - 5); // pixel data now too short to decode
    DicomHeader h = DicomReader.readHeader(truncated);
    assertTrue(h.hasPixelData());
    assertEquals("PAT-001", h.patientId());
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(truncated));
    assertEquals("size_mismatch", e.reason());
  }

  @Test
  void signedValuesAreTheSameInEveryNativeTransferSyntax() throws Exception {
    for (String ts : new String[] {TestDicom.EXPLICIT_LE, TestDicom.IMPLICIT_LE, TestDicom.EXPLICIT_BE}) {
      DecodedImage d = DicomReader.decode(signedImage().write(ts));
      assertArrayEquals(SIGNED_VALUES, d.stored(), "transfer syntax " + ts);
      assertEquals(3, d.width());
      assertEquals(2, d.height());
      assertEquals(1, d.frames());
      assertEquals(6, d.pixelsPerFrame());
    }
  }

  @Test
  void bitsAboveBitsStoredAreIgnoredAndSignExtended() throws Exception {
    // 12 bits stored: 0xF123 -> 0x123 = 291; 0x0800 -> sign bit of 12 -> -2048; 0x7FF -> 2047; 0xFFF -> -1
    int[] raw = {0xF123, 0x0800, 0x07FF, 0x0FFF};
    DecodedImage signed = DicomReader.decode(TestDicom.image(2, 2, 16, 12, 1, "MONOCHROME2").pixels16(raw).write());
    assertArrayEquals(new int[] {291, -2048, 2047, -1}, signed.stored());
    DecodedImage unsigned = DicomReader.decode(TestDicom.image(2, 2, 16, 12, 0, "MONOCHROME2").pixels16(raw).write());
    assertArrayEquals(new int[] {291, 2048, 2047, 4095}, unsigned.stored());
  }

  @Test
  void multiFrameValuesAreFrameMajor() throws Exception {
    int[] values = {1, 2, 3, 4, 10, 20, 30, 40};
    DecodedImage d = DicomReader.decode(TestDicom.image(2, 2, 16, 16, 0, "MONOCHROME2")
        .set(Tags.NUMBER_OF_FRAMES, "2").pixels16(values).write());
    assertEquals(2, d.frames());
    assertArrayEquals(values, d.stored());
  }

  @Test
  void fewerBytesThanFramesNeedIsASizeMismatch() {
    byte[] file = TestDicom.image(2, 2, 16, 16, 0, "MONOCHROME2")
        .set(Tags.NUMBER_OF_FRAMES, "3").pixels16(1, 2, 3, 4, 5, 6, 7, 8).write();
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(file));
    assertEquals("size_mismatch", e.reason());
  }

  @Test
  void aWholeExtraFrameIsASizeMismatchButAPadByteIsNot() throws Exception {
    byte[] extraFrame = TestDicom.image(2, 2, 16, 16, 0, "MONOCHROME2").pixels16(1, 2, 3, 4, 5, 6, 7, 8).write();
    assertEquals("size_mismatch",
        assertThrows(DicomRejectException.class, () -> DicomReader.decode(extraFrame)).reason());
    // 3x3 8-bit = 9 bytes, written with the even-length pad byte
    DecodedImage odd = DicomReader.decode(TestDicom.image(3, 3, 8, 8, 0, "MONOCHROME2")
        .pixels8(1, 2, 3, 4, 5, 6, 7, 8, 9).write());
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, odd.stored());
  }

  @Test
  void fileWithoutPreambleDecodesLikeTheOriginal() throws Exception {
    byte[] file = signedImage().write(TestDicom.EXPLICIT_LE);
    byte[] bare = Arrays.copyOfRange(file, 132, file.length); // starts with the meta header group 0002
    assertArrayEquals(SIGNED_VALUES, DicomReader.decode(bare).stored());
  }

  @Test
  void nonDicomInputsAreNotDicom() {
    for (byte[] junk : new byte[][] {
        new byte[0],
        "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8),
        "just some text, long enough to look like something".getBytes(StandardCharsets.UTF_8),
        {(byte) 0x1F, (byte) 0x8B, 8, 0, 0, 0, 0, 0, 0, 3}}) {
      DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(junk));
      assertEquals("not_dicom", e.reason(), e.getMessage());
      assertEquals("not_dicom", assertThrows(DicomRejectException.class, () -> DicomReader.readHeader(junk)).reason());
    }
  }

  @Test
  void noPixelDataIsRejected() throws Exception {
    byte[] file = TestDicom.image(2, 2, 16, 16, 0, "MONOCHROME2").write();
    assertFalse(DicomReader.readHeader(file).hasPixelData());
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(file));
    assertEquals("no_pixel_data", e.reason());
  }

  @Test
  void unknownTransferSyntaxIsRejected() throws Exception {
    // written as explicit little endian, but the meta header names a transfer syntax nobody knows
    byte[] file = signedImage().write(TestDicom.EXPLICIT_LE);
    byte[] patched = replace(file, TestDicom.EXPLICIT_LE + "\0", "1.2.840.99999.9.9.9");
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(patched));
    assertEquals("unsupported_transfer_syntax", e.reason(), e.getMessage());
  }

  @Test
  void unsupportedBitDepthIsRejected() {
    byte[] file = TestDicom.image(2, 2, 12, 12, 0, "MONOCHROME2").pixels16(1, 2, 3).write();
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(file));
    assertEquals("unsupported_pixel_format", e.reason());
  }

  @Test
  void invalidNumberOfFramesIsRejected() {
    byte[] file = signedImage().set(Tags.NUMBER_OF_FRAMES, "1A").write();
    assertEquals(0, assertThrowsNothing(() -> DicomReader.readHeader(file)).numberOfFrames());
    assertEquals("unsupported_pixel_format",
        assertThrows(DicomRejectException.class, () -> DicomReader.decode(file)).reason());
  }

  @Test
  void planarRgbIsInterleaved() throws Exception {
    // 2 pixels: R plane (10, 20), G plane (30, 40), B plane (50, 60)
    byte[] file = TestDicom.image(1, 2, 8, 8, 0, "RGB").set(Tags.PLANAR_CONFIGURATION, "1")
        .pixels8(10, 20, 30, 40, 50, 60).write();
    DecodedImage d = DicomReader.decode(file);
    assertEquals(3, d.samplesPerPixel());
    assertEquals("RGB", d.photometric());
    assertArrayEquals(new int[] {10, 30, 50, 20, 40, 60}, d.stored());
  }

  @Test
  void uncompressedYbrFull422IsExpandedToYbrFull() throws Exception {
    // one pair of pixels: Y1=100 Y2=110 Cb=120 Cr=130
    byte[] file = TestDicom.image(1, 2, 8, 8, 0, "YBR_FULL_422").pixels8(100, 110, 120, 130).write();
    DecodedImage d = DicomReader.decode(file);
    assertEquals("YBR_FULL", d.photometric());
    assertArrayEquals(new int[] {100, 120, 130, 110, 120, 130}, d.stored());
  }

  @Test
  void paletteColourIsExpandedThroughThePalette() throws Exception {
    // 4-entry 16-bit palettes starting at index 0
    byte[] file = TestDicom.image(1, 3, 8, 8, 0, "PALETTE COLOR")
        .set(Tags.RED_PALETTE_DESCRIPTOR, "4", "0", "16")
        .set(Tags.GREEN_PALETTE_DESCRIPTOR, "4", "0", "16")
        .set(Tags.BLUE_PALETTE_DESCRIPTOR, "4", "0", "16")
        .words(Tags.RED_PALETTE_DATA, 0, 100, 200, 65535)
        .words(Tags.GREEN_PALETTE_DATA, 1, 101, 201, 301)
        .words(Tags.BLUE_PALETTE_DATA, 2, 102, 202, 302)
        .pixels8(3, 0, 2).write();
    DecodedImage d = DicomReader.decode(file);
    assertEquals("RGB", d.photometric());
    assertEquals(3, d.samplesPerPixel());
    assertEquals(16, d.sampleBits());
    assertArrayEquals(new int[] {65535, 301, 302, 0, 1, 2, 200, 201, 202}, d.stored());
  }

  @Test
  void oneBitPixelsAreUnpackedLeastSignificantBitFirst() throws Exception {
    // 2x4 = 8 pixels in one byte 0b1010_0110: pixel i is bit i
    byte[] file = TestDicom.image(2, 4, 1, 1, 0, "MONOCHROME2").pixels8(0b1010_0110).write();
    assertArrayEquals(new int[] {0, 1, 1, 0, 0, 1, 0, 1}, DicomReader.decode(file).stored());
  }

  @Test
  void pixelAttributesAreRead() throws Exception {
    byte[] file = signedImage()
        .set(Tags.RESCALE_SLOPE, "2.5").set(Tags.RESCALE_INTERCEPT, "-1024")
        .set(Tags.WINDOW_CENTER, "40", "300").set(Tags.WINDOW_WIDTH, "400", "1500")
        .set(Tags.VOI_LUT_FUNCTION, "SIGMOID")
        .set(Tags.PIXEL_PADDING_VALUE, "-2000")
        .write(TestDicom.IMPLICIT_LE);
    PixelAttributes a = DicomReader.decode(file).attributes();
    assertEquals(2.5, a.rescaleSlope());
    assertEquals(-1024, a.rescaleIntercept());
    assertArrayEquals(new double[] {40, 300}, a.windowCenters());
    assertArrayEquals(new double[] {400, 1500}, a.windowWidths());
    assertEquals("SIGMOID", a.voiLutFunction());
    assertEquals(-2000, a.pixelPaddingValue());
    assertNull(a.pixelPaddingRangeLimit());
    assertNull(a.modalityLut());
    assertTrue(a.voiLuts().isEmpty());
  }

  @Test
  void decodeFromPathReadsTheFile(@TempDir Path dir) throws Exception {
    Path file = signedImage().writeTo(dir.resolve("x.dcm"), TestDicom.EXPLICIT_LE);
    assertArrayEquals(SIGNED_VALUES, DicomReader.decode(file).stored());
    assertThrows(java.io.IOException.class, () -> DicomReader.decode(dir.resolve("missing.dcm")));
  }

  private interface HeaderCall {
    DicomHeader call() throws DicomRejectException;
  }

  private static DicomHeader assertThrowsNothing(HeaderCall call) {
    try {
      return call.call();
    } catch (DicomRejectException e) {
      throw new AssertionError("unexpected reject " + e, e);
    }
  }

  /** Replaces a byte string with another of the same length (padded with NUL). */
  private static byte[] replace(byte[] data, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    byte[] t = Arrays.copyOf(to.getBytes(StandardCharsets.US_ASCII), f.length);
    byte[] out = data.clone();
    for (int i = 0; i + f.length <= out.length; i++) {
      if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
        System.arraycopy(t, 0, out, i, t.length);
        return out;
      }
    }
    throw new AssertionError("pattern not found: " + from);
  }
}
