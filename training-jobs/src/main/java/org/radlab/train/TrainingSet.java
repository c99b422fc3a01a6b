package org.radlab.train;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Sampling;
import org.radlab.spark.HadoopPaths;

/**
 * Which images a training run learns from and which it validates on. Labels come per study from the snapshot; every
 * image of a labelled study carries its study's label. The split is by patient, so no patient is on both sides, and
 * stratified by class (a patient counts under the class of their first study). An optional stratified subset of the
 * training studies shows how the amount of data changes the result. Everything is seeded.
 */
final class TrainingSet {
  /** One image with its study, patient and class index. */
  record Example(String imageId, String studyUid, String patientId, int label) implements Serializable {}

  final List<Example> train;
  final List<Example> validation;
  final int[] trainStudiesPerClass;
  final int[] validationStudiesPerClass;

  private TrainingSet(List<Example> train, List<Example> validation, int classes) {
    this.train = train;
    this.validation = validation;
    this.trainStudiesPerClass = studiesPerClass(train, classes);
    this.validationStudiesPerClass = studiesPerClass(validation, classes);
  }

  static TrainingSet build(SparkSession spark, TrainConfig cfg) throws IOException {
    Map<String, String> labels = LabelSnapshot.read(Path.of(cfg.labels()));
    Map<String, Integer> classIndex = LabelSnapshot.classIndex(labels, cfg.classes(), "the config");
    String images = cfg.dataset().replaceAll("/+$", "") + "/" + DatasetLayout.IMAGES;
    if (!HadoopPaths.exists(spark, images)) {
      throw new IllegalArgumentException("dataset " + cfg.dataset() + " has no " + DatasetLayout.IMAGES
          + " (prepare it with radlab prep first)");
    }
    // study -> its images (sorted), and patient of each study
    Map<String, List<String>> imagesOfStudy = new HashMap<>();
    Map<String, String> patientOfStudy = new HashMap<>();
    Map<String, String> dateOfStudy = new HashMap<>();
    for (Row r : spark.read().parquet(images).select("image_id", "study_uid", "patient_id", "study_date")
        .collectAsList()) {
      imagesOfStudy.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getString(0));
      patientOfStudy.put(r.getString(1), r.getString(2));
      if (!r.isNullAt(3)) {
        dateOfStudy.put(r.getString(1), r.get(3).toString());
      }
    }
    List<String> unknownStudies = labels.keySet().stream().filter(s -> !imagesOfStudy.containsKey(s)).sorted()
        .toList();
    if (!unknownStudies.isEmpty()) {
      throw new IllegalArgumentException(unknownStudies.size() + " labelled studies have no image in the dataset"
          + " (first: " + unknownStudies.get(0) + "); was the label snapshot made for another dataset?");
    }
    int classes = cfg.classes().size();
    int[] perClass = new int[classes];
    labels.values().forEach(l -> perClass[classIndex.get(l)]++);
    for (int c = 0; c < classes; c++) {
      if (perClass[c] == 0) {
        throw new IllegalArgumentException("class " + cfg.classes().get(c) + " has no labelled studies; label some,"
            + " or leave the class out of the config");
      }
    }

