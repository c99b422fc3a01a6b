package org.radlab.prep.pacs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.ClassificationReportWriter;
import org.radlab.core.dicom.DatasetSeg;
import org.radlab.core.dicom.DerivedUid;
import org.radlab.core.dicom.SegmentationWriter;
import org.radlab.core.pacs.DicomWebClient;

/**
 * {@code radlab send --task segmentation}: a segmenter's masks on a dataset's images (the mask CSV the evaluate job
 * writes, in the prepared PNGs' pixels) as one DICOM SEG per original series ({@link SegmentationWriter}), filed
 * into the original study next to the images it segments. Each image is re-identified through the dataset's id map
 * and its mask moved to the original's Rows x Columns by nearest neighbour ({@link MaskTable#pngToOriginal}, mirrored
 * back when prep mirrored the image). The PACS (QIDO-RS) gives the study's patient and study attributes and, per
 * instance, its SOP class, size, pixel spacing and, when it has them, its frame of reference, orientation and
 * position: with those on every image of a series (single-frame images of one orientation) the SEG places its frames
 * in patient space; otherwise each frame corresponds pixel for pixel to its image, named by UID. The frames go in
 * slice order. A study, series or image the PACS does not hold, or an image of another size than the dataset
 * recorded, fails that series with the reason.
 */
