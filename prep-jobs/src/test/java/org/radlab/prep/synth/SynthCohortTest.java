package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;
import org.radlab.prep.synth.ExternalDicomTools.PixelMedImage;

/**
 * A 200-study run, checked as a data set: label prevalence and agreement, labels against the files, dates, and the
 * image content measured from the decoded pixels (PixelMed), never from the generator's own numbers.
 */
class SynthCohortTest {
  private static final int STUDIES = 200;
  private static final List<String> CLASSES = List.of("A", "B", "C", "D");
  /** "Bright" tissue: display value above 40 % of full scale, between typical fat and glandular tissue. */
  private static final double BRIGHT = 0.40;

  @TempDir static Path tmp;
  static Path out;
  static List<String[]> labels = new ArrayList<>();
  static String header;
  static List<PixelMedImage> images = new ArrayList<>();

  @BeforeAll
  static void generate() throws Exception {
    out = tmp.resolve("cohort");
    SyntheticMammography.generate(SynthConfig.small(out, STUDIES, 11));
    List<String> lines = Files.readAllLines(out.resolve("labels.csv"));
    header = lines.get(0);
    for (String line : lines.subList(1, lines.size())) {
      labels.add(line.split(",", -1));
    }
    for (Path f : DicomTools.dicomFiles(out)) {
      images.add(ExternalDicomTools.readWithPixelMed(f));
    }
  }

  @Test
  void labelsHaveTheAgreedHeaderAndOneRowPerStudy() {
    assertEquals("StudyInstanceUID,PatientID,StudyDate,density,density_reader2", header);
    assertEquals(STUDIES, labels.size());
    assertEquals(STUDIES, labels.stream().map(r -> r[0]).distinct().count(), "one row per study");
    for (String[] row : labels) {
      assertEquals(5, row.length, String.join(",", row));
      assertTrue(CLASSES.contains(row[3]) && CLASSES.contains(row[4]), String.join(",", row));
    }
  }

  @Test
  void labelsMatchTheFiles() {
    Map<String, List<PixelMedImage>> byStudy = images.stream()
        .collect(Collectors.groupingBy(PixelMedImage::studyInstanceUid));
    assertEquals(STUDIES, byStudy.size());
    for (String[] row : labels) {
      List<PixelMedImage> files = byStudy.get(row[0]);
      assertTrue(files != null && files.size() == 4, "four files for study " + row[0]);
      for (PixelMedImage image : files) {
        assertEquals(row[1], image.patientId(), image.file().toString());
        assertEquals(row[2], image.studyDate(), image.file().toString());
      }
    }
  }

  @Test
  void densityPrevalenceIsNear10_40_40_10() {
    Map<String, Long> counts = labels.stream().collect(Collectors.groupingBy(r -> r[3], Collectors.counting()));
    // Binomial standard deviations for 200 studies: about 4 (A, D) and 7 (B, C); bounds are about 3.5 of them.
    assertTrue(between(counts.get("A"), 6, 34), counts.toString());
    assertTrue(between(counts.get("B"), 55, 105), counts.toString());
    assertTrue(between(counts.get("C"), 55, 105), counts.toString());
    assertTrue(between(counts.get("D"), 6, 34), counts.toString());
  }

  @Test
  void theSecondReaderMostlyAgreesAndOtherwiseIsOneClassOff() {
    int agree = 0;
    for (String[] row : labels) {
      int diff = Math.abs(CLASSES.indexOf(row[3]) - CLASSES.indexOf(row[4]));
      assertTrue(diff <= 1, "off by more than one class: " + String.join(",", row));
      if (diff == 0) {
        agree++;
      }
    }
    assertTrue(agree >= 0.65 * STUDIES && agree < STUDIES, agree + " of " + STUDIES + " agree");
  }

  @Test
  void someStudiesAreFollowUpsAndDatesSpanAtLeastTwoYears() {
    Map<String, List<String>> datesByPatient = labels.stream()
        .collect(Collectors.groupingBy(r -> r[1], Collectors.mapping(r -> r[2], Collectors.toList())));
    long longitudinal = datesByPatient.values().stream().filter(d -> d.size() == 2).count();
    assertTrue(longitudinal >= 10, longitudinal + " patients with two studies");
    for (List<String> dates : datesByPatient.values()) {
      assertTrue(dates.size() <= 2);
      assertEquals(dates.size(), Set.copyOf(dates).size(), "a patient's studies are on different days " + dates);
    }
    // a follow-up: the same PatientID, its own StudyInstanceUID, one to two years later, the same density class
    Map<String, List<String[]>> studiesByPatient = labels.stream().collect(Collectors.groupingBy(r -> r[1]));
    for (List<String[]> studies : studiesByPatient.values()) {
      if (studies.size() == 2) {
        String[] a = studies.get(0);
        String[] b = studies.get(1);
        assertTrue(!a[0].equals(b[0]), "two studies, one StudyInstanceUID " + a[0]);
        long days = Math.abs(ChronoUnit.DAYS.between(LocalDate.parse(a[2], DateTimeFormatter.BASIC_ISO_DATE),
            LocalDate.parse(b[2], DateTimeFormatter.BASIC_ISO_DATE)));
        assertTrue(days >= 365 && days <= 730, "follow-up after " + days + " days");
        assertEquals(a[3], b[3], "a patient's density over one or two years, study " + a[0]);
      }
    }
    List<LocalDate> all = labels.stream().map(r -> LocalDate.parse(r[2], DateTimeFormatter.BASIC_ISO_DATE))
        .sorted().toList();
    long span = ChronoUnit.DAYS.between(all.get(0), all.get(all.size() - 1));
    assertTrue(span >= 730, "dates span " + span + " days");
  }

