package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.UNSUPPORTED_PIXEL_FORMAT;

import com.pixelmed.dicom.AttributeList;

/** PALETTE COLOR (PS3.3 C.7.6.3.1.5): indices expanded through the red, green and blue palette LUTs to RGB. */
final class Palette {
  private Palette() {}

  static Samples expand(Samples indices, AttributeList list, PixelLayout layout) throws DicomRejectException {
    if (list.get(Tags.SEGMENTED_RED_PALETTE_DATA) != null) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "segmented palette colour LUTs are not supported");
    }
    boolean signed = layout.signed();
    Lut red = LutReader.read(list, Tags.RED_PALETTE_DESCRIPTOR, Tags.RED_PALETTE_DATA, signed);
    Lut green = LutReader.read(list, Tags.GREEN_PALETTE_DESCRIPTOR, Tags.GREEN_PALETTE_DATA, signed);
    Lut blue = LutReader.read(list, Tags.BLUE_PALETTE_DESCRIPTOR, Tags.BLUE_PALETTE_DATA, signed);
    if (red == null || green == null || blue == null) {
      throw new DicomRejectException(UNSUPPORTED_PIXEL_FORMAT, "PALETTE COLOR without readable palette LUTs");
    }
    int[] in = indices.stored();
    int[] rgb = new int[in.length * 3];
    for (int i = 0, o = 0; i < in.length; i++, o += 3) {
      int index = in[i];
      rgb[o] = red.lookup(index);
      rgb[o + 1] = green.lookup(index);
      rgb[o + 2] = blue.lookup(index);
    }
    int bits = Math.max(red.bitsPerEntry(), Math.max(green.bitsPerEntry(), blue.bitsPerEntry()));
    return new Samples(rgb, "RGB", 3, bits);
  }
}