final class SegmentationSend {
  /** The SEG's series number, next to the reports' 9901. */
  static final int SERIES_NUMBER = 9902;
  private static final List<String> INSTANCE_ATTRIBUTES = List.of("SOPClassUID", "NumberOfFrames", "Rows", "Columns",
      "FrameOfReferenceUID", "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "SliceThickness");

  private final DicomWebClient client;
  private final SendCommand.Stow stow;
  private final String model;
  private final List<String> classes;
  private final String dataset;
  private final String privateDir;

  SegmentationSend(DicomWebClient client, SendCommand.Stow stow, String model, List<String> classes, String dataset,
      String privateDir) {
    this.client = client;
    this.stow = stow;
    this.model = model;
    this.classes = List.copyOf(classes);
    this.dataset = dataset;
    this.privateDir = privateDir;
    new SegmentationWriter(this.classes); // checks the names before any work
  }

  /** A group of images one SEG holds: an original series, at one original size. */
  private record Group(String studyUid, String seriesUid, int columns, int rows) {}

  List<SendCommand.Outcome> send(Path csv) throws IOException {
    MaskTable table = MaskTable.read(csv);
    DatasetOriginals dataset = DatasetOriginals.read(this.dataset, privateDir);
    List<SendCommand.Outcome> outcomes = new ArrayList<>();
    Map<Group, List<String>> groups = new LinkedHashMap<>();
    Map<String, Integer> sizesPerSeries = new HashMap<>();
    for (Map.Entry<String, LabelMask> m : table.masks().entrySet()) {
      String image = m.getKey();
      String why = unusable(image, m.getValue(), dataset);
      if (why != null) {
        outcomes.add(SendCommand.Outcome.failed(null, null, image, why));
        continue;
      }
      DatasetOriginals.Original o = dataset.originals().get(image);
      ImageList.Entry e = dataset.catalog().get(image);
      Group g = new Group(o.studyUid(), o.seriesUid(), e.columns(), e.rows());
      if (!groups.containsKey(g)) {
        sizesPerSeries.merge(o.seriesUid(), 1, Integer::sum);
      }
      groups.computeIfAbsent(g, k -> new ArrayList<>()).add(image);
    }
    Map<String, Map<String, String>> studies = new HashMap<>();
    LocalDateTime now = LocalDateTime.now();
    for (Map.Entry<Group, List<String>> group : groups.entrySet()) {
      Group g = group.getKey();
      List<String> images = DatasetSeg.inSliceOrder(group.getValue(), dataset.catalog());
      ImageList.Entry first = dataset.catalog().get(images.get(0));
      String studyName = first.studyUid() != null ? first.studyUid() : g.studyUid();
      String seriesName = first.seriesUid() != null ? first.seriesUid() : g.seriesUid();
      String name = studyName + "-" + seriesName + (sizesPerSeries.get(g.seriesUid()) > 1 ? "-" + g.columns() + "x"
          + g.rows() : "");
      Map<String, String> study = studies.containsKey(g.studyUid()) ? studies.get(g.studyUid())
          : client.studyAttributes(g.studyUid(), ClassificationReportWriter.STUDY_ATTRIBUTES);
      studies.put(g.studyUid(), study);
      if (study == null) {
        outcomes.add(SendCommand.Outcome.failed(studyName, seriesName, null, "the PACS does not hold this study"));
        continue;
      }
      Map<String, Map<String, List<String>>> held = new HashMap<>();
      for (Map<String, List<String>> i : client.instances(g.studyUid(), g.seriesUid(), INSTANCE_ATTRIBUTES)) {
        held.put(i.get("SOPInstanceUID").get(0), i);
      }
      String[] notHeld = notHeld(images, held, g, dataset);
      if (notHeld != null) {
        outcomes.add(SendCommand.Outcome.failed(studyName, seriesName, notHeld[0], notHeld[1]));
        continue;
      }
      SegmentationWriter w = writer(study, images, table, dataset, held);
      StringBuilder content = new StringBuilder();
      for (String image : images) {
        DatasetOriginals.Original o = dataset.originals().get(image);
        content.append(o.sopInstanceUid()).append('/').append(o.frame()).append(':')
            .append(MaskTable.runs(table.masks().get(image))).append('\n');
      }
      String seriesUid = DerivedUid.of("radlab-send-seg-series", g.seriesUid(), model);
      String sop = DerivedUid.of("radlab-send-seg", g.seriesUid(), g.columns() + "x" + g.rows(), model,
          String.join(",", classes), content.toString());
      byte[] seg = w.instance(seriesUid, sop)
          .describe(SERIES_NUMBER, "RadLab AI segmentation: " + model, "Predicted by model " + model)
          .algorithmVersion(model)
          .created(now)
          .bytes();
      outcomes.add(new SendCommand.Outcome(studyName, seriesName, null, sop, null, null, images.size(), null));
      stow.add(seg, name + ".dcm", outcomes, outcomes.size() - 1);
    }
    stow.flush(outcomes);
    return outcomes;
  }

  /** Why one image's mask cannot be sent, or null when it can. */
  private String unusable(String image, LabelMask mask, DatasetOriginals dataset) {
    String why = dataset.unusable(image, this.dataset);
    if (why != null) {
      return why;
    }
    ImageList.Entry e = dataset.catalog().get(image);
    if (mask.width() != e.pngWidth() || mask.height() != e.pngHeight()) {
      return "the mask is " + mask.width() + " x " + mask.height() + ", the image's PNG " + e.pngWidth() + " x "
          + e.pngHeight();
    }
    if (mask.maxLabel() > classes.size()) {
      return "the mask holds class index " + mask.maxLabel() + ", beyond the " + classes.size() + " classes "
          + classes;
    }
    return null;
  }

  /**
   * The first image of a group that the PACS does not hold as the dataset recorded it (absent, or of another size),
   * and why; null when it holds them all.
   */
  private static String[] notHeld(List<String> images, Map<String, Map<String, List<String>>> held, Group g,
      DatasetOriginals dataset) {
    for (String image : images) {
      Map<String, List<String>> i = held.get(dataset.originals().get(image).sopInstanceUid());
      if (i == null || !i.containsKey("SOPClassUID")) {
        return new String[] {image, "the PACS does not hold this image of the series"};
      }
      if (i.containsKey("Rows") && i.containsKey("Columns") && (!i.get("Rows").get(0).equals(String.valueOf(g.rows()))
          || !i.get("Columns").get(0).equals(String.valueOf(g.columns())))) {
        return new String[] {image, "the PACS holds the image at " + i.get("Columns").get(0) + " x "
            + i.get("Rows").get(0) + " pixels, the dataset recorded " + g.columns() + " x " + g.rows()};
      }
    }
    return null;
  }

  /** The SEG of one group's images, in slice order, each mask moved into its original's pixels. */
  private SegmentationWriter writer(Map<String, String> study, List<String> images, MaskTable table,
      DatasetOriginals dataset, Map<String, Map<String, List<String>>> held) {
    List<Map<String, List<String>>> instances = new ArrayList<>();
    for (String image : images) {
      instances.add(held.get(dataset.originals().get(image).sopInstanceUid()));
    }
    Map<String, List<String>> first = instances.get(0);
    ImageList.Entry entry = dataset.catalog().get(images.get(0));
    double[] spacing = numbers(first.get("PixelSpacing"), 2);
    double[] thickness = numbers(first.get("SliceThickness"), 1);
    SegmentationWriter w = new SegmentationWriter(classes).study(study).spacing(
        spacing != null ? spacing[0] : entry.rowSpacing(), spacing != null ? spacing[1] : entry.columnSpacing(),
        thickness != null ? thickness[0] : null, entry.sliceSpacing());
    // placed in patient space when every image is a single frame of one frame of reference and orientation
    String frameOfReference = text(first.get("FrameOfReferenceUID"));
    double[] orientation = numbers(first.get("ImageOrientationPatient"), 6);
    boolean spatial = frameOfReference != null && orientation != null;
    for (int k = 0; spatial && k < images.size(); k++) {
      Map<String, List<String>> i = instances.get(k);
      double[] o = numbers(i.get("ImageOrientationPatient"), 6);
      spatial = frameOfReference.equals(text(i.get("FrameOfReferenceUID"))) && o != null
          && numbers(i.get("ImagePositionPatient"), 3) != null
          && DetectionSend.frameNumber(i, dataset.originals().get(images.get(k)).frame()) == null;
      for (int c = 0; spatial && c < 6; c++) {
        spatial = Math.abs(o[c] - orientation[c]) < 1e-4;
      }
    }
    if (spatial) {
      w.frameOfReference(frameOfReference, orientation);
    }
    for (int k = 0; k < images.size(); k++) {
      String image = images.get(k);
      Map<String, List<String>> i = instances.get(k);
      DatasetOriginals.Original o = dataset.originals().get(image);
      w.add(new SegmentationWriter.Source(o.seriesUid(), text(i.get("SOPClassUID")), o.sopInstanceUid(),
          DetectionSend.frameNumber(i, o.frame()), spatial ? numbers(i.get("ImagePositionPatient"), 3) : null,
          MaskTable.pngToOriginal(table.masks().get(image), dataset.catalog().get(image))));
    }
    return w;
  }

  private static String text(List<String> values) {
    return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  /** Exactly {@code n} finite numbers, or null. */
  private static double[] numbers(List<String> values, int n) {
    if (values == null || values.size() != n) {
      return null;
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      try {
        out[i] = Double.parseDouble(values.get(i));
      } catch (NumberFormatException e) {
        return null;
      }
      if (!Double.isFinite(out[i])) {
        return null;
      }
    }
    return out;
  }
}
