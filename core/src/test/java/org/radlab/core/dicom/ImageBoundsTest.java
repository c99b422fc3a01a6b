package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pixelmed.dicom.AttributeTag;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * Files that declare far more pixels than they hold are refused from their headers, before any decoder allocates:
 * the attacks of issue 16 (a 74-byte PNG declaring 40000 x 40000 pixels, an RLE file with patched Rows and Columns,
 * native pixel data shorter than its header says) and the bounds a site can set.
 */
class ImageBoundsTest {
  @TempDir Path tmp;

  /** 64 x 64 unsigned 16-bit values, a gradient with every value different from its neighbours. */
  private static int[] gradient() {
    int[] v = new int[64 * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37) % 4096;
    }
    return v;
  }

  private static TestDicom sixteenBit() {
    return TestDicom.image(64, 64, 16, 16, 0, "MONOCHROME2").pixels16(gradient());
  }

  /** A real RLE file: PixelMed writes explicit little endian, dcmtk's dcmcrle compresses it. */
  private Path rleFile() throws Exception {
    assumeTrue(DicomTools.available("dcmcrle"), "dcmtk's dcmcrle is needed");
    Path plain = sixteenBit().writeTo(tmp.resolve("plain.dcm"), TestDicom.EXPLICIT_LE);
    Path rle = tmp.resolve("rle.dcm");
    DicomTools.Run r = DicomTools.run(tmp, "/usr/bin/dcmcrle", plain.toString(), rle.toString());
    assertTrue(r.ok(), r.output());
    return rle;
  }

  @Test
  void anRleFileWithRowsAndColumnsPatchedTo40000IsTooLargeFromItsHeader() throws Exception {
    byte[] rle = Files.readAllBytes(rleFile());
    assertEquals(TransferSyntaxes.RLE, DicomReader.readHeader(rle).transferSyntaxUid());
    assertArrayEquals(gradient(), DicomReader.decode(rle).stored(), "the unpatched file decodes to its values");

    byte[] patched = patchUs(patchUs(rle, 0x0010, 40000, false), 0x0011, 40000, false);
    assertEquals(rle.length, patched.length, "only the two values changed");
    assertEquals(40000, DicomReader.readHeader(patched).rows());
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(patched));
    assertEquals("too_large", e.reason());
    assertEquals("40000 x 40000 pixels exceeds the limit of 8192 x 8192 pixels (columns x rows)", e.getMessage());
    assertEquals(e.getMessage(), DeclaredSize.exceeded(patched, ImageBounds.defaults()), "uploads are checked alike");
  }

  @Test
  void anRleFileDeclaringMoreThanItsSegmentsCanHoldIsRefusedBeforeDecoding() throws Exception {
    byte[] rle = Files.readAllBytes(rleFile());
    // 4000 x 4000 is within the bounds, but each segment would have to expand 16 million bytes out of a few
    // thousand: PackBits makes at most 64 bytes per byte.
    byte[] patched = patchUs(patchUs(rle, 0x0010, 4000, false), 0x0011, 4000, false);
    assertNull(DeclaredSize.exceeded(patched, ImageBounds.defaults()));
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(patched));
    assertEquals("size_mismatch", e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("too few to decode to the 16000000 bytes of 4000 x 4000 pixels"),
        e.getMessage());
  }

  @Test
  void sixteenBitNativePixelDataShorterThanItsDeclaredSizeIsASizeMismatch() throws Exception {
    for (String ts : new String[] {TestDicom.EXPLICIT_LE, TestDicom.IMPLICIT_LE, TestDicom.EXPLICIT_BE}) {
      byte[] file = sixteenBit().write(ts);
      assertArrayEquals(gradient(), DicomReader.decode(file).stored(), ts);
      boolean bigEndian = ts.equals(TestDicom.EXPLICIT_BE);
      byte[] patched = patchUs(patchUs(file, 0x0010, 4000, bigEndian), 0x0011, 4000, bigEndian);
      DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(patched), ts);
      assertEquals("size_mismatch", e.reason(), ts + ": " + e.getMessage());
      // 64 x 64 x 2 bytes are there; 4000 x 4000 x 2 are declared
      assertTrue(e.getMessage().contains("holds 8192 bytes but 4000x4000x1 samples x 1 frames at 16 bits need "
          + "32000000"), ts + ": " + e.getMessage());
      byte[] huge = patchUs(patchUs(file, 0x0010, 40000, bigEndian), 0x0011, 40000, bigEndian);
      assertEquals("too_large", assertThrows(DicomRejectException.class, () -> DicomReader.decode(huge)).reason());
    }
  }

  @Test
  void aBigEndianPixelDataLengthBeyondTheFileIsRefusedBeforePixelMedAllocatesIt() throws Exception {
    byte[] file = sixteenBit().write(TestDicom.EXPLICIT_BE);
    // Pixel Data in explicit VR big endian: 7FE0 0010 "OW" 0000 and a 4-byte length, 8192
    int at = indexOf(file, new byte[] {0x7F, (byte) 0xE0, 0x00, 0x10, 'O', 'W', 0, 0});
    assertEquals(8192, ByteBuffer.wrap(file, at + 8, 4).getInt());
    byte[] patched = file.clone();
    ByteBuffer.wrap(patched, at + 8, 4).putInt(0x7FFFFFF0);
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(patched));
    assertEquals("size_mismatch", e.reason());
    assertEquals("Pixel Data is truncated: the element declares 2147483632 bytes but the file ends after 8192",
        e.getMessage());
  }

  @Test
  void aJpegFrameWhoseStreamDeclaresMorePixelsThanTheHeaderIsRefusedBeforeImageIoDecodesIt() throws Exception {
    assumeTrue(DicomTools.available("img2dcm"), "dcmtk's img2dcm is needed");
    BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 128; i++) {
      image.getRaster().setSample(i % 16, i / 16, 0, i * 2);
    }
    Path jpeg = tmp.resolve("frame.jpg");
    Files.write(jpeg, encode(image, "jpeg"));
    Path dicom = tmp.resolve("jpeg.dcm");
    DicomTools.Run r = DicomTools.run(tmp, "/usr/bin/img2dcm", jpeg.toString(), dicom.toString());
    assertTrue(r.ok(), r.output());
    byte[] file = Files.readAllBytes(dicom);
    assertEquals(TransferSyntaxes.JPEG_BASELINE, DicomReader.readHeader(file).transferSyntaxUid());
    assertEquals(16 * 8, DicomReader.decode(file).stored().length, "the file as written decodes");
    // SOF0 inside the pixel data: FF C0, length 11, precision 8, height 8, width 16
    int sof = indexOf(file, new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 11, 8, 0, 8, 0, 16});
    assertTrue(sof > 0);
    ByteBuffer.wrap(file, sof + 5, 4).putShort((short) 40000).putShort((short) 40000);
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(file));
    assertEquals("decode_failed", e.reason(), e.getMessage());
    assertEquals("the compressed stream of frame 0 declares 40000 x 40000 pixels, the header 16 x 8", e.getMessage());
  }

  @Test
  void aJpeg2000FrameWhoseSizSegmentDeclaresMorePixelsIsRefused() throws Exception {
    assumeTrue(DicomTools.available("gdcmconv"), "GDCM's gdcmconv is needed");
    Path plain = TestDicom.image(64, 64, 16, 12, 0, "MONOCHROME2").pixels16(gradient())
        .writeTo(tmp.resolve("plain12.dcm"), TestDicom.EXPLICIT_LE);
    Path j2k = tmp.resolve("j2k.dcm");
    DicomTools.Run r = DicomTools.run(tmp, "/usr/bin/gdcmconv", "--j2k", plain.toString(), j2k.toString());
    assertTrue(r.ok(), r.output());
    byte[] file = Files.readAllBytes(j2k);
    assertArrayEquals(gradient(), DicomReader.decode(file).stored(), "the file as written decodes");
    // SOC, SIZ: FF 4F FF 51, Lsiz (2), Rsiz (2), Xsiz (4), Ysiz (4), XOsiz (4), YOsiz (4)
    int siz = indexOf(file, new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51}) + 2;
    assertEquals(64, ByteBuffer.wrap(file, siz + 6, 4).getInt());
    ByteBuffer.wrap(file, siz + 6, 8).putInt(40000).putInt(30000);
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(file));
    assertEquals("the compressed stream of frame 0 declares 40000 x 30000 pixels, the header 64 x 64", e.getMessage());
  }

  @Test
  void aDeflatedPixelDataLengthOf4GbIsRefusedBeforePixelMedAllocatesIt() throws Exception {
    String deflated = "1.2.840.10008.1.2.1.99";
    // PixelMed's file meta information for a deflated file, then the data set deflated here (raw deflate)
    byte[] reference = sixteenBit().write(deflated);
    int metaEnd = 144 + ByteBuffer.wrap(reference, 140, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    byte[] explicit = sixteenBit().write(TestDicom.EXPLICIT_LE);
    int explicitMetaEnd = 144 + ByteBuffer.wrap(explicit, 140, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    byte[] dataSet = java.util.Arrays.copyOfRange(explicit, explicitMetaEnd, explicit.length);
    byte[] file = concat(java.util.Arrays.copyOf(reference, metaEnd), rawDeflate(dataSet));
    assertArrayEquals(gradient(), DicomReader.decode(file).stored(), "the composed file is a valid deflated file");

    int at = indexOf(dataSet, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0});
    ByteBuffer.wrap(dataSet, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0xFFFFFFF0);
    byte[] bomb = concat(java.util.Arrays.copyOf(reference, metaEnd), rawDeflate(dataSet));
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(bomb));
    assertEquals("size_mismatch", e.reason(), e.getMessage());
    assertEquals("Pixel Data holds 4294967280 bytes, at least a frame more than the 8192 the header implies (is "
        + "NumberOfFrames 1 right?)", e.getMessage());
  }

  private static byte[] rawDeflate(byte[] data) {
    Deflater deflater = new Deflater(9, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aHeaderElementDeclaringGigabytesIsRefusedBeforePixelMedAllocatesIt() throws Exception {
    AttributeTag privateTag = new AttributeTag(0x0009, 0x1010);
    byte[] flat = sixteenBit().words(privateTag, 1, 2, 3, 4).write();
    byte[] nested = sixteenBit().sequence(new AttributeTag(0x0009, 0x1020),
        TestDicom.empty().words(privateTag, 1, 2, 3, 4).list()).write();
    for (byte[] file : new byte[][] {flat, nested}) {
      assertArrayEquals(gradient(), DicomReader.decode(file).stored(), "the file as written decodes");
      // (0009,1010) "OW" 0000 and its 4-byte length, 8
      int at = indexOf(file, new byte[] {0x09, 0x00, 0x10, 0x10, 'O', 'W', 0, 0});
      assertEquals(8, ByteBuffer.wrap(file, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
      byte[] bomb = file.clone();
      ByteBuffer.wrap(bomb, at + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x7FFFFFF0);
      DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.readHeader(bomb));
      assertEquals("decode_failed", e.reason());
      assertEquals("malformed DICOM header: element (0009,1010) declares 2147483632 bytes but the file ends "
          + (bomb.length - at - 12) + " bytes after its header", e.getMessage());
      assertNull(DeclaredSize.exceeded(bomb, ImageBounds.defaults()), "nothing to measure; decoding says why");
    }
    // 26 bytes of implicit VR without a preamble: a SOP Class UID and a private element declaring 2 GB
    ByteBuffer implicit = ByteBuffer.allocate(26).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    implicit.putShort((short) 0x0008).putShort((short) 0x0016).putInt(6)
        .put("1.2.3\0".getBytes(StandardCharsets.US_ASCII));
    implicit.putShort((short) 0x0009).putShort((short) 0x1010).putInt(0x7FFFFFF0).put(new byte[] {'A', 'B', 'C', 'D'});
    DicomRejectException e = assertThrows(DicomRejectException.class,
        () -> DicomReader.readHeader(implicit.array()));
    assertEquals("not_dicom", e.reason(), "no preamble: not taken for DICOM");
    assertEquals("malformed DICOM header: element (0009,1010) declares 2147483632 bytes but the file ends 4 bytes "
        + "after its header", e.getMessage());
  }

  @Test
  void framesSamplesBitsAndDecodedBytesAreBounded() throws Exception {
    // The frame bound is checked before the pixel data's length.
    byte[] frames = TestDicom.image(2, 2, 8, 8, 0, "MONOCHROME2").set(Tags.NUMBER_OF_FRAMES, "5000")
        .pixels8(1, 2, 3, 4).write();
    DicomRejectException e = assertThrows(DicomRejectException.class, () -> DicomReader.decode(frames));
    assertEquals("too_large", e.reason());
    assertEquals("5000 frames exceed the limit of 4096", e.getMessage());

    // 8192 x 8192 x 5 frames fits each dimension; 8192 * 8192 * 5 * 4 = 1342177280 bytes does not fit 1 GiB.
    byte[] volume = TestDicom.image(8192, 8192, 8, 8, 0, "MONOCHROME2").set(Tags.NUMBER_OF_FRAMES, "5")
        .pixels8(1, 2, 3, 4).write();
    assertEquals("8192 x 8192 pixels x 1 sample(s) x 5 frame(s) decode to 1342177280 bytes, more than the limit "
        + "of 1073741824", assertThrows(DicomRejectException.class, () -> DicomReader.decode(volume)).getMessage());

    ImageBounds sixteenBits = new ImageBounds(0, 0, 0, 1, 16, 0);
    byte[] thirtyTwo = TestDicom.image(2, 2, 32, 32, 0, "MONOCHROME2").pixels16(1, 0, 2, 0, 3, 0, 4, 0).write();
    assertArrayEquals(new int[] {1, 2, 3, 4}, DicomReader.decode(thirtyTwo).stored());
    assertEquals("32 bits allocated exceed the limit of 16",
        assertThrows(DicomRejectException.class, () -> DicomReader.decode(thirtyTwo, sixteenBits)).getMessage());
    byte[] rgb = TestDicom.image(1, 2, 8, 8, 0, "RGB").pixels8(1, 2, 3, 4, 5, 6).write();
    assertEquals("3 samples per pixel exceed the limit of 1",
        assertThrows(DicomRejectException.class, () -> DicomReader.decode(rgb, sixteenBits)).getMessage());
  }

  @Test
  void aSiteSetsItsOwnBoundsInTheWorkspace() throws Exception {
    assertEquals(ImageBounds.defaults(), ImageBounds.load(tmp), "no file: the defaults");
    assertEquals(new ImageBounds(8192, 8192, 4096, 3, 32, 1L << 30), ImageBounds.defaults());
    byte[] file = sixteenBit().write();

    Files.writeString(tmp.resolve("image-limits.json"), "{\"maxRows\": 32}");
    ImageBounds site = ImageBounds.load(tmp);
    assertEquals(new ImageBounds(32, 8192, 4096, 3, 32, 1L << 30), site, "missing fields keep their defaults");
    assertEquals("64 x 64 pixels exceeds the limit of 8192 x 32 pixels (columns x rows)",
        assertThrows(DicomRejectException.class, () -> DicomReader.decode(file, site)).getMessage());

    Files.writeString(tmp.resolve("image-limits.json"), "{\"maxRows\": 40000, \"maxColumns\": 40000}");
    assertEquals(40000, ImageBounds.load(tmp).maxRows(), "a site may raise a bound");

    for (String bad : new String[] {"{\"maxRow\": 32}", "{\"maxRows\": -1}", "not json"}) {
      Files.writeString(tmp.resolve("image-limits.json"), bad);
      IOException e = assertThrows(IOException.class, () -> ImageBounds.load(tmp), bad);
      assertTrue(e.getMessage().contains("image-limits.json is not valid image bounds"), e.getMessage());
    }
  }

  @Test
  void aTinyPngDeclaring40000By40000PixelsIsRefusedFromItsHeader() throws Exception {
    byte[] png = pngDeclaring(40000, 40000);
    assertTrue(png.length < 80, "a few dozen bytes: " + png.length);
    assertEquals("40000 x 40000 pixels exceeds the limit of 8192 x 8192 pixels (width x height)",
        DeclaredSize.exceeded(png, ImageBounds.defaults()));
    assertEquals("60000 x 10 pixels exceeds the limit of 8192 x 8192 pixels (width x height)",
        DeclaredSize.exceeded(pngDeclaring(60000, 10), ImageBounds.defaults()));
    // within the sides but not the bytes: 8000 x 8000 RGBA = 8000 * 8000 * 4 samples * 4 bytes
    byte[] rgba = pngDeclaring(8000, 8000);
    rgba[25] = 6;
    assertEquals("8000 x 8000 pixels x 4 channel(s) decode to 1024000000 bytes, more than the limit of 1000000000",
        DeclaredSize.exceeded(rgba, new ImageBounds(0, 0, 0, 0, 0, 1_000_000_000)));

    BufferedImage small = new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_GRAY);
    assertNull(DeclaredSize.exceeded(encode(small, "png"), ImageBounds.defaults()));
    assertEquals("300 x 200 pixels exceeds the limit of 8192 x 100 pixels (width x height)",
        DeclaredSize.exceeded(encode(small, "png"), new ImageBounds(100, 0, 0, 0, 0, 0)));
  }

  @Test
  void aJpegIsMeasuredByImageIoWithoutDecodingIt() throws Exception {
    byte[] jpeg = encode(new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
    assertNull(DeclaredSize.exceeded(jpeg, ImageBounds.defaults()));
    // SOF0: FF C0, length (2), precision (1), height (2), width (2)
    int sof = indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0});
    assertEquals(8, ByteBuffer.wrap(jpeg, sof + 5, 2).getShort());
    ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) 40000).putShort((short) 50000);
    assertEquals("50000 x 40000 pixels exceeds the limit of 8192 x 8192 pixels (width x height)",
        DeclaredSize.exceeded(jpeg, ImageBounds.defaults()));
  }

  /**
   * A complete, valid PNG of 8-bit grey that declares {@code width x height} pixels but carries one compressed row:
   * signature, IHDR, an IDAT of a few bytes and IEND, with their CRCs.
   */
  static byte[] pngDeclaring(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
        .put((byte) 0).put((byte) 0).put((byte) 0).array());
    Deflater deflater = new Deflater(9);
    deflater.setInput(new byte[] {0, 0, 0, 0});
    deflater.finish();
    byte[] idat = new byte[64];
    int n = deflater.deflate(idat);
    chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out));
    return out.toByteArray();
  }

  /**
   * Overwrites the US value of element (0028,eeee) in place: explicit VR {@code gggg eeee "US" 0002 vvvv}, implicit
   * VR {@code gggg eeee 00000002 vvvv}, in the file's byte order.
   */
  static byte[] patchUs(byte[] file, int element, int value, boolean bigEndian) {
    ByteBuffer tag = ByteBuffer.allocate(4).order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN
        : java.nio.ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0028).putShort((short) element);
    byte[] explicit = ByteBuffer.allocate(8).put(tag.array()).put((byte) 'U').put((byte) 'S')
        .put(bigEndian ? new byte[] {0, 2} : new byte[] {2, 0}).array();
    byte[] implicit = ByteBuffer.allocate(8).put(tag.array()).put(new byte[] {2, 0, 0, 0}).array();
    int at = indexOf(file, explicit);
    if (at < 0) {
      at = indexOf(file, implicit);
    }
    assertTrue(at >= 0, "element (0028," + Integer.toHexString(element) + ") not found");
    byte[] out = file.clone();
    out[at + 8] = (byte) (bigEndian ? value >> 8 : value);
    out[at + 9] = (byte) (bigEndian ? value : value >> 8);
    return out;
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    for (int i = 0; i + pattern.length <= data.length; i++) {
      if (java.util.Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    return -1;
  }
}
