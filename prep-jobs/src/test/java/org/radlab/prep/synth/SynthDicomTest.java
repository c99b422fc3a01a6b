package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

/** A default 20-study run, every file checked with dcmtk's dcmdump as an independent DICOM parser. */
class SynthDicomTest {
  private static final int STUDIES = 20;
  private static final String MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2";
  private static final Set<String> UNCOMPRESSED = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1");
  private static final Set<String> COMPRESSED = Set.of("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.4.70",
      "1.2.840.10008.1.2.5");

  @TempDir static Path tmp;
  static Path out;
  static Map<Path, Map<String, String>> dumps = new LinkedHashMap<>();

  @BeforeAll
  static void generate() throws Exception {
    out = tmp.resolve("synth");
    SyntheticMammography.generate(SynthConfig.small(out, STUDIES, 4));
    for (Path f : DicomTools.dicomFiles(out)) {
      dumps.put(f, DicomTools.dcmdumpByKeyword(f));
    }
  }

  @Test
  void everyStudyHasItsFourViewsUnderPatientAndStudyDirectories() {
    assertEquals(4 * STUDIES, dumps.size());
    Map<Path, List<Path>> byStudyDir = dumps.keySet().stream().collect(Collectors.groupingBy(Path::getParent));
    assertEquals(STUDIES, byStudyDir.size());
    for (var e : byStudyDir.entrySet()) {
      Set<String> names = e.getValue().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      assertEquals(Set.of("L_CC.dcm", "L_MLO.dcm", "R_CC.dcm", "R_MLO.dcm"), names, e.getKey().toString());
      Set<String> studyUids = e.getValue().stream().map(p -> dumps.get(p).get("StudyInstanceUID"))
          .collect(Collectors.toSet());
      assertEquals(1, studyUids.size(), "one study per directory: " + e.getKey());
      Path relative = out.relativize(e.getKey());
      assertEquals(2, relative.getNameCount(), "OUT/<patient>/<study>: " + relative);
      for (Path f : e.getValue()) {
        assertEquals(relative.getName(0).toString(), dumps.get(f).get("PatientID"), f.toString());
      }
    }
  }

  @Test
  void viewAndLateralityMatchTheFileName() {
    for (var e : dumps.entrySet()) {
      String[] name = e.getKey().getFileName().toString().replace(".dcm", "").split("_");
      assertEquals(name[0], e.getValue().get("ImageLaterality"), e.getKey().toString());
      assertEquals(name[1], e.getValue().get("ViewPosition"), e.getKey().toString());
    }
  }

  @Test
  void carriesTheMammographyForPresentationAttributes() {
    for (var e : dumps.entrySet()) {
      Map<String, String> t = e.getValue();
      String where = e.getKey().toString();
      assertEquals(MG_FOR_PRESENTATION, t.get("SOPClassUID"), where);
      assertEquals(MG_FOR_PRESENTATION, t.get("MediaStorageSOPClassUID"), where);
      assertEquals(t.get("SOPInstanceUID"), t.get("MediaStorageSOPInstanceUID"), where);
      assertEquals("MG", t.get("Modality"), where);
      assertEquals("BREAST", t.get("BodyPartExamined"), where);
      assertEquals("FOR PRESENTATION", t.get("PresentationIntentType"), where);
      assertEquals("NO", t.get("BurnedInAnnotation"), where);
      assertEquals("F", t.get("PatientSex"), where);
      assertEquals("1", t.get("SamplesPerPixel"), where);
      assertEquals("16", t.get("BitsAllocated"), where);
      int bitsStored = Integer.parseInt(t.get("BitsStored"));
      assertTrue(bitsStored >= 12 && bitsStored <= 14, where + " BitsStored " + bitsStored);
      assertEquals(String.valueOf(bitsStored - 1), t.get("HighBit"), where);
      assertEquals("0", t.get("PixelRepresentation"), where);
    }
  }

