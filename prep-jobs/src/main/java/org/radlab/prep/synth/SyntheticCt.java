package org.radlab.prep.synth;

import static org.radlab.prep.synth.MammogramDicom.decimal;
import static org.radlab.prep.synth.MammogramDicom.set;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.radlab.core.io.AtomicFiles;

/**
 * Synthetic abdominal CT series with a ground truth whose volume is known: each series is a stack of axial slices
 * through an elliptical body (fat and soft tissue in air) holding an ellipsoidal organ ({@code liver}, class 1) with
 * a spherical lesion inside it ({@code lesion}, class 2). Written as CT Image Storage files (PixelMed), 16-bit
 * unsigned stored values with rescale slope 1 and intercept -1024 (Hounsfield units), realistic pixel spacing (0.6
 * to 0.9 mm) and slice spacing (2 to 3 mm), image position and orientation, slice location.
 *
 * <pre>
 * OUT/&lt;series&gt;/&lt;k&gt;.dcm     the slices
 * OUT/_masks/&lt;SOPInstanceUID&gt;.png  each slice's mask (0 background, 1 liver, 2 lesion: the voxels whose centre
 *                                 lies inside the shape; the lesion wins over the liver)
 * OUT/slices.csv   image,series,position,row_spacing,column_spacing,slice_spacing  (radlab metrics --geometry)
 * OUT/phantom.csv  series,class,center_x,center_y,center_z,radius_x,radius_y,radius_z (mm, patient coordinates)
 * OUT/volumes.csv  series,class,true_ml,mask_ml   (the shapes' volumes: liver without the lesion)
 * </pre>
 * The same seed and sizes give the same files. The phantom lies wholly inside every series' field of view and slab.
 */
public final class SyntheticCt {
  public static final String SLICES_FILE = "slices.csv";
  public static final String PHANTOM_FILE = "phantom.csv";
  public static final String VOLUMES_FILE = "volumes.csv";
  public static final List<String> CLASSES = List.of("liver", "lesion");

  private static final int AIR = -1000;
  private static final int FAT = -100;
  private static final int SOFT_TISSUE = 40;
  private static final int LIVER = 60;
  private static final int LESION = 110;
  private static final double NOISE_HU = 8;
  private static final AttributeTag SPACING_BETWEEN_SLICES = new AttributeTag(0x0018, 0x0088);

  private SyntheticCt() {}

  /** @param series how many series; {@code size} pixels per side of each slice; {@code slices} per series */
  public record Config(Path out, int series, int size, int slices, long seed) {
    public Config {
      if (series < 1 || series > 10_000) {
        throw new IllegalArgumentException("--studies (series) must be 1 to 10000, got " + series);
      }
      if (size < 32 || size > 1024) {
        throw new IllegalArgumentException("a CT slice is 32 to 1024 pixels a side, got " + size);
      }
      if (slices < 8 || slices > 1000) {
        throw new IllegalArgumentException("--slices must be 8 to 1000, got " + slices);
      }
    }
  }

  /** An ellipsoid in patient coordinates (mm). */
  record Shape(double cx, double cy, double cz, double rx, double ry, double rz) {
    boolean contains(double x, double y, double z) {
      double dx = (x - cx) / rx;
      double dy = (y - cy) / ry;
      double dz = (z - cz) / rz;
      return dx * dx + dy * dy + dz * dz <= 1;
    }

    double volumeMl() {
      return 4.0 / 3 * Math.PI * rx * ry * rz / 1000;
    }
  }

  /** What was written: per series, its true and mask volumes of each class (mL). */
  public record Result(int series, int images, List<double[]> volumes) {}

