package org.radlab.core.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG writer for grey images: IHDR, IDAT, IEND and nothing else (no text, time or gamma chunks,
 * so no metadata can leak into a PNG). The bytes depend only on the pixels.
 */
public final class PngCodec {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int COMPRESSION_LEVEL = 3;

  private PngCodec() {}

  /**
   * Decodes a PNG with the JDK's PNG reader alone. {@code ImageIO.read} asks every registered reader whether it can
   * decode the stream first, and one of the DICOM libraries' readers prints a line to standard output each time it
   * is asked; a PNG never needs them.
   *
   * @throws IOException if the stream is not a readable PNG
   */
  public static java.awt.image.BufferedImage read(java.io.InputStream in) throws IOException {
    javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReadersByFormatName("png").next();
    try (javax.imageio.stream.ImageInputStream stream = javax.imageio.ImageIO.createImageInputStream(in)) {
      reader.setInput(stream, true, true);
      return reader.read(0);
    } catch (javax.imageio.IIOException e) {
      throw new IOException("not a readable PNG: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * An 8-bit greyscale PNG. Each value in [0,1] becomes {@code round(v * 255)}; values outside are clamped
   * and NaN becomes 0. Every row uses the PNG "Sub" filter and deflate runs at level 3: on a 1024x1024
   * rendering that was about 3x faster than level 6 for 10% more bytes, and smaller than Up or Paeth.
   */
  public static byte[] encode8bit(GrayImage img) {
    int w = img.width();
    int h = img.height();
    float[] data = img.data();
    byte[] raw = new byte[(w + 1) * h];
    for (int y = 0; y < h; y++) {
      int at = y * (w + 1);
      int in = y * w;
      raw[at] = 1; // Sub: each byte minus its left neighbour
      int left = 0;
      for (int x = 0; x < w; x++) {
        int v = to8bit(data[in + x]);
        raw[at + 1 + x] = (byte) (v - left);
        left = v;
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream(raw.length / 2 + 64);
    png.writeBytes(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, w);
    putInt(ihdr, 4, h);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 0; // colour type: greyscale
    ihdr[10] = 0; // deflate
    ihdr[11] = 0; // adaptive filtering
    ihdr[12] = 0; // no interlace
    chunk(png, "IHDR", ihdr, ihdr.length);
    Deflater deflater = new Deflater(COMPRESSION_LEVEL);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length / 2 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        z.write(buffer, 0, n);
      }
      byte[] compressed = z.toByteArray();
      chunk(png, "IDAT", compressed, compressed.length);
    } finally {
      deflater.end();
    }
    chunk(png, "IEND", new byte[0], 0);
    return png.toByteArray();
  }

  /** {@code round(clamp(v, 0, 1) * 255)}, NaN as 0. */
  static int to8bit(float v) {
    if (!(v > 0f)) {
      return 0;
    }
    if (v >= 1f) {
      return 255;
    }
    return (int) (v * 255f + 0.5f);
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] header = new byte[8];
    putInt(header, 0, length);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(typeBytes, 0, header, 4, 4);
    out.writeBytes(header);
    out.write(data, 0, length);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, 0, length);
    byte[] c = new byte[4];
    putInt(c, 0, (int) crc.getValue());
    out.writeBytes(c);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
