package org.radlab.train;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.dataset.ImageGeometry;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.LabelSnapshot;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.Preprocessing;
import org.radlab.core.model.Sampling;
import org.radlab.core.task.TaskType;
import org.radlab.spark.HadoopPaths;

/**
 * Which images a training run learns from and which it validates on. The split is by patient, so no patient is on
 * both sides, and stratified by the class of each patient's first study; an optional stratified subset of the
 * training studies shows how the amount of data changes the result. Everything is seeded.
 *
 * <p>A classifier's labels come per study from the snapshot, and every image of a labelled study carries its
 * study's label. A detector's come per image: the boxes of every image the snapshot lists (an image listed without
 * boxes was read and holds no finding), moved from the PNG's pixels to the model input's. A segmenter's come per
 * image too: the mask of every image the snapshot lists, moved into the model input. For the split a study's class
 * is whether any of its images holds a finding, and for sampling an image's class is whether it holds one.
 */
final class TrainingSet {
  /**
   * One image with its study, patient and class index (a detector's: 1 when it holds a box; a segmenter's: 1 when its
   * mask holds a finding), for a detector its boxes in model input pixels, {@code x0, y0, x1, y1, class} after each
   * other, and for a segmenter its mask in model input pixels (both null for a classifier).
   */
  record Example(String imageId, String studyUid, String patientId, int label, double[] boxes, byte[] mask)
      implements Serializable {}

  final List<Example> train;
  final List<Example> validation;
  /** Studies of each class (a classifier's classes; a detector's: without, with findings). */
  final int[] trainStudiesPerClass;
  final int[] validationStudiesPerClass;
  /** A detector's reference boxes of each finding class; null for a classifier. */
  final int[] trainBoxesPerClass;
  final int[] validationBoxesPerClass;

  private TrainingSet(List<Example> train, List<Example> validation, int classes, int findingClasses) {
    this.train = train;
    this.validation = validation;
    this.trainStudiesPerClass = studiesPerClass(train, classes);
    this.validationStudiesPerClass = studiesPerClass(validation, classes);
    this.trainBoxesPerClass = findingClasses == 0 ? null : boxesPerClass(train, findingClasses);
    this.validationBoxesPerClass = findingClasses == 0 ? null : boxesPerClass(validation, findingClasses);
  }

  /** Studies in the training split. */
  int trainStudies() {
    return IntStream.of(trainStudiesPerClass).sum();
  }

  int validationStudies() {
    return IntStream.of(validationStudiesPerClass).sum();
  }

  /**
   * What the split needs of the labels: each labelled study's class, and the images read with a detector's boxes or
   * a segmenter's masks.
   */
  private record Labels(Map<String, String> studyClass, List<String> classNames, Set<String> images,
      Map<String, double[]> boxes, Map<String, byte[]> masks) {}

  /** A study's class for a detector's split. */
  private static final String WITHOUT = "without findings";
  private static final String WITH = "with findings";

  /** A classifier's split of {@code cfg}'s labels over its dataset. */
  static TrainingSet build(SparkSession spark, TrainConfig cfg) throws IOException {
    if (cfg.task() != TaskType.CLASSIFICATION) {
      throw new IllegalArgumentException("a " + cfg.task().id() + " split needs the dataset's preprocessing");
    }
    return build(spark, cfg, null);
  }

