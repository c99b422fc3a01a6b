package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/**
 * The SR a classification result becomes, read back by dcmtk: dsrdump (the content tree, no warning) and dcmdump
 * (the copied attributes). The PACS round trip is cli's PullTest.
 */
class ClassificationReportWriterTest {
  @TempDir Path tmp;
  private static final LocalDateTime NOW = LocalDateTime.of(2027, 3, 4, 5, 6, 7);

  private static ClassificationReportWriter.Prediction prediction(String patientName, double pb) {
    return new ClassificationReportWriter.Prediction(Map.of("StudyInstanceUID", "1.2.826.0.1.3680043.10.5", "PatientID",
        "P-17", "PatientName", patientName, "AccessionNumber", "ACC9"), "density-v3", List.of(
        new ClassificationReportWriter.Category("A", "fatty", 1 - pb, null, null),
        new ClassificationReportWriter.Category("B", "scattered", pb, "RDE1234.2", "Scattered fibroglandular tissue.")));
  }

  private Path write(ClassificationReportWriter.Prediction p) throws Exception {
    Path f = tmp.resolve(ClassificationReportWriter.sopInstanceUid(p) + ".dcm");
    Files.write(f, ClassificationReportWriter.bytes(p, NOW));
    return f;
  }

  @Test
  void dcmtkReadsTheContentTreeAndTheCopiedAttributesWithoutAWarning() throws Exception {
    Path f = write(prediction("Muller^Anna", 0.75));
    String tree = DicomTools.output("dsrdump", "+Pc", "+Pl", f.toString());
    assertFalse(tree.contains("W: ") || tree.contains("E: "), tree);
    assertTrue(tree.contains("(121071,DCM,\"Finding\")=(RDE1234.2,RADELEMENT,\"scattered\")"), tree);
    assertTrue(tree.contains("(p_A,99RADLAB,\"Probability of fatty\")=\"0.25\" (1,UCUM,\"no units\")"), tree);
    assertTrue(tree.contains("(p_B,99RADLAB,\"Probability of scattered\")=\"0.75\""), tree);
    assertTrue(tree.contains("(121073,DCM,\"Impression\")=\"Scattered fibroglandular tissue.\""), tree);
    assertTrue(tree.contains("(121005,DCM,\"Observer Type\")=(121007,DCM,\"Device\")"), tree);
    assertEquals("1.2.826.0.1.3680043.10.5", DicomTools.dcmdumpValue(f, "StudyInstanceUID"));
    assertEquals("P-17", DicomTools.dcmdumpValue(f, "PatientID"));
    assertEquals("ACC9", DicomTools.dcmdumpValue(f, "AccessionNumber"));
    assertEquals("SR", DicomTools.dcmdumpValue(f, "Modality"));
    assertEquals(null, DicomTools.dcmdumpValue(f, "SpecificCharacterSet"), "ASCII only: the default repertoire");
  }

  /**
   * What a watched deployment reads of a report: the CODE items' values in document order (the observer type, then
   * the finding; the probabilities are NUM items) and the Manufacturer by which RadLab knows its own reports. The
   * expected codes are those dsrdump shows above.
   */
  @Test
  void reportCodesReadsTheCodedValuesAndWhoMadeTheReport() throws Exception {
    ReportCodes.Report r = ReportCodes.of(ClassificationReportWriter.bytes(prediction("Muller^Anna", 0.75), NOW));
    assertEquals("RadLab", r.manufacturer());
    assertEquals(List.of(new ReportCodes.Code("DCM", "121007"), new ReportCodes.Code("RADELEMENT", "RDE1234.2")),
        r.codes());
    ReportCodes.Report low = ReportCodes.of(ClassificationReportWriter.bytes(prediction("Muller^Anna", 0.25), NOW));
    assertEquals(new ReportCodes.Code("99RADLAB", "A"), low.codes().get(1), "no CDE for A: the local code");
    assertThrows(java.io.IOException.class, () -> ReportCodes.of(new byte[] {1, 2, 3}));
  }

  @Test
  void aNameOutsideAsciiIsWrittenAsUtf8() throws Exception {
    Path f = write(prediction("Müller^Änne", 0.75));
    assertEquals("ISO_IR 192", DicomTools.dcmdumpValue(f, "SpecificCharacterSet"));
    String utf8 = DicomTools.output("dcmconv", "+U8", f.toString(), tmp.resolve("u8.dcm").toString());
    assertEquals("", utf8.strip());
    assertTrue(DicomTools.output("dcmdump", "+P", "PatientName", tmp.resolve("u8.dcm").toString())
        .contains("Müller^Änne"));
  }

  @Test
  void theSameResultGetsTheSameUidsAndAnotherResultNewOnes() {
    String once = ClassificationReportWriter.sopInstanceUid(prediction("X^Y", 0.75));
    assertEquals(once, ClassificationReportWriter.sopInstanceUid(prediction("X^Y", 0.75)));
    assertNotEquals(once, ClassificationReportWriter.sopInstanceUid(prediction("X^Y", 0.7)));
    assertTrue(once.length() <= 64 && once.matches("2\\.25\\.\\d+"), once);
  }

  @Test
  void aReportNeedsItsStudyAndACategory() {
    assertThrows(IllegalArgumentException.class, () -> new ClassificationReportWriter.Prediction(Map.of(), "m",
        List.of(new ClassificationReportWriter.Category("A", "A", 1, null, null))));
    assertThrows(IllegalArgumentException.class, () -> new ClassificationReportWriter.Prediction(Map.of(
        "StudyInstanceUID", "1.2"), "m", List.of()));
  }
}
