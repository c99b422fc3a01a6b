package org.radlab.core.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The size an uploaded image declares in its header, checked against {@link ImageBounds} before anything decodes
 * it: a PNG's IHDR chunk, a DICOM file's Image Pixel Module, or for any other format ImageIO's reader asked for the
 * width and height alone (which reads the header, not the pixels). A 74-byte PNG can declare 40000 x 40000 pixels;
 * decoding it would allocate gigabytes.
 */
public final class DeclaredSize {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private DeclaredSize() {}

  /**
   * Null when the image's declared size fits {@code bounds} or its header cannot be read (the decoder then says
   * what is wrong), else the detail naming the dimensions and the bound they exceed.
   */
  public static String exceeded(byte[] image, ImageBounds bounds) {
    if (startsWith(image, PNG_SIGNATURE)) {
      return png(image, bounds);
    }
    DicomHeader h = dicomHeader(image);
    if (h != null) {
      return bounds.exceeded(h.rows(), h.columns(), h.numberOfFrames(), Math.max(1, h.samplesPerPixel()),
          h.bitsAllocated());
    }
    return otherImage(image, bounds);
  }

  /** IHDR is the first chunk: length 13, "IHDR", width, height (big endian), bit depth, colour type. */
  private static String png(byte[] b, ImageBounds bounds) {
    if (b.length < 26 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
      return null;
    }
    long width = u32(b, 16);
    long height = u32(b, 20);
    int channels = switch (b[25]) {
      case 2 -> 3; // RGB
      case 4 -> 2; // grey and alpha
      case 6 -> 4; // RGB and alpha
      default -> 1; // grey, palette index
    };
    return bounds.exceeded(width, height, channels);
  }

  /** The header of a DICOM file (with or without its preamble), or null for anything else. */
  private static DicomHeader dicomHeader(byte[] file) {
    try {
      return DicomReader.readHeader(file);
    } catch (DicomRejectException e) {
      return null;
    }
  }

  private static String otherImage(byte[] image, ImageBounds bounds) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return bounds.exceeded(reader.getWidth(0), reader.getHeight(0), 3);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
  }
}