  public static Result generate(Config cfg) throws IOException {
    Files.createDirectories(cfg.out());
    StringBuilder slicesCsv = new StringBuilder("image,series,position,row_spacing,column_spacing,slice_spacing\n");
    StringBuilder phantomCsv = new StringBuilder("series,class,center_x,center_y,center_z,radius_x,radius_y,"
        + "radius_z\n");
    StringBuilder volumesCsv = new StringBuilder("series,class,true_ml,mask_ml\n");
    List<double[]> volumes = new ArrayList<>();
    int images = 0;
    for (int s = 0; s < cfg.series(); s++) {
      SplittableRandom random = new SplittableRandom(cfg.seed() * 1_000_003L + s);
      double pixel = 0.6 + 0.3 * random.nextDouble();
      double sliceSpacing = 2 + random.nextInt(3) * 0.5;
      double fov = pixel * cfg.size();
      double slab = sliceSpacing * cfg.slices();
      // the body fills most of the field of view; the liver sits right of centre (patient's right is image left),
      // the lesion inside it; both well inside the slab
      double bodyRx = fov * (0.40 + 0.05 * random.nextDouble());
      double bodyRy = fov * (0.30 + 0.05 * random.nextDouble());
      Shape liver = new Shape(-fov * 0.12, fov * 0.02, 0, fov * (0.18 + 0.05 * random.nextDouble()),
          fov * (0.14 + 0.04 * random.nextDouble()), slab * (0.25 + 0.1 * random.nextDouble()));
      double lr = Math.min(Math.min(liver.rx(), liver.ry()), liver.rz()) * (0.25 + 0.2 * random.nextDouble());
      Shape lesion = new Shape(liver.cx() + liver.rx() * 0.3 * (random.nextDouble() - 0.5),
          liver.cy() + liver.ry() * 0.3 * (random.nextDouble() - 0.5),
          liver.cz() + liver.rz() * 0.3 * (random.nextDouble() - 0.5), lr, lr, lr);
      String seriesId = String.format(Locale.ROOT, "ct%04d", s);
      String studyUid = SynthIds.uid("ct-study", cfg.seed(), s);
      String seriesUid = SynthIds.uid("ct-series", cfg.seed(), s);
      Path dir = Files.createDirectories(cfg.out().resolve(seriesId));
      long liverVoxels = 0;
      long lesionVoxels = 0;
      double x0 = -fov / 2 + pixel / 2;
      double y0 = -fov / 2 + pixel / 2;
      double z0 = -slab / 2 + sliceSpacing / 2;
      for (int k = 0; k < cfg.slices(); k++) {
        double z = z0 + k * sliceSpacing;
        short[] stored = new short[cfg.size() * cfg.size()];
        byte[] mask = new byte[cfg.size() * cfg.size()];
        for (int row = 0; row < cfg.size(); row++) {
          double y = y0 + row * pixel;
          for (int col = 0; col < cfg.size(); col++) {
            double x = x0 + col * pixel;
            double body = (x / bodyRx) * (x / bodyRx) + (y / bodyRy) * (y / bodyRy);
            int hu = body > 1 ? AIR : body > 0.8 ? FAT : SOFT_TISSUE;
            int i = row * cfg.size() + col;
            if (lesion.contains(x, y, z)) {
              hu = LESION;
              mask[i] = 2;
              lesionVoxels++;
            } else if (liver.contains(x, y, z)) {
              hu = LIVER;
              mask[i] = 1;
              liverVoxels++;
            }
            double noisy = hu + (hu == AIR ? 0 : NOISE_HU * gaussian(random));
            stored[i] = (short) Math.max(0, Math.min(4095, Math.round(noisy) + 1024));
          }
        }
        String sopUid = SynthIds.uid("ct-image", cfg.seed(), s, k);
        write(attributes(cfg, s, k, studyUid, seriesUid, sopUid, pixel, sliceSpacing, x0, y0, z, stored),
            dir.resolve(String.format(Locale.ROOT, "%04d.dcm", k)));
        SyntheticMammography.writeMask(cfg.out().resolve(SyntheticMammography.MASKS_DIR).resolve(sopUid + ".png"),
            mask, cfg.size(), cfg.size());
        slicesCsv.append(sopUid).append(',').append(seriesId).append(',').append(decimal(z, 4)).append(',')
            .append(decimal(pixel, 6)).append(',').append(decimal(pixel, 6)).append(',')
            .append(decimal(sliceSpacing, 6)).append('\n');
        images++;
      }
      double voxelMl = pixel * pixel * sliceSpacing / 1000;
      double[] truth = {liver.volumeMl() - lesion.volumeMl(), lesion.volumeMl()};
      double[] measured = {liverVoxels * voxelMl, lesionVoxels * voxelMl};
      Shape[] shapes = {liver, lesion};
      for (int c = 0; c < 2; c++) {
        Shape sh = shapes[c];
        phantomCsv.append(seriesId).append(',').append(CLASSES.get(c)).append(',')
            .append(decimal(sh.cx(), 6)).append(',').append(decimal(sh.cy(), 6)).append(',')
            .append(decimal(sh.cz(), 6)).append(',').append(decimal(sh.rx(), 6)).append(',')
            .append(decimal(sh.ry(), 6)).append(',').append(decimal(sh.rz(), 6)).append('\n');
        volumesCsv.append(seriesId).append(',').append(CLASSES.get(c)).append(',').append(decimal(truth[c], 6))
            .append(',').append(decimal(measured[c], 6)).append('\n');
      }
      volumes.add(new double[] {truth[0], measured[0], truth[1], measured[1]});
    }
    AtomicFiles.writeString(cfg.out().resolve(SLICES_FILE), slicesCsv.toString());
    AtomicFiles.writeString(cfg.out().resolve(PHANTOM_FILE), phantomCsv.toString());
    AtomicFiles.writeString(cfg.out().resolve(VOLUMES_FILE), volumesCsv.toString());
    return new Result(cfg.series(), images, volumes);
  }