  @Test
  void everyMixedTransferSyntaxOccurs() {
    Map<String, Long> bySyntax = images.stream()
        .collect(Collectors.groupingBy(PixelMedImage::transferSyntax, Collectors.counting()));
    assertEquals(Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.5"), bySyntax.keySet());
  }

  /** Mean share of bright pixels over the breast on the CC views (MLO views add the bright pectoral muscle). */
  @Test
  void theBrightShareOfTheBreastGrowsWithTheDensityClass() {
    Map<String, String> densityByStudy = new HashMap<>();
    labels.forEach(r -> densityByStudy.put(r[0], r[3]));
    Map<String, List<Double>> shares = new TreeMap<>();
    Map<String, List<Double>> perStudy = new LinkedHashMap<>();
    for (PixelMedImage image : images) {
      if ("CC".equals(image.viewPosition())) {
        perStudy.computeIfAbsent(image.studyInstanceUid(), k -> new ArrayList<>()).add(brightShare(image));
      }
    }
    perStudy.forEach((uid, v) -> shares.computeIfAbsent(densityByStudy.get(uid), k -> new ArrayList<>())
        .add(v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    double previous = -1;
    Map<String, Double> means = new TreeMap<>();
    for (String cls : CLASSES) {
      double mean = shares.get(cls).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      means.put(cls, mean);
      assertTrue(mean > previous + 0.03, "class " + cls + " is not brighter than the previous one: " + means);
      previous = mean;
    }
    assertTrue(means.get("D") - means.get("A") > 0.25, means.toString());
    // Learnable but not trivial: neighbouring classes overlap.
    double maxB = shares.get("B").stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double minC = shares.get("C").stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    assertTrue(maxB > minC, "B and C do not overlap: max B " + maxB + ", min C " + minC);
  }

  @Test
  void chestWallsLieOnTheHangingSide() {
    for (PixelMedImage image : images) {
      int chestWall = "L".equals(image.laterality()) ? 0 : image.columns() - 1;
      int far = image.columns() - 1 - chestWall;
      int onChestWall = 0;
      int onFarEdge = 0;
      for (int y = 0; y < image.rows(); y++) {
        onChestWall += image.breast(chestWall, y) ? 1 : 0;
        onFarEdge += image.breast(far, y) ? 1 : 0;
      }
      assertTrue(onChestWall > 0.3 * image.rows(), image.file() + ": breast on " + onChestWall + " rows of the"
          + " chest-wall edge");
      assertEquals(0, onFarEdge, image.file() + ": the edge opposite the chest wall is background");
    }
  }

  @Test
  void monochrome1AndMonochrome2RenderAlike() {
    Map<String, List<Double>> meanDisplay = new TreeMap<>();
    for (PixelMedImage image : images) {
      double sum = 0;
      int n = 0;
      for (int y = 0; y < image.rows(); y++) {
        for (int x = 0; x < image.columns(); x++) {
          if (image.breast(x, y)) {
            sum += image.display(x, y);
            n++;
          }
        }
      }
      assertTrue(n > 0.15 * image.rows() * image.columns(), image.file() + ": breast area " + n);
      meanDisplay.computeIfAbsent(image.photometric(), k -> new ArrayList<>()).add(sum / n);
    }
    assertEquals(Set.of("MONOCHROME1", "MONOCHROME2"), meanDisplay.keySet());
    double m1 = meanDisplay.get("MONOCHROME1").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double m2 = meanDisplay.get("MONOCHROME2").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(m1 > 0.15 && m1 < 0.6 && m2 > 0.15 && m2 < 0.6, "mean tissue display " + m1 + " / " + m2);
    assertTrue(Math.abs(m1 - m2) < 0.1, "MONOCHROME1 " + m1 + " vs MONOCHROME2 " + m2);
  }

  @Test
  void mloViewsShowABrightPectoralMuscleInTheUpperChestWallCorner() {
    int checked = 0;
    for (PixelMedImage image : images) {
      if (!"MLO".equals(image.viewPosition())) {
        continue;
      }
      int size = Math.max(4, image.columns() / 20);
      boolean left = "L".equals(image.laterality());
      double corner = 0;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          corner += image.display(left ? x : image.columns() - 1 - x, y);
        }
      }
      corner /= size * size;
      double[] tissue = new double[image.rows() * image.columns()];
      int n = 0;
      for (int y = 0; y < image.rows(); y++) {
        for (int x = 0; x < image.columns(); x++) {
          if (image.breast(x, y)) {
            tissue[n++] = image.display(x, y);
          }
        }
      }
      Arrays.sort(tissue, 0, n);
      double median = tissue[n / 2];
      assertTrue(corner > median, image.file() + ": corner " + corner + ", tissue median " + median);
      checked++;
    }
    assertEquals(2 * STUDIES, checked);
  }

  private static double brightShare(PixelMedImage image) {
    int breast = 0;
    int bright = 0;
    for (int y = 0; y < image.rows(); y++) {
      for (int x = 0; x < image.columns(); x++) {
        if (image.breast(x, y)) {
          breast++;
          if (image.display(x, y) > BRIGHT) {
            bright++;
          }
        }
      }
    }
    return bright / (double) breast;
  }

  private static boolean between(Long value, long lo, long hi) {
    return value != null && value >= lo && value <= hi;
  }
}
