package org.radlab.core.dicom;

import static org.radlab.core.dicom.ClassificationReportWriter.code;
import static org.radlab.core.dicom.ClassificationReportWriter.put;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A detector's boxes on the images of one study as a DICOM Comprehensive SR
 * ({@value ClassificationReportWriter#COMPREHENSIVE_SR}) that files into the original study, as
 * {@link ClassificationReportWriter}'s reports do (the same root, observer, copied patient and study attributes,
 * series 9901 of modality SR, completion PARTIAL, verification UNVERIFIED).
 *
 * <p>Content, per box: a CODE item DCM 121071 "Finding" whose value is the box's category (its common data element,
 * scheme {@value ClassificationReportWriter#CDE_SCHEME}, when the assist module names one; else a local code, scheme
 * {@value ClassificationReportWriter#LOCAL_SCHEME}); under it, by HAS PROPERTIES, the detector's score as a NUM
 * (local concept "score", unit UCUM "1"), and by INFERRED FROM an SCOORD DCM 111030 "Image Region": the box as a
 * closed POLYLINE of five points (top left, top right, bottom right, bottom left, top left again) in the original
 * image's pixels (column, row; 0\0 is the top left corner of the top left pixel, Columns\Rows the bottom right corner
 * of the last one, PS3.3 C.18.6.1.2), SELECTED FROM an IMAGE item naming the image by SOP class and instance UID
 * (and frame, for a frame of a multi-frame image). Boxes follow the order given. When the assist module has sentences
 * for the categories found, they follow as one TEXT item DCM 121073 "Impression". Every image the detector read is
 * listed in the Current Requested Procedure Evidence Sequence (by series), boxes or not: a report without a finding
 * says that the detector read these images and found nothing at the score asked for.
 *
 * <p>The SOP Instance UID derives from the study, the model and the content (every image read, every box's category,
 * corners and score), so sending the same boxes again gives the same object and new boxes a new one.
 */
public final class DetectionReportWriter {
  /** An image the detector read, by its original UIDs; {@code frameNumber} (from 1) for a multi-frame image. */
  public record Image(String seriesUid, String sopClassUid, String sopInstanceUid, Integer frameNumber) {
    public Image {
      if (seriesUid == null || sopClassUid == null || sopInstanceUid == null) {
        throw new IllegalArgumentException("an image is named by its series, SOP class and instance UIDs");
      }
    }
  }

  /**
   * One box in {@code image}'s own pixels ({@code [xMin, xMax) x [yMin, yMax)}, continuous), its category (code,
   * name, the assist module's CDE and sentence or null) and score.
   */
  public record Box(Image image, String code, String name, String cde, String reportText, double score, double xMin,
      double yMin, double xMax, double yMax) {
    public Box {
      if (!(xMax > xMin) || !(yMax > yMin) || !Double.isFinite(xMin) || !Double.isFinite(yMax)) {
        throw new IllegalArgumentException("a box needs xMax > xMin and yMax > yMin, got " + xMin + "," + yMin + ","
            + xMax + "," + yMax);
      }
    }
  }

  /** The boxes on one study: its attributes as the PACS gave them, the model, every image read, the boxes. */
  public record Detections(Map<String, String> study, String model, List<Image> images, List<Box> boxes) {
    public Detections {
      if (study.get("StudyInstanceUID") == null || study.get("StudyInstanceUID").isBlank()) {
        throw new IllegalArgumentException("a report needs the study's StudyInstanceUID");
      }
      if (images.isEmpty()) {
        throw new IllegalArgumentException("a report names at least one image read");
      }
      study = Map.copyOf(study);
      images = List.copyOf(images);
      boxes = List.copyOf(boxes);
      Set<Image> read = new java.util.HashSet<>(images);
      for (Box b : boxes) {
        if (!read.contains(b.image())) {
          throw new IllegalArgumentException("a box is on image " + b.image().sopInstanceUid()
              + ", which is not among the images read");
        }
      }
    }
  }

  private DetectionReportWriter() {}

  /** The report as the bytes of a DICOM file (Explicit VR Little Endian, with file meta information). */
  public static byte[] bytes(Detections d, LocalDateTime now) throws IOException {
    try {
      AttributeList list = build(d, now);
      FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RADLAB");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
      return out.toByteArray();
    } catch (DicomException e) {
      throw new IOException("cannot write the report of study " + d.study().get("StudyInstanceUID") + ": "
          + e.getMessage(), e);
    }
  }

  /** The SOP Instance UID the report of {@code d} gets. */
  public static String sopInstanceUid(Detections d) {
    StringBuilder content = new StringBuilder();
    for (Image i : d.images()) {
      content.append(i.sopInstanceUid()).append('/').append(i.frameNumber()).append(';');
    }
    for (Box b : d.boxes()) {
      content.append(b.image().sopInstanceUid()).append('/').append(b.image().frameNumber()).append(':')
          .append(b.code()).append('@').append(ClassificationReportWriter.decimal(b.score())).append('=');
      for (float v : polyline(b)) {
        content.append(v).append(',');
      }
      content.append(';');
    }
    return DerivedUid.of("radlab-detection-sr", d.study().get("StudyInstanceUID"), d.model(), content.toString());
  }

  /** The box as SCOORD graphic data: a closed polyline of five (column, row) points. */
  static float[] polyline(Box b) {
    float x0 = (float) b.xMin();
    float y0 = (float) b.yMin();
    float x1 = (float) b.xMax();
    float y1 = (float) b.yMax();
    return new float[] {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
  }

  static AttributeList build(Detections d, LocalDateTime now) throws DicomException {
    ContentItemFactory f = new ContentItemFactory();
    ContentItem root = ClassificationReportWriter.rootWithObserver(f, d.model());
    Set<String> sentences = new LinkedHashSet<>();
    for (Box b : d.boxes()) {
      ClassificationReportWriter.Category category = new ClassificationReportWriter.Category(b.code(), b.name(),
          b.score(), b.cde(), b.reportText());
      ContentItem finding = f.makeCodeContentItem(root, "CONTAINS", code("121071", "DCM", "Finding"),
          ClassificationReportWriter.categoryCode(category));
      f.makeNumericContentItem(finding, "HAS PROPERTIES", code("score", ClassificationReportWriter.LOCAL_SCHEME,
          "Detection score"), ClassificationReportWriter.decimal(b.score()), code("1", "UCUM", "no units"));
      ContentItem region = f.makeSpatialCoordinatesContentItem(finding, "INFERRED FROM",
          code("111030", "DCM", "Image Region"), "POLYLINE", polyline(b));
      Image i = b.image();
      f.makeImageContentItem(region, "SELECTED FROM", null, i.sopClassUid(), i.sopInstanceUid(),
          i.frameNumber() == null ? 0 : i.frameNumber(), 0, null, null, null, null);
      if (b.reportText() != null && !b.reportText().isBlank()) {
        sentences.add(b.reportText().strip());
      }
    }
    if (!sentences.isEmpty()) {
      f.makeTextContentItem(root, "CONTAINS", code("121073", "DCM", "Impression"), String.join(" ", sentences));
    }
    AttributeList list = new StructuredReport(root).getAttributeList();
    String study = d.study().get("StudyInstanceUID");
    ClassificationReportWriter.documentAttributes(list, d.study(), sopInstanceUid(d),
        DerivedUid.of("radlab-detection-sr-series", study, d.model()), "RadLab AI boxes: " + d.model(), now,
        ascii(d));
    list.put(evidence(study, d.images()));
    return list;
  }

  /** The Current Requested Procedure Evidence Sequence: the study, its series, the images read in each. */
  private static SequenceAttribute evidence(String study, List<Image> images) throws DicomException {
    Map<String, Map<String, String>> bySeries = new LinkedHashMap<>();
    for (Image i : images) {
      bySeries.computeIfAbsent(i.seriesUid(), k -> new LinkedHashMap<>()).putIfAbsent(i.sopInstanceUid(),
          i.sopClassUid());
    }
    SequenceAttribute series = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
    for (var s : bySeries.entrySet()) {
      AttributeList item = new AttributeList();
      put(item, TagFromName.SeriesInstanceUID, s.getKey());
      SequenceAttribute sops = new SequenceAttribute(TagFromName.ReferencedSOPSequence);
      for (var sop : s.getValue().entrySet()) {
        AttributeList ref = new AttributeList();
        put(ref, TagFromName.ReferencedSOPClassUID, sop.getValue());
        put(ref, TagFromName.ReferencedSOPInstanceUID, sop.getKey());
        sops.addItem(ref);
      }
      item.put(sops);
      series.addItem(item);
    }
    AttributeList studyItem = new AttributeList();
    put(studyItem, TagFromName.StudyInstanceUID, study);
    studyItem.put(series);
    SequenceAttribute out = new SequenceAttribute(TagFromName.CurrentRequestedProcedureEvidenceSequence);
    out.addItem(studyItem);
    return out;
  }

  /** Whether every text the report holds is ASCII, so it needs no Specific Character Set. */
  private static boolean ascii(Detections d) {
    StringBuilder all = new StringBuilder(d.model());
    d.study().values().forEach(all::append);
    for (Box b : d.boxes()) {
      all.append(b.code()).append(b.name()).append(b.reportText() == null ? "" : b.reportText());
    }
    return all.chars().allMatch(ch -> ch < 128);
  }
}
