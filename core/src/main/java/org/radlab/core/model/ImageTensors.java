package org.radlab.core.model;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.radlab.core.dicom.DecodedImage;
import org.radlab.core.dicom.DicomReader;
import org.radlab.core.dicom.DicomRejectException;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;
import org.radlab.core.dicom.PixelPipeline;
import org.radlab.core.dicom.RenderOptions;

/**
 * One image made into a model's square input tensor the way prep makes a dataset's tensors: values in [0, 1],
 * aspect kept, padded to {@code side x side}. For an image someone uploads to be classified.
 */
public final class ImageTensors {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private ImageTensors() {}

  /**
   * A DICOM file's first frame through prep's pixel pipeline (modality LUT, VOI window, MONOCHROME1 inversion, and
   * the laterality flip for mammograms), square padded.
   *
   * @throws DicomRejectException with prep's reason (not DICOM, no pixel data, size mismatch, ...)
   */
  public static float[] fromDicom(byte[] file, int side) throws DicomRejectException {
    return fromDicom(file, side, new RenderOptions(0, true));
  }

  /**
   * As {@link #fromDicom(byte[], int)}, with a dataset's prep options: its window index, and whether it mirrors
   * right-breast mammograms (prep flips only images of modality MG, and so does this).
   */
  public static float[] fromDicom(byte[] file, int side, RenderOptions prep) throws DicomRejectException {
    return fromDicomRendered(file, side, prep).tensor();
  }

  /**
   * A DICOM file's tensor with the geometry of its rendering: the stored image's {@code columns} and {@code rows},
   * and whether the pipeline mirrored it (so that what a model finds in the tensor can be placed in the file's own
   * pixels).
   */
  public record Rendered(float[] tensor, int columns, int rows, boolean mirrored) {}

  /** As {@link #fromDicom(byte[], int, RenderOptions)}, with the rendering's geometry. */
  public static Rendered fromDicomRendered(byte[] file, int side, RenderOptions prep) throws DicomRejectException {
    DecodedImage image = DicomReader.decode(file);
    boolean mammogram = "MG".equalsIgnoreCase(image.header().modality());
    RenderOptions options = prep.withFlipByLaterality(prep.flipByLaterality() && mammogram);
    GrayImage rendered = PixelPipeline.render(image, 0, options);
    return new Rendered(ImageResize.squarePadded(rendered, side).data(), image.width(), image.height(),
        PixelPipeline.mirrors(image.header(), options));
  }

  /**
   * A PNG as grey values in [0, 1] (8 or 16 bits; colour becomes luminance), square padded. A dataset's PNGs are
   * prep's rendered images, so this reproduces their tensors up to 8-bit rounding.
   *
   * @throws IOException if the bytes are not a readable PNG
   */
  public static float[] fromPng(byte[] png, int side) throws IOException {
    if (!isPng(png)) {
      throw new IOException("not a PNG file (no PNG signature)");
    }
    BufferedImage img = org.radlab.core.dicom.PngCodec.read(new ByteArrayInputStream(png));
    return ImageResize.squarePadded(gray(img), side).data();
  }

  /** A PNG's {width, height}, read from its header. */
  public static int[] pngSize(byte[] png) throws IOException {
    if (!isPng(png) || png.length < 24) {
      throw new IOException("not a PNG");
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png, 16, 8); // IHDR's width and height, big endian
    return new int[] {b.getInt(), b.getInt()};
  }

  public static boolean isPng(byte[] bytes) {
    if (bytes.length < PNG_SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < PNG_SIGNATURE.length; i++) {
      if (bytes[i] != PNG_SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** True if the bytes carry the DICOM preamble's {@code DICM} marker. */
  public static boolean isDicom(byte[] bytes) {
    return bytes.length >= 132 && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C' && bytes[131] == 'M';
  }

  private static GrayImage gray(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] v = new float[w * h];
    Raster r = img.getRaster();
    boolean colour = img.getColorModel().getNumColorComponents() >= 3;
    double max = (1L << img.getColorModel().getComponentSize(0)) - 1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double g = colour
            ? (0.299 * r.getSample(x, y, 0) + 0.587 * r.getSample(x, y, 1) + 0.114 * r.getSample(x, y, 2))
            : r.getSample(x, y, 0);
        v[y * w + x] = (float) (g / max);
      }
    }
    return new GrayImage(w, h, v);
  }
}
