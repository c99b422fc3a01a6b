package org.radlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.Csv;
import org.radlab.core.deid.DatePolicy;
import org.radlab.core.jobs.TrainConfig;

/**
 * The training/validation split keeps each patient on one side, on synthetic data where about a third of the
 * patients have a follow-up study. The patients and dates come from the dataset's {@code images.csv} (plain CSV,
 * read here without the job's code) and the synthetic cohort's own {@code labels.csv}.
 */
class TrainingSetTest {
  private static final int STUDIES = 60;
  @TempDir static Path tmp;
  static TrainTestData data;
  /** Dataset study UID to its patient's pseudonym, and to its (shifted) date, from images.csv. */
  static final Map<String, String> patientOf = new HashMap<>();
  static final Map<String, String> dateOf = new HashMap<>();
  /** The label snapshot: dataset study UID to class. */
  static final Map<String, String> labelOf = new HashMap<>();

  @BeforeAll
  static void prepare() throws Exception {
    data = TrainTestData.create(tmp.resolve("data"), STUDIES, 23, DatePolicy.SHIFT);
    List<String> lines = Files.readAllLines(data.dataset.resolve("images.csv"));
    List<String> header = Csv.fields(lines.get(0));
    int study = header.indexOf("study_uid");
    int patient = header.indexOf("patient_id");
    int date = header.indexOf("study_date");
    for (String line : lines.subList(1, lines.size())) {
      List<String> f = Csv.fields(line);
      patientOf.put(f.get(study), f.get(patient));
      dateOf.put(f.get(study), f.get(date));
    }
    List<String> snapshot = Files.readAllLines(data.labels);
    for (String line : snapshot.subList(1, snapshot.size())) {
      List<String> f = Csv.fields(line);
      labelOf.put(f.get(0), f.get(1));
    }
  }

  @Test
  void theSyntheticFollowUpsAreTheSamePatientsInTheDataset() throws Exception {
    // synth's own record: original PatientID per original study
    List<String> lines = Files.readAllLines(data.synthLabels);
    int patientColumn = Csv.fields(lines.get(0)).indexOf("PatientID");
    Map<String, Long> original = lines.subList(1, lines.size()).stream()
        .collect(Collectors.groupingBy(l -> Csv.fields(l).get(patientColumn), Collectors.counting()));
    Map<String, Long> pseudonymous = labelOf.keySet().stream()
        .collect(Collectors.groupingBy(patientOf::get, Collectors.counting()));
    assertEquals(STUDIES, labelOf.size());
    assertEquals(original.size(), pseudonymous.size(), "patients");
    long followUps = original.values().stream().filter(n -> n == 2).count();
    assertTrue(followUps >= 8, followUps + " patients with a follow-up study");
    assertEquals(followUps, pseudonymous.values().stream().filter(n -> n == 2).count());
    // a follow-up is later than the first study (dates shifted per patient keep their order)
    for (var e : patientStudies().entrySet()) {
      List<String> studies = e.getValue();
      if (studies.size() == 2) {
        assertTrue(dateOf.get(studies.get(0)).compareTo(dateOf.get(studies.get(1))) < 0, studies.toString());
      }
    }
  }

  @Test
  void noPatientIsOnBothSidesAndEachClassHoldsOutItsShare() throws Exception {
    int followUpsInValidation = 0;
    int followUpsInTraining = 0;
    for (long seed = 1; seed <= 6; seed++) {
      double fraction = seed % 2 == 0 ? 0.2 : 0.35;
      TrainConfig cfg = TrainConfig.of(data.dataset.toString(), data.labels.toString(), TrainTestData.CLASSES)
          .with("{\"seed\":" + seed + ",\"validationFraction\":" + fraction + "}");
      TrainingSet set = TrainingSet.build(TrainTestData.spark(), cfg);
      Set<String> trainStudies = set.train.stream().map(TrainingSet.Example::studyUid).collect(Collectors.toSet());
      Set<String> validationStudies =
          set.validation.stream().map(TrainingSet.Example::studyUid).collect(Collectors.toSet());
      Set<String> trainPatients = trainStudies.stream().map(patientOf::get).collect(Collectors.toSet());
      Set<String> validationPatients = validationStudies.stream().map(patientOf::get).collect(Collectors.toSet());
      Set<String> both = new HashSet<>(trainPatients);
      both.retainAll(validationPatients);
      assertEquals(Set.of(), both, "patients on both sides with seed " + seed);
      // every labelled study on exactly one side, with all four of its images
      Set<String> all = new HashSet<>(trainStudies);
      all.addAll(validationStudies);
      assertEquals(labelOf.keySet(), all);
      assertEquals(STUDIES, trainStudies.size() + validationStudies.size());
      assertEquals(4 * STUDIES, set.train.size() + set.validation.size());

      // each class, by the class of a patient's earliest study, holds out round(fraction x its patients)
      Map<String, Integer> patientsOfClass = new TreeMap<>();
      Map<String, Integer> heldOfClass = new TreeMap<>();
      for (var e : patientStudies().entrySet()) {
        String cls = labelOf.get(e.getValue().get(0));
        patientsOfClass.merge(cls, 1, Integer::sum);
        heldOfClass.merge(cls, validationPatients.contains(e.getKey()) ? 1 : 0, Integer::sum);
      }
      for (var e : patientsOfClass.entrySet()) {
        int n = e.getValue();
        int expected = n < 2 ? 0 : Math.max(1, (int) Math.round(fraction * n));
        assertEquals(expected, heldOfClass.get(e.getKey()), "validation patients of class " + e.getKey()
            + " (of " + n + ") with seed " + seed);
      }
      for (var e : patientStudies().entrySet()) {
        if (e.getValue().size() == 2) {
          if (validationPatients.contains(e.getKey())) {
            followUpsInValidation++;
          } else {
            followUpsInTraining++;
          }
        }
      }
    }
    // the split had patients with two studies to keep together, on both sides
    assertTrue(followUpsInValidation > 0 && followUpsInTraining > 0,
        followUpsInValidation + " in validation, " + followUpsInTraining + " in training");
  }

  @Test
  void aSplitByStudyWouldHaveSplitPatientsOnTheseData() {
    // what the test above guards against: the same share of studies held out at random separates a patient's
    // studies for almost every seed
    List<String> studies = new ArrayList<>(new TreeMap<>(labelOf).keySet());
    int separated = 0;
    for (long seed = 1; seed <= 6; seed++) {
      Collections.shuffle(studies, new Random(seed));
      Set<String> held = new HashSet<>(studies.subList(0, (int) Math.round(0.2 * studies.size())));
      Map<String, Set<Boolean>> sides = new HashMap<>();
      studies.forEach(s -> sides.computeIfAbsent(patientOf.get(s), k -> new HashSet<>()).add(held.contains(s)));
      if (sides.values().stream().anyMatch(s -> s.size() == 2)) {
        separated++;
      }
    }
    assertTrue(separated >= 4, separated + " of 6 study-level splits separated a patient's studies");
  }

  /** Each patient's labelled studies, earliest first (by date, then study UID). */
  private static Map<String, List<String>> patientStudies() {
    Map<String, List<String>> out = new TreeMap<>();
    labelOf.keySet().stream().sorted((a, b) -> {
      int byDate = dateOf.get(a).compareTo(dateOf.get(b));
      return byDate != 0 ? byDate : a.compareTo(b);
    }).forEach(s -> out.computeIfAbsent(patientOf.get(s), k -> new ArrayList<>()).add(s));
    return out;
  }
}