    // patients, each under the class of its first study: the earliest by date (a dataset prepared without dates
    // has none), then by study UID
    Map<String, List<String>> studiesOfPatient = new TreeMap<>();
    labels.keySet().stream().sorted(Comparator.comparing((String s) -> dateOfStudy.getOrDefault(s, ""))
            .thenComparing(Comparator.naturalOrder()))
        .forEach(s -> studiesOfPatient.computeIfAbsent(patientOfStudy.get(s), k -> new ArrayList<>()).add(s));
    List<List<String>> patientsByClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      patientsByClass.add(new ArrayList<>());
    }
    studiesOfPatient.forEach((p, studies) -> patientsByClass.get(classIndex.get(labels.get(studies.get(0)))).add(p));
    Random random = new Random(cfg.seed());
    List<String> trainStudies = new ArrayList<>();
    List<String> validationStudies = new ArrayList<>();
    for (List<String> patients : patientsByClass) {
      java.util.Collections.shuffle(patients, random);
      int held = patients.size() < 2 ? 0 : Math.max(1, (int) Math.round(cfg.validationFraction() * patients.size()));
      for (int i = 0; i < patients.size(); i++) {
        (i < held ? validationStudies : trainStudies).addAll(studiesOfPatient.get(patients.get(i)));
      }
    }
    if (cfg.trainingStudies() > 0 && cfg.trainingStudies() < trainStudies.size()) {
      trainStudies = stratifiedSubset(trainStudies, labels, classIndex, classes, cfg.trainingStudies(), random);
    }
    List<Example> train = examples(trainStudies, imagesOfStudy, patientOfStudy, labels, classIndex);
    List<Example> validation = examples(validationStudies, imagesOfStudy, patientOfStudy, labels, classIndex);
    if (validation.isEmpty()) {
      throw new IllegalArgumentException("no study is left for validation: label studies of more patients, or"
          + " raise validationFraction");
    }
    TrainingSet set = new TrainingSet(train, validation, classes);
    if (cfg.sampling() == Sampling.EQUAL_CLASS) {
      for (int c = 0; c < classes; c++) {
        if (set.trainStudiesPerClass[c] < Sampling.MIN_PER_CLASS) {
          throw new IllegalArgumentException("equal_class sampling needs at least " + Sampling.MIN_PER_CLASS
              + " training studies of each class; " + cfg.classes().get(c) + " has " + set.trainStudiesPerClass[c]);
        }
      }
    }
    cfg.sampling().checkPreconditions(set.train.stream().mapToInt(Example::label).toArray(), classes);
    return set;
  }

  /** {@code n} studies with the classes in the same proportions (largest remainders), chosen at random. */
  static List<String> stratifiedSubset(List<String> studies, Map<String, String> labels,
      Map<String, Integer> classIndex, int classes, int n, Random random) {
    List<List<String>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    studies.stream().sorted().forEach(s -> byClass.get(classIndex.get(labels.get(s))).add(s));
    int[] take = new int[classes];
    double[] remainder = new double[classes];
    int given = 0;
    for (int c = 0; c < classes; c++) {
      double exact = (double) n * byClass.get(c).size() / studies.size();
      take[c] = (int) Math.floor(exact);
      remainder[c] = exact - take[c];
      given += take[c];
    }
    Integer[] order = new Integer[classes];
    for (int c = 0; c < classes; c++) {
      order[c] = c;
    }
    java.util.Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -remainder[c]).thenComparingInt(c -> c));
    for (int i = 0; given < n; i = (i + 1) % classes) {
      if (take[order[i]] < byClass.get(order[i]).size()) {
        take[order[i]]++;
        given++;
      }
    }
    List<String> out = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      List<String> list = byClass.get(c);
      java.util.Collections.shuffle(list, random);
      out.addAll(list.subList(0, take[c]));
    }
    return out;
  }

  private static List<Example> examples(List<String> studies, Map<String, List<String>> imagesOfStudy,
      Map<String, String> patientOfStudy, Map<String, String> labels, Map<String, Integer> classIndex) {
    List<Example> out = new ArrayList<>();
    for (String s : studies.stream().sorted().toList()) {
      for (String image : imagesOfStudy.get(s).stream().sorted().toList()) {
        out.add(new Example(image, s, patientOfStudy.get(s), classIndex.get(labels.get(s))));
      }
    }
    return out;
  }

  private static int[] studiesPerClass(List<Example> examples, int classes) {
    Map<String, Integer> studyClass = new LinkedHashMap<>();
    examples.forEach(e -> studyClass.put(e.studyUid(), e.label()));
    int[] out = new int[classes];
    studyClass.values().forEach(c -> out[c]++);
    return out;
  }
}
