package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;
import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CompressedFrameDecoder;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TransferSyntax;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;

/**
 * Pixel data that is not read directly from the file's bytes goes through a full PixelMed read with
 * PixelMed's own decompression switched off: native data in big endian or deflated syntaxes comes back as
 * OB/OW values; encapsulated data comes back as compressed frames, which are then decoded one at a time
 * (JPEG family and JPEG 2000 through PixelMed's {@link CompressedFrameDecoder}, RLE by {@link RleDecoder}).
 * Every decoded frame is checked against Rows, Columns and SamplesPerPixel, so a codec that returns a
 * different size or nothing at all is a reject, never zeros.
 */
final class PixelMedDecoder {
  /** PixelMed rescans the ImageIO registry in every decoder constructor; that scan is not thread-safe. */
  private static final Object CODEC_LOCK = new Object();

  private PixelMedDecoder() {}

  /**
   * Decodes, or returns {@code null} when the pixel data should go to the external decoder instead (JPEG 2000
   * frames that jai-imageio would decode incompletely, see {@link J2kCodestream}).
   */
  static Samples decode(byte[] file, ParsedDicom parsed, PixelLayout layout) throws DicomRejectException {
    String ts = parsed.datasetTransferSyntax();
    NativePixelReader.checkBigEndianLength(file, parsed, layout);
    DeflatedPixelData.checkLength(file, parsed, layout);
    Attribute pixelData = readPixelDataAttribute(file);
    try {
      TransferSyntax syntax = new TransferSyntax(ts);
      if (pixelData instanceof OtherByteAttributeMultipleCompressedFrames compressed) {
        byte[][] frames = compressed.getFrames();
        if (frames == null || frames.length == 0) {
          throw new DicomRejectException(DECODE_FAILED, "encapsulated Pixel Data has no frames");
        }
        if (frames.length != layout.frames()) {
          throw new DicomRejectException(DECODE_FAILED, "encapsulated Pixel Data holds " + frames.length
              + " frames, NumberOfFrames says " + layout.frames());
        }
        if (TransferSyntaxes.RLE.equals(ts)) {
          return Samples.of(RleDecoder.decode(frames, layout), layout);
        }
        CodestreamSize.check(frames, layout, ts);
        if (TransferSyntaxes.isJpeg2000(ts)) {
          for (byte[] frame : frames) {
            if (J2kCodestream.hasUndeclaredTileParts(frame)) {
              return null;
            }
          }
        }
        return decodeWithImageIo(ts, frames, layout);
      }
      if (syntax.isEncapsulated()) {
        throw new DicomRejectException(DECODE_FAILED, "Pixel Data is not encapsulated although transfer syntax " + ts
            + " requires it");
      }
      return Samples.of(nativeValues(pixelData, syntax.isBigEndian(), layout), layout);
    } catch (DicomRejectException e) {
      throw e;
    } catch (Throwable t) {
      Failures.rethrowIfFatal(t);
      throw new DicomRejectException(DECODE_FAILED, "cannot decode " + TransferSyntaxes.name(ts) + " pixel data: "
          + Failures.describe(t), t);
    }
  }

  private static Attribute readPixelDataAttribute(byte[] file) throws DicomRejectException {
    AttributeList list = new AttributeList();
    list.setDecompressPixelData(false);
    try (DicomInputStream in = DicomParser.openStream(file)) {
      list.read(in);
    } catch (DicomRejectException e) {
      throw e;
    } catch (Throwable t) {
      Failures.rethrowIfFatal(t);
      throw new DicomRejectException(DECODE_FAILED, "cannot read Pixel Data: " + Failures.describe(t), t);
    }
    Attribute pixelData = list.get(Tags.PIXEL_DATA);
    if (pixelData == null) {
      throw new DicomRejectException(DECODE_FAILED, "the Pixel Data element could not be read (truncated file?)");
    }
    return pixelData;
  }

  private static int[] nativeValues(Attribute pixelData, boolean bigEndian, PixelLayout layout) throws Exception {
    if (pixelData instanceof OtherWordAttribute) {
      short[] words = pixelData.getShortValues();
      NativeSamples.checkLength(2L * words.length, layout, "Pixel Data");
      return NativeSamples.fromWords(words, bigEndian, layout);
    }
    byte[] bytes = pixelData.getByteValues();
    if (bytes == null) {
      throw new DicomRejectException(DECODE_FAILED, "Pixel Data has no value");
    }
    NativeSamples.checkLength(bytes.length, layout, "Pixel Data");
    return NativeSamples.fromBytes(bytes, 0, bigEndian, layout);
  }

