package org.radlab.core.dicom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The coded findings of a DICOM Structured Report: each CODE content item's value (its coding scheme and code), in
 * document order, with who made the report. A radiologist's report read this way becomes a read of a deployment
 * when one of its codes is a category's (its CDE under {@value ClassificationReportWriter#CDE_SCHEME}, or its code
 * under {@value ClassificationReportWriter#LOCAL_SCHEME}).
 */
public final class ReportCodes {
  /** A coded value: coding scheme designator and code value. */
  public record Code(String scheme, String value) {}

  /** The report's codes, and its Manufacturer (null when absent: a person's report usually names none). */
  public record Report(String manufacturer, List<Code> codes) {}

  private ReportCodes() {}

  /** Reads a DICOM SR file's codes; throws when the bytes are not a readable SR document. */
  public static Report of(byte[] dicom) throws IOException {
    AttributeList list = new AttributeList();
    try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(dicom))) {
      list.read(in);
      String modality = com.pixelmed.dicom.Attribute.getSingleStringValueOrNull(list, TagFromName.Modality);
      if (!"SR".equals(modality)) {
        throw new IOException("not a structured report (Modality " + modality + ")");
      }
      StructuredReport sr = new StructuredReport(list);
      List<Code> codes = new ArrayList<>();
      collect((ContentItem) sr.getRoot(), codes);
      return new Report(com.pixelmed.dicom.Attribute.getSingleStringValueOrNull(list, TagFromName.Manufacturer),
          codes);
    } catch (DicomException | RuntimeException e) {
      throw new IOException("not a readable structured report: " + e.getMessage(), e);
    }
  }

  private static void collect(ContentItem item, List<Code> codes) {
    if (item == null) {
      return;
    }
    if (item instanceof ContentItemFactory.CodeContentItem code) {
      CodedSequenceItem value = code.getConceptCode();
      if (value != null && value.getCodeValue() != null && value.getCodingSchemeDesignator() != null) {
        codes.add(new Code(value.getCodingSchemeDesignator().strip(), value.getCodeValue().strip()));
      }
    }
    for (int i = 0; i < item.getChildCount(); i++) {
      collect((ContentItem) item.getChildAt(i), codes);
    }
  }
}
