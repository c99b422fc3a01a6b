package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.dataset.MaskTable;
import org.radlab.core.dicom.SegmentationWriter;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * DICOM SEG files made from synthetic CT's ground-truth masks (one per series, written by {@link SegmentationWriter}
 * with the original UIDs and geometry) import into exactly the snapshot the PNG masks import into, on PNGs smaller
 * than the originals; a segment whose label is not in the class list and a SEG frame of an image that is not in the
 * dataset are reported and left out.
 */
class SegImportTest {
  static final List<String> CLASSES = List.of("liver", "lesion");
  @TempDir Path tmp;

  @Test
  void segFilesImportIntoTheSnapshotThePngMasksImportInto() throws Exception {
    Path input = tmp.resolve("ct");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", input.toString(),
        "--studies", "2", "--slices", "8", "--rows", "64", "--seed", "5"));
    Path dataset = tmp.resolve("ds");
    PrepJob.run(TestTools.spark(), PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(48, 32)
        .withSecretFile(tmp.resolve("secret").toString()));
    Path labels = tmp.resolve("labels");
    MaskLabelImport.Report fromPngs = MaskLabelImport.run(TestTools.spark(), new MaskLabelImport.Request(
        dataset.toString(), null, input.resolve("_masks"), CLASSES, labels, null));
    assertFalse(fromPngs.unusable(), fromPngs.toString());
    assertEquals(16, fromPngs.images());

    // one SEG per series from the same masks, keyed by the original UIDs, placed by the slices' own geometry
    Path segs = Files.createDirectories(tmp.resolve("segs"));
    Map<String, List<AttributeList>> series = slices(input);
    for (var s : series.entrySet()) {
      AttributeList first = s.getValue().get(0);
      double[] spacing = Attribute.getDoubleValues(first, TagFromName.PixelSpacing);
      SegmentationWriter w = new SegmentationWriter(CLASSES)
          .patient(text(first, TagFromName.PatientID), text(first, TagFromName.PatientName))
          .study(text(first, TagFromName.StudyInstanceUID), text(first, TagFromName.StudyDate))
          .frameOfReference(text(first, TagFromName.FrameOfReferenceUID),
              Attribute.getDoubleValues(first, TagFromName.ImageOrientationPatient))
          .spacing(spacing[0], spacing[1], Attribute.getSingleDoubleValueOrDefault(first,
              TagFromName.SliceThickness, 0), null);
      for (AttributeList slice : s.getValue()) {
        String sop = text(slice, TagFromName.SOPInstanceUID);
        w.add(new SegmentationWriter.Source(s.getKey(), text(slice, TagFromName.SOPClassUID), sop, null,
            Attribute.getDoubleValues(slice, TagFromName.ImagePositionPatient),
            LabelMask.readPng(input.resolve("_masks").resolve(sop + ".png"))));
      }
      w.write(segs.resolve(s.getKey() + ".dcm"));
    }
    MaskLabelImport.Report fromSegs = MaskLabelImport.run(TestTools.spark(), new MaskLabelImport.Request(
        dataset.toString(), null, segs, CLASSES, labels, null));
    assertFalse(fromSegs.unusable(), fromSegs.toString());
    assertEquals(0, fromSegs.pngs());
    assertEquals(2, fromSegs.segs());
    assertEquals(fromPngs.snapshot(), fromSegs.snapshot(), "the same content names the same snapshot");
    assertTrue(fromSegs.alreadyExisted());
    assertEquals(fromPngs.pixelsPerClass(), fromSegs.pixelsPerClass());
    MaskTable table = MaskTable.read(fromSegs.snapshot());
    assertEquals(16, table.masks().size());
    assertEquals(48, table.masks().values().iterator().next().width(), "masks in the prepared PNGs' pixels");

    // a segment the class list does not name, and a frame of an image the dataset does not hold
    List<AttributeList> ct0 = series.values().iterator().next();
    AttributeList slice = ct0.get(ct0.size() / 2);
    String sop = text(slice, TagFromName.SOPInstanceUID);
    LabelMask mask = LabelMask.readPng(input.resolve("_masks").resolve(sop + ".png"));
    byte[] withSpleen = mask.labels().clone();
    withSpleen[0] = 3;
    Path odd = Files.createDirectories(tmp.resolve("odd"));
    new SegmentationWriter(List.of("liver", "lesion", "spleen")).study(text(slice, TagFromName.StudyInstanceUID), null)
        .add(new SegmentationWriter.Source(series.keySet().iterator().next(), text(slice, TagFromName.SOPClassUID),
            sop, null, null, new LabelMask(64, 64, withSpleen)))
        .add(new SegmentationWriter.Source("1.2.3", text(slice, TagFromName.SOPClassUID), "1.2.3.4", null, null,
            new LabelMask(64, 64, new byte[64 * 64])))
        .write(odd.resolve("spleen.dcm"));
    MaskLabelImport.Report spleen = MaskLabelImport.run(TestTools.spark(), new MaskLabelImport.Request(
        dataset.toString(), null, odd, CLASSES, tmp.resolve("labels2"), null));
    assertEquals(List.of("spleen"), spleen.unknownSegments());
    assertEquals(1, spleen.unknownClass());
    assertEquals(List.of("1.2.3.4"), spleen.unknownImages());
    assertEquals(0, spleen.images());
    String described = MaskLabelImport.describe(spleen);
    assertTrue(described.contains("[spleen]") && described.contains("1 DICOM SEG files"), described);
  }

  /** The synthetic slices' headers by series UID, each series in slice order. */
  private static Map<String, List<AttributeList>> slices(Path input) throws Exception {
    Map<String, List<AttributeList>> out = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(input)) {
      files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
    for (Path f : files) {
      AttributeList l = new AttributeList();
      l.read(f.toString(), TagFromName.PixelData);
      out.computeIfAbsent(text(l, TagFromName.SeriesInstanceUID), k -> new ArrayList<>()).add(l);
    }
    return out;
  }

  private static String text(AttributeList l, com.pixelmed.dicom.AttributeTag tag) {
    return Attribute.getSingleStringValueOrNull(l, tag);
  }
}