  private static Samples decodeWithImageIo(String ts, byte[][] frames, PixelLayout layout) throws Throwable {
    if (layout.bitsAllocated() > 16) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, TransferSyntaxes.name(ts) + " with "
          + layout.bitsAllocated() + " bits allocated");
    }
    int spp = layout.samplesPerPixel();
    ColorSpace colorSpace = ColorSpace.getInstance(spp == 3 ? ColorSpace.CS_sRGB : ColorSpace.CS_GRAY);
    CompressedFrameDecoder decoder;
    synchronized (CODEC_LOCK) {
      decoder = new CompressedFrameDecoder(ts, frames, layout.bitsAllocated() > 8 ? 2 : 1, layout.columns(),
          layout.rows(), spp, colorSpace, layout.photometric().startsWith("YBR"));
    }
    try {
      int ppf = Math.toIntExact(layout.pixelsPerFrame());
      int[] out = new int[Math.toIntExact(layout.totalSamples())];
      for (int f = 0; f < frames.length; f++) {
        BufferedImage image = decoder.getDecompressedFrameAsBufferedImage(f);
        copySamples(image, f, layout, out, f * ppf * spp);
      }
      NativeSamples.toStored(out, layout, false);
      String photometric = layout.photometric();
      if (spp == 3 && decoder.getColorSpaceConvertedToRGBDuringDecompression()) {
        photometric = "RGB";
      }
      if (spp == 3 && !photometric.equals("RGB") && !photometric.equals("YBR_FULL")) {
        throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "colour left in " + photometric + " after decoding");
      }
      return new Samples(out, photometric, spp, layout.bitsStored());
    } finally {
      try {
        decoder.dispose();
      } catch (Throwable ignored) {
        // releasing the ImageIO reader must not hide the decode result
      }
    }
  }

  private static void copySamples(BufferedImage image, int frame, PixelLayout layout, int[] out, int at)
      throws DicomRejectException {
    if (image == null) {
      throw new DicomRejectException(DECODE_FAILED, "codec returned no image for frame " + frame);
    }
    Raster raster = image.getRaster();
    int w = layout.columns();
    int h = layout.rows();
    if (raster.getWidth() != w || raster.getHeight() != h || raster.getNumBands() != layout.samplesPerPixel()) {
      throw new DicomRejectException(DECODE_FAILED, "codec returned " + raster.getWidth() + "x" + raster.getHeight()
          + "x" + raster.getNumBands() + " for frame " + frame + ", header says " + w + "x" + h + "x"
          + layout.samplesPerPixel());
    }
    if (!copyDirectly(raster, out, at)) {
      int[] samples = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
      System.arraycopy(samples, 0, out, at, samples.length);
    }
  }

  /**
   * Copies samples straight from the data buffer of an untranslated component raster (what the JPEG and JPEG
   * 2000 readers return), several times faster than {@link Raster#getPixels}. False for any other layout.
   */
  private static boolean copyDirectly(Raster raster, int[] out, int at) {
    if (!(raster.getSampleModel() instanceof ComponentSampleModel model) || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0 || raster.getMinX() != 0 || raster.getMinY() != 0) {
      return false;
    }
    DataBuffer buffer = raster.getDataBuffer();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    int pixelStride = model.getPixelStride();
    int scanlineStride = model.getScanlineStride();
    for (int b = 0; b < bands; b++) {
      int bank = model.getBankIndices()[b];
      int start = buffer.getOffsets()[bank] + model.getBandOffsets()[b];
      if (buffer instanceof DataBufferUShort ushort) {
        short[] data = ushort.getData(bank);
        for (int y = 0; y < h; y++) {
          int p = start + y * scanlineStride;
          int o = at + y * w * bands + b;
          for (int x = 0; x < w; x++, p += pixelStride, o += bands) {
            out[o] = data[p] & 0xFFFF;
          }
        }
      } else if (buffer instanceof DataBufferShort signed) {
        short[] data = signed.getData(bank);
        for (int y = 0; y < h; y++) {
          int p = start + y * scanlineStride;
          int o = at + y * w * bands + b;
          for (int x = 0; x < w; x++, p += pixelStride, o += bands) {
            out[o] = data[p];
          }
        }
      } else if (buffer instanceof DataBufferByte bytes) {
        byte[] data = bytes.getData(bank);
        for (int y = 0; y < h; y++) {
          int p = start + y * scanlineStride;
          int o = at + y * w * bands + b;
          for (int x = 0; x < w; x++, p += pixelStride, o += bands) {
            out[o] = data[p] & 0xFF;
          }
        }
      } else {
        return false;
      }
    }
    return true;
  }
}
