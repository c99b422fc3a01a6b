package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.LabelMask;
import org.radlab.core.testing.DicomTools;

/**
 * A DICOM SEG written by {@link SegmentationWriter} from masks built here (two classes on three 13 x 7 slices, an odd
 * size, so frames begin inside bytes) is read by dcmtk without a warning, by PixelMed, by pydicom, and by
 * {@link SegmentationReader} back into the same masks; its packed pixel bytes are the ones numpy packs from the
 * masks' bits, and dcmtk extracts those bytes too. The reader's rules (overlaps, unknown labels) and refusals.
 */
class SegmentationObjectTest {
  static final List<String> CLASSES = List.of("organ", "Läsion");
  static final int W = 13;
  static final int H = 7;
  static final String CT = "1.2.840.10008.5.1.4.1.1.2";
  static final String SERIES = "1.2.826.0.1.3680043.10.543.9.1";
  @TempDir Path tmp;

  /** Slice 0: both classes at random; slice 1: the organ only; slice 2: nothing. The last pixel of 0 is a lesion. */
  static List<LabelMask> masks() {
    SplittableRandom random = new SplittableRandom(7);
    List<LabelMask> out = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      byte[] labels = new byte[W * H];
      for (int i = 0; i < labels.length && k < 2; i++) {
        double r = random.nextDouble();
        labels[i] = (byte) (r < 0.35 ? 1 : r < 0.5 && k == 0 ? 2 : 0);
      }
      if (k == 0) {
        labels[W * H - 1] = 2;
      }
      out.add(new LabelMask(W, H, labels));
    }
    return out;
  }

  static String sop(int k) {
    return "1.2.826.0.1.3680043.10.543.9.1." + (10 + k);
  }

  /** The three slices at z 15, 12.5 and 10 (so their ranks along the normal are 3, 2, 1), in a frame of reference. */
  static SegmentationWriter writer(List<LabelMask> masks, boolean spatial) {
    SegmentationWriter w = new SegmentationWriter(CLASSES).patient("P-0001", "Test^Patient")
        .study("1.2.826.0.1.3680043.10.543.9", "20240102").spacing(0.7, 0.8, 2.5, 2.5)
        .instance("1.2.826.0.1.3680043.10.543.9.2", "1.2.826.0.1.3680043.10.543.9.3")
        .created(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
    if (spatial) {
      w.frameOfReference("1.2.826.0.1.3680043.10.543.9.4", new double[] {1, 0, 0, 0, 1, 0});
    }
    for (int k = 0; k < 3; k++) {
      w.add(new SegmentationWriter.Source(SERIES, CT, sop(k), null, new double[] {-4.2, -2.1, 15 - 2.5 * k},
          masks.get(k)));
    }
    return w;
  }

  @Test
  void aSegIsReadByDcmtkPixelMedPydicomAndOurReaderAsTheMasksItWasWrittenFrom() throws Exception {
    List<LabelMask> masks = masks();
    Path seg = tmp.resolve("seg.dcm");
    writer(masks, true).write(seg);

    // (a) dcmtk reads it without a warning or an error
    DicomTools.Run dump = DicomTools.run(tmp, "/usr/bin/dcmdump", seg.toString());
    assertTrue(dump.ok(), dump.output());
    assertTrue(dump.output().lines().noneMatch(l -> l.startsWith("W:") || l.startsWith("E:")), dump.output());
    Map<String, String> top = DicomTools.dcmdumpByKeyword(seg);
    assertEquals(SegmentationWriter.SEGMENTATION_STORAGE, top.get("SOPClassUID"));
    assertEquals("6", top.get("NumberOfFrames"));
    assertEquals("BINARY", top.get("SegmentationType"));
    assertEquals("1", top.get("BitsAllocated"));
    assertTrue(dump.output().contains(new String("Läsion".getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1)), "the label in UTF-8, as dcmdump prints it (read here as ISO 8859-1)");

    // (b) PixelMed reads it; the dimensions and the second frame's index values (segment 1, rank 2 along z)
    AttributeList list = new AttributeList();
    list.read(seg.toFile());
    assertEquals(2, ((SequenceAttribute) list.get(TagFromName.SegmentSequence)).getNumberOfItems());
    assertEquals(2, ((SequenceAttribute) list.get(TagFromName.DimensionIndexSequence)).getNumberOfItems());
    AttributeList second = ((SequenceAttribute) list.get(TagFromName.PerFrameFunctionalGroupsSequence)).getItem(1)
        .getAttributeList();
    AttributeList content = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(second,
        TagFromName.FrameContentSequence);
    assertArrayEquals(new int[] {1, 2}, Attribute.getIntegerValues(content, TagFromName.DimensionIndexValues));

    // (c) our reader gives the masks back, each source image by its UID, and says what each frame holds
    SegmentationReader.Segmentation read = SegmentationReader.read(seg, CLASSES);
    assertEquals(3, read.masks().size());
    for (int k = 0; k < 3; k++) {
      LabelMask m = read.masks().get(new SegmentationReader.Source(sop(k), null));
      assertArrayEquals(masks.get(k).labels(), m.labels(), "slice " + k);
    }
    assertEquals(List.of(new SegmentationReader.Segment(1, "organ", 1), new SegmentationReader.Segment(2, "Läsion", 2)),
        read.segments());
    assertEquals(6, read.frames().size());
    SegmentationReader.Frame lesionOnFirst = read.frames().get(3);
    assertEquals(2, lesionOnFirst.segmentNumber());
    assertEquals(CT, lesionOnFirst.sopClassUid());
    assertEquals(count(masks.get(0), 2), lesionOnFirst.pixels());
    assertEquals(0, read.frames().get(5).pixels());

    // (d) the pixel bytes are numpy's packing of the frames' bits (segments outermost), and dcmtk extracts them
    byte[] bits = new byte[6 * W * H];
    int at = 0;
    for (int c = 1; c <= 2; c++) {
      for (LabelMask m : masks) {
        for (byte b : m.labels()) {
          bits[at++] = (byte) (b == c ? 1 : 0);
        }
      }
    }
    byte[] numpy = numpyPacking(seg, bits, 6);
    assertEquals(70, numpy.length, "546 bits: 69 bytes and one of padding");
    assertArrayEquals(numpy, ((OtherByteAttribute) list.getPixelData()).getByteValues());
    assertArrayEquals(numpy, DicomTools.dcmtkPixels(seg, tmp.resolve("dcmtk")));
  }

  @Test
  void withoutAFrameOfReferenceTheFramesFollowTheirSourcesPixelForPixel() throws Exception {
    List<LabelMask> masks = masks();
    Path seg = tmp.resolve("plain.dcm");
    writer(masks, false).write(seg);
    DicomTools.Run dump = DicomTools.run(tmp, "/usr/bin/dcmdump", seg.toString());
    assertTrue(dump.ok() && dump.output().lines().noneMatch(l -> l.startsWith("W:") || l.startsWith("E:")),
        dump.output());
    AttributeList list = new AttributeList();
    list.read(seg.toFile());
    assertNull(list.get(TagFromName.FrameOfReferenceUID));
    assertEquals(1, ((SequenceAttribute) list.get(TagFromName.DimensionIndexSequence)).getNumberOfItems());
    AttributeList shared = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
        TagFromName.SharedFunctionalGroupsSequence);
    AttributeList measures = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(shared,
        TagFromName.PixelMeasuresSequence);
    assertEquals("0.7\\0.8", Attribute.getDelimitedStringValuesOrEmptyString(measures, TagFromName.PixelSpacing));
    assertNull(shared.get(TagFromName.PlaneOrientationSequence));
    var read = SegmentationReader.read(seg, CLASSES);
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(masks.get(k).labels(), read.masks().get(new SegmentationReader.Source(sop(k), null)).labels());
    }
    // a class list without the lesion: its segment reads as class 2, beyond the list, like a PNG value would
    var organOnly = SegmentationReader.read(seg, List.of("ORGAN"));
    assertEquals(List.of("Läsion"), organOnly.unknownLabels(1));
    assertEquals(1, organOnly.segments().get(0).classIndex(), "labels match ignoring case");
    assertArrayEquals(masks.get(0).labels(), organOnly.masks().get(new SegmentationReader.Source(sop(0), null))
        .labels());
    // no class list: the class is the segment number
    assertEquals(2, SegmentationReader.read(seg, null).segments().get(1).classIndex());
  }

  @Test
  void whereSegmentsOverlapTheLaterClassWins() throws Exception {
    List<LabelMask> masks = masks();
    AttributeList list = writer(masks, false).build();
    byte[] pixels = ((OtherByteAttribute) list.getPixelData()).getByteValues();
    // the first organ pixel of slice 1 becomes lesion too (frame 4: segment 2 on slice 1)
    int organ = -1;
    for (int i = 0; i < W * H; i++) {
      if (masks.get(1).labels()[i] == 1) {
        organ = i;
        break;
      }
    }
    setBit(pixels, 4 * W * H + organ);
    ((OtherByteAttribute) list.getPixelData()).setValues(pixels);
    Path seg = write(list, "overlap.dcm");
    LabelMask slice1 = SegmentationReader.read(seg, CLASSES).masks().get(new SegmentationReader.Source(sop(1), null));
    assertEquals(2, slice1.labels()[organ], "organ and lesion: the lesion, later in the list");
    LabelMask reversed = SegmentationReader.read(seg, List.of("Läsion", "organ")).masks()
        .get(new SegmentationReader.Source(sop(1), null));
    assertEquals(2, reversed.labels()[organ], "with the list reversed the organ is later and wins");
  }

  @Test
  void aFractionalSegIsThresholdedAtHalfItsMaximum() throws Exception {
    List<LabelMask> masks = masks();
    AttributeList list = writer(masks, false).build();
    putString(list, TagFromName.SegmentationType, "FRACTIONAL");
    putString(list, TagFromName.SegmentationFractionalType, "PROBABILITY");
    putString(list, TagFromName.MaximumFractionalValue, "255");
    putString(list, TagFromName.BitsAllocated, "8");
    putString(list, TagFromName.BitsStored, "8");
    putString(list, TagFromName.HighBit, "7");
    // each frame's pixels of its segment get 128 (just over one half), the others 127 (just under)
    byte[] values = new byte[6 * W * H];
    for (int f = 0; f < 6; f++) {
      byte[] labels = masks.get(f % 3).labels();
      for (int i = 0; i < W * H; i++) {
        values[f * W * H + i] = (byte) (labels[i] == f / 3 + 1 ? 128 : 127);
      }
    }
    ((OtherByteAttribute) list.getPixelData()).setValues(values);
    var read = SegmentationReader.read(write(list, "fractional.dcm"), CLASSES);
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(masks.get(k).labels(), read.masks().get(new SegmentationReader.Source(sop(k), null)).labels());
    }
  }

  @Test
  void segsThatCannotBeMappedAreRefusedNamingTheFileAndTheReason() throws Exception {
    List<LabelMask> masks = masks();
    expectRefusal("ct.dcm", l -> putString(l, TagFromName.SOPClassUID, CT), "not a Segmentation Storage");
    expectRefusal("nomaximum.dcm", l -> putString(l, TagFromName.SegmentationType, "FRACTIONAL"),
        "FRACTIONAL segmentation that cannot be thresholded");
    expectRefusal("nosource.dcm", l -> {
      AttributeList frame = ((SequenceAttribute) l.get(TagFromName.PerFrameFunctionalGroupsSequence)).getItem(2)
          .getAttributeList();
      frame.remove(TagFromName.DerivationImageSequence);
    }, "frame 3 names no source image");
    expectRefusal("short.dcm", l -> {
      try {
        ((OtherByteAttribute) l.getPixelData()).setValues(new byte[20]);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "pixel data hold 20 bytes");
    var sizes = assertThrows(IllegalArgumentException.class, () -> new SegmentationWriter(CLASSES)
        .study("1.2.3", null).add(new SegmentationWriter.Source(SERIES, CT, sop(0), null, null, masks.get(0)))
        .add(new SegmentationWriter.Source(SERIES, CT, sop(1), null, null, new LabelMask(7, 13, new byte[91])))
        .build());
    assertTrue(sizes.getMessage().contains("one size"), sizes.getMessage());
  }

  private void expectRefusal(String name, Consumer<AttributeList> change, String reason) throws Exception {
    AttributeList list = writer(masks(), true).build();
    change.accept(list);
    Path seg = write(list, name);
    var e = assertThrows(IllegalArgumentException.class, () -> SegmentationReader.read(seg, CLASSES));
    assertTrue(e.getMessage().contains(seg.toString()) && e.getMessage().contains(reason), e.getMessage());
  }

  private Path write(AttributeList list, String name) throws Exception {
    Path file = tmp.resolve(name);
    FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "TEST");
    list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    return file;
  }

  private static void putString(AttributeList l, com.pixelmed.dicom.AttributeTag tag, String value) {
    try {
      l.putNewAttribute(tag).addValue(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void setBit(byte[] data, int bit) {
    data[bit / 8] |= (byte) (1 << (bit % 8));
  }

  private static int count(LabelMask m, int c) {
    int n = 0;
    for (byte b : m.labels()) {
      n += b == c ? 1 : 0;
    }
    return n;
  }

  /** seg_bits.py: numpy's packing of {@code bits}, after it checked the SEG with pydicom. */
  private byte[] numpyPacking(Path seg, byte[] bits, int frames) throws Exception {
    Path script = tmp.resolve("seg_bits.py");
    try (InputStream in = getClass().getResourceAsStream("/reference/seg_bits.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Path bitsFile = Files.write(tmp.resolve("bits.raw"), bits);
    Path packed = tmp.resolve("packed.raw");
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), seg.toString(), bitsFile.toString(),
        Integer.toString(frames), Integer.toString(H), Integer.toString(W), packed.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the reference did not end");
    assertEquals(0, p.exitValue(), out);
    assertEquals("ok", out.trim());
    return Files.readAllBytes(packed);
  }
}