  private static double gaussian(SplittableRandom random) {
    double u = Math.max(1e-12, random.nextDouble());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static AttributeList attributes(Config cfg, int s, int k, String studyUid, String seriesUid,
      String sopUid, double pixel, double sliceSpacing, double x0, double y0, double z, short[] stored)
      throws IOException {
    try {
      AttributeList list = new AttributeList();
      String date = LocalDate.of(2026, 1, 5).plusDays(s).format(MammogramDicom.DA);
      set(list, TagFromName.SpecificCharacterSet, "ISO_IR 100");
      set(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
      set(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
      set(list, TagFromName.SOPInstanceUID, sopUid);
      set(list, TagFromName.StudyDate, date);
      set(list, TagFromName.SeriesDate, date);
      set(list, TagFromName.StudyTime, "093000");
      set(list, TagFromName.AccessionNumber, String.format(Locale.ROOT, "CT%08d", cfg.seed() % 100_000 * 1000 + s));
      set(list, TagFromName.Modality, "CT");
      set(list, TagFromName.Manufacturer, "RadLab Synthetic");
      set(list, TagFromName.InstitutionName, "Synthetic General Hospital");
      set(list, TagFromName.StudyDescription, "CT ABDOMEN WITH CONTRAST");
      set(list, TagFromName.SeriesDescription, "Portal venous 2.5mm");
      set(list, TagFromName.PatientName, "Synthetic^Ct" + s);
      set(list, TagFromName.PatientID, String.format(Locale.ROOT, "SCT%06d", s));
      set(list, TagFromName.PatientBirthDate, "19600101");
      set(list, TagFromName.PatientSex, s % 2 == 0 ? "F" : "M");
      set(list, TagFromName.BodyPartExamined, "ABDOMEN");
      set(list, TagFromName.SliceThickness, decimal(sliceSpacing, 6));
      set(list, SPACING_BETWEEN_SLICES, decimal(sliceSpacing, 6));
      set(list, MammogramDicom.KVP, "120");
      set(list, TagFromName.PatientPosition, "FFS");
      set(list, TagFromName.StudyInstanceUID, studyUid);
      set(list, TagFromName.SeriesInstanceUID, seriesUid);
      set(list, TagFromName.StudyID, String.valueOf(s + 1));
      set(list, TagFromName.SeriesNumber, "2");
      set(list, TagFromName.InstanceNumber, String.valueOf(k + 1));
      set(list, TagFromName.ImagePositionPatient, decimal(x0, 6), decimal(y0, 6), decimal(z, 6));
      set(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
      set(list, TagFromName.FrameOfReferenceUID, SynthIds.uid("ct-frame", cfg.seed(), s));
      set(list, TagFromName.SliceLocation, decimal(z, 6));
      set(list, TagFromName.SamplesPerPixel, "1");
      set(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
      set(list, TagFromName.Rows, String.valueOf(cfg.size()));
      set(list, TagFromName.Columns, String.valueOf(cfg.size()));
      set(list, TagFromName.PixelSpacing, decimal(pixel, 6), decimal(pixel, 6));
      set(list, TagFromName.BitsAllocated, "16");
      set(list, TagFromName.BitsStored, "12");
      set(list, TagFromName.HighBit, "11");
      set(list, TagFromName.PixelRepresentation, "0");
      set(list, TagFromName.RescaleIntercept, "-1024");
      set(list, TagFromName.RescaleSlope, "1");
      set(list, TagFromName.RescaleType, "HU");
      set(list, TagFromName.WindowCenter, "50");
      set(list, TagFromName.WindowWidth, "400");
      OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
      pixels.setValues(stored);
      list.put(pixels);
      return list;
    } catch (DicomException e) {
      throw new IOException("cannot build CT slice " + k + " of series " + s + ": " + e.getMessage(), e);
    }
  }

  private static void write(AttributeList list, Path file) throws IOException {
    try {
      FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RADLAB_SYNTH");
      list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    } catch (DicomException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

}
