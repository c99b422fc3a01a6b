package org.radlab.core.dicom;

import static org.radlab.core.dicom.AttributeValues.doubles;

import com.pixelmed.dicom.AttributeList;
import java.io.Serializable;

/**
 * Where an image lies, as far as volumes need it: the pixel spacing in mm ({@code rowSpacing} between the centres of
 * adjacent rows, {@code columnSpacing} between adjacent columns: Pixel Spacing, else Imager Pixel Spacing), the
 * slice's position along the normal of its plane in mm (Image Position (Patient) projected on the cross product of
 * Image Orientation (Patient)'s row and column directions, so slices of a series sort by it whatever their
 * orientation), and the slice spacing in mm (Spacing Between Slices, else Slice Thickness). Each is null when the
 * file does not give it; a multi-frame file's per-frame positions are not read.
 */
public record SliceGeometry(Double rowSpacing, Double columnSpacing, Double position, Double sliceSpacing)
    implements Serializable {
  public static final SliceGeometry NONE = new SliceGeometry(null, null, null, null);

  static SliceGeometry of(AttributeList l) {
    double[] spacing = doubles(l, Tags.PIXEL_SPACING);
    if (spacing.length < 2) {
      spacing = doubles(l, Tags.IMAGER_PIXEL_SPACING);
    }
    Double row = spacing.length >= 2 && positive(spacing[0]) ? spacing[0] : null;
    Double column = spacing.length >= 2 && positive(spacing[1]) ? spacing[1] : null;
    double[] ipp = doubles(l, Tags.IMAGE_POSITION_PATIENT);
    double[] iop = doubles(l, Tags.IMAGE_ORIENTATION_PATIENT);
    Double position = null;
    if (ipp.length == 3 && finite(ipp)) {
      if (iop.length == 6 && finite(iop)) {
        double nx = iop[1] * iop[5] - iop[2] * iop[4];
        double ny = iop[2] * iop[3] - iop[0] * iop[5];
        double nz = iop[0] * iop[4] - iop[1] * iop[3];
        position = ipp[0] * nx + ipp[1] * ny + ipp[2] * nz;
      } else {
        position = ipp[2];
      }
    }
    double[] between = doubles(l, Tags.SPACING_BETWEEN_SLICES);
    double[] thickness = doubles(l, Tags.SLICE_THICKNESS);
    Double slice = between.length > 0 && positive(between[0]) ? Double.valueOf(between[0])
        : thickness.length > 0 && positive(thickness[0]) ? Double.valueOf(thickness[0]) : null;
    return new SliceGeometry(row, column, position, slice);
  }

  private static boolean positive(double v) {
    return v > 0 && Double.isFinite(v);
  }

  private static boolean finite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
