package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngCodecTest {

  /** Chunk types in order, checking every CRC on the way. */
  private static List<String> chunkTypes(byte[] png) {
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assertArrayEquals(signature, java.util.Arrays.copyOf(png, 8));
    ByteBuffer b = ByteBuffer.wrap(png, 8, png.length - 8);
    List<String> types = new ArrayList<>();
    while (b.hasRemaining()) {
      int length = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      byte[] data = new byte[length];
      b.get(data);
      CRC32 crc = new CRC32();
      crc.update(type);
      crc.update(data);
      assertEquals((int) crc.getValue(), b.getInt(), "CRC of " + new String(type, StandardCharsets.US_ASCII));
      types.add(new String(type, StandardCharsets.US_ASCII));
    }
    return types;
  }

  private static int[] decodedGrey(byte[] png) throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
    return img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
  }

  @Test
  void onlyImageChunksAreWritten() {
    byte[] png = PngCodec.encode8bit(new GrayImage(2, 2, new float[] {0f, 1f, 0.5f, 0.25f}));
    assertEquals(List.of("IHDR", "IDAT", "IEND"), chunkTypes(png));
    String ascii = new String(png, StandardCharsets.ISO_8859_1);
    for (String text : new String[] {"tEXt", "iTXt", "zTXt", "tIME"}) {
      assertEquals(-1, ascii.indexOf(text), text);
    }
  }

  @Test
  void valuesRoundToEightBitsAndClamp() throws Exception {
    // round(v * 255): 0 -> 0, 0.5 -> 127.5 -> 128, 1 -> 255, 0.25 -> 63.75 -> 64; NaN -> 0; 2 -> 255; -1 -> 0
    GrayImage img = new GrayImage(4, 2, new float[] {0f, 0.5f, 1f, 0.25f, Float.NaN, 2f, -1f, 0.1f});
    // 0.1 -> 25.5 -> 26
    assertArrayEquals(new int[] {0, 128, 255, 64, 0, 255, 0, 26}, decodedGrey(PngCodec.encode8bit(img)));
  }

  @Test
  void aLargerImageRoundTripsAndIsDeterministic() throws Exception {
    Random random = new Random(7);
    int w = 257;
    int h = 131;
    float[] d = new float[w * h];
    int[] expected = new int[w * h];
    for (int i = 0; i < d.length; i++) {
      int level = random.nextInt(256);
      d[i] = level / 255f;
      expected[i] = level;
    }
    GrayImage img = new GrayImage(w, h, d);
    byte[] first = PngCodec.encode8bit(img);
    assertArrayEquals(expected, decodedGrey(first));
    assertArrayEquals(first, PngCodec.encode8bit(new GrayImage(w, h, d.clone())));
  }
}