  /** The split of {@code cfg}'s labels over its dataset, whose tensors {@code pre} turns into model inputs. */
  static TrainingSet build(SparkSession spark, TrainConfig cfg, Preprocessing pre) throws IOException {
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
    Labels l = switch (cfg.task()) {
      case CLASSIFICATION -> studyLabels(cfg);
      case DETECTION -> boxLabels(spark, cfg, pre, imagesOfStudy);
      case SEGMENTATION -> maskLabels(spark, cfg, pre, imagesOfStudy);
    };
    boolean perImage = cfg.task() != TaskType.CLASSIFICATION;
    Map<String, String> labels = l.studyClass();
    Map<String, Integer> classIndex = LabelSnapshot.classIndex(labels, l.classNames(), "the config");
    List<String> unknownStudies = labels.keySet().stream().filter(s -> !imagesOfStudy.containsKey(s)).sorted()
        .toList();
    if (!unknownStudies.isEmpty()) {
      throw new IllegalArgumentException(unknownStudies.size() + " labelled studies have no image in the dataset"
          + " (first: " + unknownStudies.get(0) + "); was the label snapshot made for another dataset?");
    }
    int classes = l.classNames().size();
    int[] perClass = new int[classes];
    labels.values().forEach(c -> perClass[classIndex.get(c)]++);
    for (int c = 0; c < classes; c++) {
      if (perClass[c] == 0 && !perImage) {
        throw new IllegalArgumentException("class " + l.classNames().get(c) + " has no labelled studies; label some,"
            + " or leave the class out of the config");
      } else if (perClass[c] == 0 && c == 1) { // a detector's studies may all hold a finding, but not none
        throw new IllegalArgumentException(cfg.detection()
            ? "no labelled study holds a box; draw or import boxes for some images first"
            : "no labelled study's mask holds a finding; draw or import masks for some images first");
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
    List<Example> train = examples(trainStudies, imagesOfStudy, patientOfStudy, labels, classIndex, l);
    List<Example> validation = examples(validationStudies, imagesOfStudy, patientOfStudy, labels, classIndex, l);
    if (validation.isEmpty()) {
      throw new IllegalArgumentException("no study is left for validation: label studies of more patients, or"
          + " raise validationFraction");
    }
    TrainingSet set = new TrainingSet(train, validation, classes, cfg.detection() ? cfg.classes().size() : 0);
    if (cfg.sampling() == Sampling.EQUAL_CLASS && !perImage) {
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

  private static Labels studyLabels(TrainConfig cfg) throws IOException {
    return new Labels(LabelSnapshot.read(Path.of(cfg.labels())), cfg.classes(), null, null, null);
  }

  /**
   * A detection snapshot's images and boxes: each box moved from its PNG's pixels into the tensor (the catalog's
   * sizes give the geometry) and scaled to the model input; a study is labelled when any of its images is listed.
   */
  private static Labels boxLabels(SparkSession spark, TrainConfig cfg, Preprocessing pre,
      Map<String, List<String>> imagesOfStudy) throws IOException {
    BoxTable table = BoxTable.readReference(Path.of(cfg.labels()), BoxTable.IMAGE);
    Map<String, Integer> classIndex = new HashMap<>();
    for (int c = 0; c < cfg.classes().size(); c++) {
      classIndex.put(cfg.classes().get(c), c);
    }
    Map<String, Long> unknownClasses = new TreeMap<>();
    table.boxes().stream().filter(b -> !classIndex.containsKey(b.label()))
        .forEach(b -> unknownClasses.merge(b.label(), 1L, Long::sum));
    if (!unknownClasses.isEmpty()) {
      throw new IllegalArgumentException("the label snapshot has boxes of classes the config does not list: "
          + unknownClasses + " (boxes per class); the config lists " + cfg.classes());
    }
    Map<String, ImageList.Entry> catalog = catalog(spark, cfg);
    List<String> unknownImages = table.images().stream().filter(i -> !catalog.containsKey(i)).toList();
    if (!unknownImages.isEmpty()) {
      throw new IllegalArgumentException(unknownImages.size() + " images of the label snapshot are not in the"
          + " dataset (first: " + unknownImages.get(0) + "); was the snapshot made for another dataset?");
    }
    Map<String, List<Double>> boxes = new HashMap<>();
    for (BoxTable.Box b : table.boxes()) {
      double[] t = ImageGeometry.of(catalog.get(b.image()), pre.side()).pngToInput(b.corners(), pre.inputSize());
      List<Double> list = boxes.computeIfAbsent(b.image(), k -> new ArrayList<>());
      for (double v : t) {
        list.add(v);
      }
      list.add((double) classIndex.get(b.label()));
    }
    Map<String, double[]> flat = new HashMap<>();
    boxes.forEach((image, list) -> flat.put(image, list.stream().mapToDouble(Double::doubleValue).toArray()));
    Set<String> listed = new HashSet<>(table.images());
    Map<String, String> studyClass = new HashMap<>();
    imagesOfStudy.forEach((study, studyImages) -> {
      if (studyImages.stream().anyMatch(listed::contains)) {
        studyClass.put(study, studyImages.stream().anyMatch(flat::containsKey) ? WITH : WITHOUT);
      }
    });
    return new Labels(studyClass, List.of(WITHOUT, WITH), listed, flat, null);
  }

  /**
   * A segmentation snapshot's masks, each moved from its PNG's pixels into the model input by nearest neighbour (the
   * catalog's sizes give the geometry); a study is labelled when any of its images is listed, and holds findings
   * when any of their masks does.
   */
  private static Labels maskLabels(SparkSession spark, TrainConfig cfg, Preprocessing pre,
      Map<String, List<String>> imagesOfStudy) throws IOException {
    MaskTable table = MaskTable.read(Path.of(cfg.labels()));
    Map<String, ImageList.Entry> catalog = catalog(spark, cfg);
    List<String> unknownImages = table.images().stream().filter(i -> !catalog.containsKey(i)).toList();
    if (!unknownImages.isEmpty()) {
      throw new IllegalArgumentException(unknownImages.size() + " images of the label snapshot are not in the"
          + " dataset (first: " + unknownImages.get(0) + "); was the snapshot made for another dataset?");
    }
    Map<String, byte[]> masks = new HashMap<>();
    Map<String, Boolean> found = new HashMap<>();
    for (var e : table.masks().entrySet()) {
      LabelMask m = e.getValue();
      if (m.maxLabel() > cfg.classes().size()) {
        throw new IllegalArgumentException("the mask of image " + e.getKey() + " holds class index " + m.maxLabel()
            + ", but the config lists " + cfg.classes().size() + " classes " + cfg.classes());
      }
      ImageList.Entry entry = catalog.get(e.getKey());
      if (m.width() != entry.pngWidth() || m.height() != entry.pngHeight()) {
        throw new IllegalArgumentException("the mask of image " + e.getKey() + " is " + m.width() + " x "
            + m.height() + ", its PNG " + entry.pngWidth() + " x " + entry.pngHeight() + "; was the snapshot made"
            + " for another preparation of the dataset?");
      }
      masks.put(e.getKey(), ImageGeometry.of(entry, pre.side()).pngMaskToInput(m, pre.inputSize()));
      found.put(e.getKey(), m.maxLabel() > 0);
    }
    Map<String, String> studyClass = new HashMap<>();
    imagesOfStudy.forEach((study, studyImages) -> {
      if (studyImages.stream().anyMatch(masks::containsKey)) {
        studyClass.put(study, studyImages.stream().anyMatch(i -> found.getOrDefault(i, false)) ? WITH : WITHOUT);
      }
    });
    return new Labels(studyClass, List.of(WITHOUT, WITH), masks.keySet(), null, masks);
  }

  private static Map<String, ImageList.Entry> catalog(SparkSession spark, TrainConfig cfg) throws IOException {
    String catalogFile = cfg.dataset().replaceAll("/+$", "") + "/" + ImageList.FILE;
    return ImageList.index(spark.read().textFile(catalogFile).collectAsList(), catalogFile);
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
      Map<String, String> patientOfStudy, Map<String, String> labels, Map<String, Integer> classIndex, Labels l) {
    List<Example> out = new ArrayList<>();
    for (String s : studies.stream().sorted().toList()) {
      for (String image : imagesOfStudy.get(s).stream().sorted().toList()) {
        if (l.images() == null) {
          out.add(new Example(image, s, patientOfStudy.get(s), classIndex.get(labels.get(s)), null, null));
        } else if (l.masks() != null && l.images().contains(image)) {
          byte[] mask = l.masks().get(image);
          out.add(new Example(image, s, patientOfStudy.get(s), holdsFinding(mask) ? 1 : 0, null, mask));
        } else if (l.images().contains(image)) {
          double[] boxes = l.boxes().getOrDefault(image, new double[0]);
          out.add(new Example(image, s, patientOfStudy.get(s), boxes.length > 0 ? 1 : 0, boxes, null));
        }
      }
    }
    return out;
  }

  private static boolean holdsFinding(byte[] mask) {
    for (byte b : mask) {
      if (b != 0) {
        return true;
      }
    }
    return false;
  }

  private static int[] boxesPerClass(List<Example> examples, int classes) {
    int[] out = new int[classes];
    for (Example e : examples) {
      for (int i = 4; i < e.boxes().length; i += 5) {
        out[(int) e.boxes()[i]]++;
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
