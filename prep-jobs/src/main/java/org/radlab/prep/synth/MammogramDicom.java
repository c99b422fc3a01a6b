package org.radlab.prep.synth;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The attributes of one Digital Mammography X-Ray Image (For Presentation), built with PixelMed. Covers the
 * patient, study, series, equipment, image pixel, DX/MG image, VOI LUT and SOP common modules with values that
 * look like a real screening exam, including the identifying attributes a site's modality writes (names, ids,
 * institution, address, station, device serial number, times) that de-identification must remove.
 */
final class MammogramDicom {
  static final String SOP_CLASS_UID = SOPClass.DigitalMammographyXRayImageStorageForPresentation;
  static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
  static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT);
  /** Physical height of the detector area an image covers, in mm; the pixel spacing follows from the rows. */
  private static final double DETECTOR_HEIGHT_MM = 300.0;
  static final AttributeTag KVP = new AttributeTag(0x0018, 0x0060);
  private static final AttributeTag COMPRESSION_FORCE = new AttributeTag(0x0018, 0x11A2);
  private static final AttributeTag PIXEL_INTENSITY_RELATIONSHIP = new AttributeTag(0x0028, 0x1040);
  private static final AttributeTag PIXEL_INTENSITY_RELATIONSHIP_SIGN = new AttributeTag(0x0028, 0x1041);
  private static final AttributeTag DETECTOR_TYPE = new AttributeTag(0x0018, 0x7004);

  private MammogramDicom() {}

  /** The full attribute list of one view, pixel data included, without file meta information. */
  static AttributeList attributes(PlannedStudy s, MammoView view, int rows, int columns, short[] pixels,
                                  String sopInstanceUid, String studyDescription) throws DicomException {
    DeviceProfile device = s.device();
    AttributeList list = new AttributeList();
    set(list, TagFromName.SpecificCharacterSet, "ISO_IR 100");
    set(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY");
    set(list, TagFromName.SOPClassUID, SOP_CLASS_UID);
    set(list, TagFromName.SOPInstanceUID, sopInstanceUid);
    String date = s.studyDate().format(DA);
    LocalTime contentTime = s.studyTime().plusSeconds(45L * (view.ordinal() + 1) + (s.index() % 7));
    set(list, TagFromName.StudyDate, date);
    set(list, TagFromName.SeriesDate, date);
    set(list, TagFromName.ContentDate, date);
    set(list, TagFromName.StudyTime, s.studyTime().format(TM));
    set(list, TagFromName.SeriesTime, s.studyTime().format(TM));
    set(list, TagFromName.ContentTime, contentTime.format(TM));
    set(list, TagFromName.AccessionNumber, s.accessionNumber());
    set(list, TagFromName.Modality, "MG");
    set(list, TagFromName.PresentationIntentType, "FOR PRESENTATION");
    set(list, TagFromName.Manufacturer, device.manufacturer());
    set(list, TagFromName.InstitutionName, s.institution());
    set(list, TagFromName.InstitutionAddress, SiteDetails.address(s.institution()));
    set(list, TagFromName.InstitutionalDepartmentName, SiteDetails.department(s.institution()));
    set(list, TagFromName.PerformingPhysicianName, SiteDetails.performingPhysician(s.index()));
    set(list, TagFromName.ReferringPhysicianName, s.referringPhysician());
    set(list, TagFromName.StationName, "MAMMO-" + device.serialNumber().substring(0, 4));
    set(list, TagFromName.StudyDescription, studyDescription);
    set(list, TagFromName.SeriesDescription, "Screening views");
    set(list, TagFromName.OperatorsName, s.operator());
    set(list, TagFromName.ManufacturerModelName, device.model());
    set(list, TagFromName.PatientName, s.patient().patientName());
    set(list, TagFromName.PatientID, s.patient().patientId());
    set(list, TagFromName.IssuerOfPatientID, s.institution());
    set(list, TagFromName.OtherPatientIDs, SiteDetails.otherPatientId(s.patient().patientId()));
    set(list, TagFromName.PatientBirthDate, s.patient().birthDate().format(DA));
    set(list, TagFromName.PatientSex, "F");
    set(list, TagFromName.PatientAge, age(s.patient().birthDate(), s.studyDate()));
    set(list, TagFromName.BodyPartExamined, "BREAST");
    set(list, KVP, String.valueOf(s.kvp()));
    set(list, TagFromName.DeviceSerialNumber, device.serialNumber());
    set(list, TagFromName.SoftwareVersions, device.softwareVersion());
    set(list, TagFromName.BodyPartThickness, decimal(s.thicknessMm(), 1));
    set(list, COMPRESSION_FORCE, String.valueOf(s.compressionForceN()));
    set(list, TagFromName.ViewPosition, view.viewPosition());
    set(list, DETECTOR_TYPE, "DIRECT");
    set(list, TagFromName.StudyInstanceUID, s.studyInstanceUid());
    set(list, TagFromName.SeriesInstanceUID, s.seriesInstanceUid());
    set(list, TagFromName.StudyID, s.studyId());
    set(list, TagFromName.SeriesNumber, "1");
    set(list, TagFromName.InstanceNumber, String.valueOf(view.ordinal() + 1));
    set(list, TagFromName.PatientOrientation, view.patientOrientation());
    set(list, TagFromName.ImageLaterality, view.laterality());
    set(list, TagFromName.QualityControlImage, "NO");
    set(list, TagFromName.BurnedInAnnotation, "NO");
    set(list, TagFromName.LossyImageCompression, "00");

    String spacing = decimal(DETECTOR_HEIGHT_MM / rows, 6);
    set(list, TagFromName.ImagerPixelSpacing, spacing, spacing);
    if (!device.monochrome1()) {
      set(list, TagFromName.PixelSpacing, spacing, spacing);
    }

    set(list, TagFromName.SamplesPerPixel, "1");
    set(list, TagFromName.PhotometricInterpretation, device.photometricInterpretation());
    set(list, TagFromName.Rows, String.valueOf(rows));
    set(list, TagFromName.Columns, String.valueOf(columns));
    set(list, TagFromName.BitsAllocated, "16");
    set(list, TagFromName.BitsStored, String.valueOf(device.bitsStored()));
    set(list, TagFromName.HighBit, String.valueOf(device.bitsStored() - 1));
    set(list, TagFromName.PixelRepresentation, "0");
    set(list, PIXEL_INTENSITY_RELATIONSHIP, "LOG");
    // Sign -1: higher stored values mean less X-ray intensity (denser tissue), as in MONOCHROME2 here.
    set(list, PIXEL_INTENSITY_RELATIONSHIP_SIGN, device.monochrome1() ? "1" : "-1");
    set(list, TagFromName.PresentationLUTShape, device.monochrome1() ? "INVERSE" : "IDENTITY");
    if (device.monochrome1()) {
      Attribute padding = new UnsignedShortAttribute(TagFromName.PixelPaddingValue);
      padding.addValue(device.backgroundValue());
      list.put(padding);
    } else {
      set(list, TagFromName.RescaleIntercept, "0");
      set(list, TagFromName.RescaleSlope, "1");
      set(list, TagFromName.RescaleType, "US");
      set(list, TagFromName.VOILUTFunction, "SIGMOID");
    }
    set(list, TagFromName.WindowCenter, strings(device.windowCenters()));
    set(list, TagFromName.WindowWidth, strings(device.windowWidths()));
    if (device.monochrome1()) {
      set(list, TagFromName.WindowCenterWidthExplanation, "STANDARD", "HARD");
    }

    SequenceAttribute viewCode = new SequenceAttribute(TagFromName.ViewCodeSequence);
    AttributeList code = new AttributeList();
    set(code, TagFromName.CodeValue, view.viewCode());
    set(code, TagFromName.CodingSchemeDesignator, "SCT");
    set(code, TagFromName.CodeMeaning, view.viewCodeMeaning());
    viewCode.addItem(code);
    list.put(viewCode);

    OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
    pixelData.setValues(pixels);
    list.put(pixelData);
    return list;
  }

  /** DICOM age string, e.g. {@code 054Y}. */
  static String age(LocalDate birth, LocalDate on) {
    return String.format(Locale.ROOT, "%03dY", Period.between(birth, on).getYears());
  }

  static void set(AttributeList list, AttributeTag tag, String... values) throws DicomException {
    Attribute a = list.putNewAttribute(tag);
    for (String v : values) {
      a.addValue(v);
    }
  }

  private static String[] strings(int[] values) {
    String[] s = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      s[i] = String.valueOf(values[i]);
    }
    return s;
  }

  static String decimal(double value, int scale) {
    return BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }
}
