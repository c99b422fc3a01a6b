package org.radlab.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * A model's prediction on one study as a DICOM Comprehensive SR (SOP class {@value #COMPREHENSIVE_SR}) that files
 * into the original study on the PACS: it carries the study's own Study Instance UID and copies the patient and study
 * attributes the PACS gave for it, in a new series of modality SR.
 *
 * <p>Content: a root container titled LOINC 18748-4 "Diagnostic imaging report"; as observation context the observer
 * type DCM 121007 "Device", with the model's name (DCM 121013 "Device Observer Name") and a UID derived from it (DCM
 * 121012 "Device Observer UID"); the predicted category as a CODE item (DCM 121071 "Finding"), coded by the category's
 * common data element when the use case's assist module names one (coding scheme {@value #CDE_SCHEME}) and otherwise
 * by a local code (scheme {@value #LOCAL_SCHEME}); one NUM item per category with the model's probability (local
 * concept "p_CODE", unit UCUM "1"); and, when the assist module has a sentence for the category, a TEXT item (DCM
 * 121073 "Impression"). Completion PARTIAL and verification UNVERIFIED: it is a machine's result that a radiologist
 * has not read. The SR's own UIDs are derived from the study, the model and the predicted probabilities, so sending
 * the same prediction twice gives the same object (a PACS keeps one), and a new prediction a new one.
 */
public final class ClassificationReportWriter {
  public static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
  public static final String LOCAL_SCHEME = "99RADLAB";
  /** The Manufacturer of every report RadLab makes, by which it tells its own reports from a radiologist's. */
  public static final String MANUFACTURER = "RadLab";
  /** The coding scheme of RadElement common data elements (the assist module's {@code cde} values). */
  public static final String CDE_SCHEME = "RADELEMENT";

  /** One category: its code, its name, the model's probability, and the assist module's CDE and sentence (or null). */
  public record Category(String code, String name, double probability, String cde, String reportText) {}

  /**
   * The prediction on one study: the study's attributes as the PACS gave them (keyword to value, e.g. PatientID;
   * StudyInstanceUID is required), the model's name, and the categories in the model's order.
   */
  public record Prediction(Map<String, String> study, String model, List<Category> categories) {
    public Prediction {
      if (study.get("StudyInstanceUID") == null || study.get("StudyInstanceUID").isBlank()) {
        throw new IllegalArgumentException("a report needs the study's StudyInstanceUID");
      }
      if (categories.isEmpty()) {
        throw new IllegalArgumentException("a report needs at least one category");
      }
      study = Map.copyOf(study);
      categories = List.copyOf(categories);
    }

    /** The category with the highest probability (the first of equals). */
    public Category predicted() {
      Category best = categories.get(0);
      for (Category c : categories) {
        if (c.probability() > best.probability()) {
          best = c;
        }
      }
      return best;
    }
  }

  /** The patient and study attributes (DICOM keywords) a report copies from what the PACS says of its study. */
  public static final List<String> STUDY_ATTRIBUTES = List.of("PatientName", "PatientID", "PatientBirthDate",
      "PatientSex", "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "ReferringPhysicianName",
      "StudyID");

  private ClassificationReportWriter() {}

  /** The report as the bytes of a DICOM file (Explicit VR Little Endian, with file meta information). */
  public static byte[] bytes(Prediction p, LocalDateTime now) throws IOException {
    try {
      AttributeList list = build(p, now);
      FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RADLAB");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
      return out.toByteArray();
    } catch (DicomException e) {
      throw new IOException("cannot write the report of study " + p.study().get("StudyInstanceUID") + ": "
          + e.getMessage(), e);
    }
  }

  /** The SOP Instance UID the report of {@code p} gets. */
  public static String sopInstanceUid(Prediction p) {
    StringBuilder probabilities = new StringBuilder();
    for (Category c : p.categories()) {
      probabilities.append(c.code()).append('=').append(decimal(c.probability())).append(';');
    }
    return DerivedUid.of("radlab-sr", p.study().get("StudyInstanceUID"), p.model(), probabilities.toString());
  }

  static AttributeList build(Prediction p, LocalDateTime now) throws DicomException {
    ContentItemFactory f = new ContentItemFactory();
    ContentItem root = rootWithObserver(f, p.model());
    Category predicted = p.predicted();
    f.makeCodeContentItem(root, "CONTAINS", code("121071", "DCM", "Finding"), categoryCode(predicted));
    for (Category c : p.categories()) {
      f.makeNumericContentItem(root, "CONTAINS", code(localValue("p_" + c.code()), LOCAL_SCHEME,
          "Probability of " + c.name()), decimal(c.probability()), code("1", "UCUM", "no units"));
    }
    if (predicted.reportText() != null && !predicted.reportText().isBlank()) {
      f.makeTextContentItem(root, "CONTAINS", code("121073", "DCM", "Impression"), predicted.reportText());
    }
    AttributeList list = new StructuredReport(root).getAttributeList();
    String study = p.study().get("StudyInstanceUID");
    documentAttributes(list, p.study(), sopInstanceUid(p), DerivedUid.of("radlab-sr-series", study, p.model()),
        "RadLab AI result: " + p.model(), now, ascii(p));
    return list;
  }

  /** A report's root container (LOINC 18748-4), with the model as its observer (a device). */
  static ContentItem rootWithObserver(ContentItemFactory f, String model) throws DicomException {
    ContentItem root = f.makeContainerContentItem(null, null, code("18748-4", "LN", "Diagnostic imaging report"),
        true);
    f.makeCodeContentItem(root, "HAS OBS CONTEXT", code("121005", "DCM", "Observer Type"),
        code("121007", "DCM", "Device"));
    f.makeUIDContentItem(root, "HAS OBS CONTEXT", code("121012", "DCM", "Device Observer UID"),
        DerivedUid.of("radlab-model", model));
    f.makeTextContentItem(root, "HAS OBS CONTEXT", code("121013", "DCM", "Device Observer Name"),
        "RadLab model " + model);
    return root;
  }

  /**
   * The attributes around a report's content: its SOP class and UIDs, the study's patient and study attributes, a
   * series of modality SR (number 9901), dates, and the flags of an unsigned machine result.
   */
  static void documentAttributes(AttributeList list, Map<String, String> study, String sop, String series,
      String seriesDescription, LocalDateTime now, boolean ascii) throws DicomException {
    if (!ascii) {
      put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192"); // else the default repertoire
    }
    put(list, TagFromName.SOPClassUID, COMPREHENSIVE_SR);
    put(list, TagFromName.SOPInstanceUID, sop);
    for (String keyword : STUDY_ATTRIBUTES) {
      AttributeTag tag = com.pixelmed.dicom.DicomDictionary.StandardDictionary.getTagFromName(keyword);
      String value = study.get(keyword);
      put(list, tag, value == null ? "" : value);
    }
    put(list, TagFromName.Modality, "SR");
    put(list, TagFromName.SeriesInstanceUID, series);
    put(list, TagFromName.SeriesNumber, "9901");
    put(list, TagFromName.SeriesDescription, seriesDescription.length() > 64 ? seriesDescription.substring(0, 64)
        : seriesDescription);
    put(list, TagFromName.InstanceNumber, "1");
    put(list, TagFromName.Manufacturer, MANUFACTURER);
    put(list, TagFromName.ContentDate, now.format(DateTimeFormatter.BASIC_ISO_DATE));
    put(list, TagFromName.ContentTime, now.format(DateTimeFormatter.ofPattern("HHmmss")));
    put(list, TagFromName.InstanceCreationDate, now.format(DateTimeFormatter.BASIC_ISO_DATE));
    put(list, TagFromName.InstanceCreationTime, now.format(DateTimeFormatter.ofPattern("HHmmss")));
    put(list, TagFromName.CompletionFlag, "PARTIAL");
    put(list, TagFromName.VerificationFlag, "UNVERIFIED");
    // no procedure step or other object is referenced: empty, as these Type 2 attributes allow
    list.put(new com.pixelmed.dicom.SequenceAttribute(TagFromName.PerformedProcedureCodeSequence));
    list.put(new com.pixelmed.dicom.SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));
  }

  /** Whether every text the report holds is ASCII, so it needs no Specific Character Set. */
  private static boolean ascii(Prediction p) {
    StringBuilder all = new StringBuilder(p.model());
    p.study().values().forEach(all::append);
    for (Category c : p.categories()) {
      all.append(c.code()).append(c.name()).append(c.reportText() == null ? "" : c.reportText());
    }
    return all.chars().allMatch(ch -> ch < 128);
  }

  /**
   * The predicted category's code: its CDE when the assist module names one that fits a code value (16 characters),
   * else the local code.
   */
  static CodedSequenceItem categoryCode(Category c) throws DicomException {
    return c.cde() != null && !c.cde().isBlank() && c.cde().length() <= 16 ? code(c.cde(), CDE_SCHEME, c.name())
        : code(localValue(c.code()), LOCAL_SCHEME, c.name());
  }

  /** A code value fits in 16 characters (SH); a longer one is shortened to a stable hash. */
  static String localValue(String value) {
    return value.length() <= 16 ? value : "RL" + DerivedUid.hex(value).substring(0, 14);
  }

  static CodedSequenceItem code(String value, String scheme, String meaning) throws DicomException {
    return new CodedSequenceItem(value, scheme, meaning.length() > 64 ? meaning.substring(0, 64) : meaning);
  }

  /** A probability as a decimal string (DS holds at most 16 characters). */
  static String decimal(double p) {
    return new BigDecimal(p).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }

  static void put(AttributeList list, AttributeTag tag, String value) throws DicomException {
    Attribute a = com.pixelmed.dicom.AttributeFactory.newAttribute(tag,
        com.pixelmed.dicom.DicomDictionary.StandardDictionary.getValueRepresentationFromTag(tag),
        new SpecificCharacterSet(new String[] {"ISO_IR 192"}));
    if (!value.isEmpty()) {
      a.addValue(value);
    }
    list.put(a);
  }
}