  @Test
  void carriesRealisticIdentifiersToBeRemoved() {
    for (var e : dumps.entrySet()) {
      for (String keyword : List.of("PatientID", "PatientName", "PatientBirthDate", "AccessionNumber", "StudyID",
          "InstitutionName", "ReferringPhysicianName", "StudyDate", "StudyTime", "ContentDate")) {
        String v = e.getValue().get(keyword);
        assertNotNull(v, keyword + " missing in " + e.getKey());
        assertTrue(v.length() >= 4 && !v.startsWith("(no value"), keyword + " = '" + v + "' in " + e.getKey());
      }
      assertTrue(e.getValue().get("PatientName").contains("^"), "a DICOM person name");
      assertTrue(e.getValue().get("PatientBirthDate").matches("(19|20)\\d{6}"));
    }
    long patients = dumps.values().stream().map(t -> t.get("PatientID")).distinct().count();
    assertTrue(patients >= 10 && patients < STUDIES, "some patients have two studies: " + patients);
  }

  @Test
  void uidsAreUniqueAndUnder225() {
    Set<String> sops = new HashSet<>();
    Set<String> studies = new TreeSet<>();
    for (Map<String, String> t : dumps.values()) {
      for (String keyword : List.of("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID")) {
        String uid = t.get(keyword);
        assertTrue(uid.matches("2\\.25\\.[1-9][0-9]*") && uid.length() <= 64, keyword + " " + uid);
      }
      assertTrue(sops.add(t.get("SOPInstanceUID")), "duplicate SOP Instance UID " + t.get("SOPInstanceUID"));
      studies.add(t.get("StudyInstanceUID"));
    }
    assertEquals(STUDIES, studies.size());
  }

  @Test
  void twoManufacturersWithDifferentPixelConventions() {
    Set<String> manufacturers = new HashSet<>();
    Set<String> photometric = new HashSet<>();
    int sigmoid = 0;
    for (var e : dumps.entrySet()) {
      Map<String, String> t = e.getValue();
      manufacturers.add(t.get("Manufacturer") + " / " + t.get("ManufacturerModelName"));
      photometric.add(t.get("PhotometricInterpretation"));
      if ("MONOCHROME1".equals(t.get("PhotometricInterpretation"))) {
        assertNotNull(t.get("WindowCenter"), e.getKey().toString());
        assertNotNull(t.get("WindowWidth"), e.getKey().toString());
        assertNotNull(t.get("PixelPaddingValue"), "MONOCHROME1 marks its non-zero background: " + e.getKey());
      }
      if ("SIGMOID".equals(t.get("VOILUTFunction"))) {
        sigmoid++;
        assertEquals("MONOCHROME2", t.get("PhotometricInterpretation"), e.getKey().toString());
        assertNotNull(t.get("RescaleSlope"), e.getKey().toString());
        assertNotNull(t.get("RescaleIntercept"), e.getKey().toString());
        assertNotNull(t.get("WindowCenter"), "a sigmoid VOI function needs a window: " + e.getKey());
      }
    }
    assertTrue(manufacturers.stream().map(m -> m.split(" / ")[0]).distinct().count() >= 2, manufacturers.toString());
    assertEquals(Set.of("MONOCHROME1", "MONOCHROME2"), photometric);
    assertTrue(sigmoid > 0, "some files use a sigmoid VOI LUT function");
  }

  @Test
  void aShareOfFilesIsCompressed() {
    Map<String, Long> bySyntax = dumps.values().stream()
        .collect(Collectors.groupingBy(t -> t.get("TransferSyntaxUID"), Collectors.counting()));
    long compressed = bySyntax.entrySet().stream().filter(e -> COMPRESSED.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    long uncompressed = bySyntax.entrySet().stream().filter(e -> UNCOMPRESSED.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    assertEquals(dumps.size(), compressed + uncompressed, "only the expected syntaxes: " + bySyntax);
    // 80 files at a 25 % share: binomial mean 20, standard deviation about 4.
    assertTrue(compressed >= 8 && compressed <= 36, "compressed files: " + bySyntax);
    assertTrue(bySyntax.keySet().stream().filter(COMPRESSED::contains).count() >= 2, bySyntax.toString());
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws Exception {
    List<Path> files = DicomTools.relativeFiles(out);
    List<Path> unexpected = files.stream().filter(p -> !p.toString().endsWith(".dcm"))
        .filter(p -> !p.toString().equals("labels.csv")).filter(p -> !p.getFileName().toString().startsWith("."))
        .toList();
    assertEquals(List.of(), unexpected);
    assertFalse(files.stream().anyMatch(p -> p.toString().endsWith(".tmp")), files.toString());
    assertTrue(Files.size(out.resolve("labels.csv")) > 0);
  }
}
