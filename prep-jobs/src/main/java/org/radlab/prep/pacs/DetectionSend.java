package org.radlab.prep.pacs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dicom.ClassificationReportWriter;
import org.radlab.core.dicom.DetectionReportWriter;
import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.task.AssistModule;

/**
 * {@code radlab send --task detection}: a detector's boxes on a dataset's images (the boxes CSV the evaluate job
 * writes, in the prepared PNGs' pixels) as one {@link DetectionReportWriter} report per original study. Each image
 * is re-identified through the dataset's id map, and each box scoring at least the minimum is moved into the
 * original image's pixels ({@link BoxTable#pngToOriginal}). The PACS (QIDO-RS) gives the study's patient and study
 * attributes and each image's SOP class; a study or image the PACS does not hold fails with that reason.
 */
final class DetectionSend {
  private final DicomWebClient client;
  private final SendCommand.Stow stow;
  private final String model;
  private final double minScore;
  private final Path assist;
  private final String dataset;
  private final String privateDir;

  DetectionSend(DicomWebClient client, SendCommand.Stow stow, String model, double minScore, Path assist,
      String dataset, String privateDir) {
    if (!(minScore >= 0 && minScore <= 1)) {
      throw new IllegalArgumentException("--min-score must be in [0, 1], got " + minScore);
    }
    this.client = client;
    this.stow = stow;
    this.model = model;
    this.minScore = minScore;
    this.assist = assist;
    this.dataset = dataset;
    this.privateDir = privateDir;
  }

  List<SendCommand.Outcome> send(Path csv) throws IOException {
    BoxTable table = BoxTable.readPredictions(csv, BoxTable.IMAGE);
    AssistModule module = assist == null ? null : SendCommand.assistModule(assist, table.labels());
    DatasetOriginals dataset = DatasetOriginals.read(this.dataset, privateDir);
    List<SendCommand.Outcome> outcomes = new ArrayList<>();
    // the images read, by original study (in the CSV's order); the study's pseudonym names it in the summary
    Map<String, List<String>> byStudy = new LinkedHashMap<>();
    for (String image : table.images()) {
      String why = dataset.unusable(image, this.dataset);
      if (why != null) {
        outcomes.add(SendCommand.Outcome.failed(null, null, image, why));
      } else {
        byStudy.computeIfAbsent(dataset.originals().get(image).studyUid(), k -> new ArrayList<>()).add(image);
      }
    }
    Map<String, List<BoxTable.Box>> boxes = new HashMap<>();
    for (BoxTable.Box b : table.boxes()) {
      if (b.score() >= minScore) {
        boxes.computeIfAbsent(b.image(), k -> new ArrayList<>()).add(b);
      }
    }
    LocalDateTime now = LocalDateTime.now();
    for (Map.Entry<String, List<String>> study : byStudy.entrySet()) {
      String pseudonym = dataset.catalog().get(study.getValue().get(0)).studyUid();
      String name = pseudonym != null ? pseudonym : study.getKey();
      Map<String, String> attributes = client.studyAttributes(study.getKey(),
          ClassificationReportWriter.STUDY_ATTRIBUTES);
      if (attributes == null) {
        outcomes.add(SendCommand.Outcome.failed(name, null, null, "the PACS does not hold this study"));
        continue;
      }
      Map<String, DetectionReportWriter.Image> images = new LinkedHashMap<>();
      String missing = images(study.getKey(), study.getValue(), dataset, images);
      if (missing != null) {
        outcomes.add(SendCommand.Outcome.failed(name, null, missing, "the PACS does not hold this image of the "
            + "study"));
        continue;
      }
      List<DetectionReportWriter.Box> found = new ArrayList<>();
      for (String image : study.getValue()) {
        ImageList.Entry entry = dataset.catalog().get(image);
        List<BoxTable.Box> onImage = new ArrayList<>(boxes.getOrDefault(image, List.of()));
        onImage.sort(java.util.Comparator.comparingDouble(BoxTable.Box::score).reversed());
        for (BoxTable.Box b : onImage) {
          BoxTable.Box o = BoxTable.pngToOriginal(b, entry);
          if (o == null) {
            continue; // nothing of it inside the image
          }
          AssistModule.Finding f = module == null ? null : module.findings().get(b.label());
          found.add(new DetectionReportWriter.Box(images.get(image), b.label(), b.label(), f == null ? null : f.cde(),
              f == null ? null : f.reportText(), b.score(), o.xMin(), o.yMin(), o.xMax(), o.yMax()));
        }
      }
      DetectionReportWriter.Detections d = new DetectionReportWriter.Detections(attributes, model,
          new ArrayList<>(images.values()), found);
      outcomes.add(new SendCommand.Outcome(name, null, null, DetectionReportWriter.sopInstanceUid(d), null,
          found.size(), null, null));
      stow.add(DetectionReportWriter.bytes(d, now), name + ".dcm", outcomes, outcomes.size() - 1);
    }
    stow.flush(outcomes);
    return outcomes;
  }

  /**
   * Fills {@code into} with each image of one study as the report references it (its original series, SOP class
   * from the PACS, instance and frame); returns the first image the PACS does not hold, or null.
   */
  private String images(String studyUid, List<String> images, DatasetOriginals dataset,
      Map<String, DetectionReportWriter.Image> into) throws IOException {
    Map<String, Map<String, Map<String, List<String>>>> seriesCache = new HashMap<>();
    for (String image : images) {
      DatasetOriginals.Original o = dataset.originals().get(image);
      Map<String, Map<String, List<String>>> instances = seriesCache.get(o.seriesUid());
      if (instances == null) {
        instances = new HashMap<>();
        for (Map<String, List<String>> i : client.instances(studyUid, o.seriesUid(),
            List.of("SOPClassUID", "NumberOfFrames"))) {
          instances.put(i.get("SOPInstanceUID").get(0), i);
        }
        seriesCache.put(o.seriesUid(), instances);
      }
      Map<String, List<String>> held = instances.get(o.sopInstanceUid());
      if (held == null || !held.containsKey("SOPClassUID")) {
        return image;
      }
      into.put(image, new DetectionReportWriter.Image(o.seriesUid(), held.get("SOPClassUID").get(0),
          o.sopInstanceUid(), frameNumber(held, o.frame())));
    }
    return null;
  }

  /** The DICOM frame number (from 1) of prep's frame {@code frame} of a multi-frame image; null for one frame. */
  static Integer frameNumber(Map<String, List<String>> instance, int frame) {
    List<String> frames = instance.get("NumberOfFrames");
    boolean multi = frame > 0 || frames != null && !frames.isEmpty() && frames.get(0).matches("\\d+")
        && Integer.parseInt(frames.get(0)) > 1;
    return multi ? frame + 1 : null;
  }
}
