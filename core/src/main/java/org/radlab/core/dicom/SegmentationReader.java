package org.radlab.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.LabelMask;

/**
 * Reads a DICOM Segmentation Storage object (SEG) into label masks, one per source image it segments; the reverse of
 * {@link SegmentationWriter}, and what {@code radlab labels import --task segmentation} does with the SEG files of
 * OHIF, 3D Slicer or MONAI Label.
 *
 * <p>Classes: with a class list, a segment's class index is the position (from 1) of its Segment Label in the list,
 * compared exactly and else ignoring case; a segment whose label is not in the list gets an index beyond the list
 * (the list's size plus its rank among such segments), as a PNG mask's value beyond the list would be. Without a
 * list, the class index is the segment number.
 *
 * <p>Each frame is mapped pixel for pixel onto the one source image its Derivation Image Sequence names (Source Image
 * Sequence: SOP Instance UID and, for a multi-frame source, frame number), in the frame's functional groups or the
 * shared ones. Where segments overlap on a source image, the pixel takes the larger class index: the class later in
 * the list wins (an unknown segment over every listed class). A source image the Referenced Series Sequence lists but
 * no frame segments gets an all-background mask. Segmentation Type BINARY is read as is; FRACTIONAL (8 bits) is
 * thresholded, a pixel belonging to a segment when its value is at least half the Maximum Fractional Value.
 *
 * <p>Refused, with an {@link IllegalArgumentException} naming the file and the reason: other SOP classes, other
 * segmentation types (LABELMAP) or bit depths, a FRACTIONAL one without a Maximum Fractional Value, compressed
 * (encapsulated) pixel data, a frame that names no source image or more than one or no known segment, frame counts
 * that disagree, and pixel data shorter than the frames need.
 */
public final class SegmentationReader {
  /** A source image: its SOP Instance UID, and its frame (from 1) when the SEG names one; null otherwise. */
  public record Source(String sopInstanceUid, Integer frameNumber) {}

  /** A segment: its number, label and the class index it reads as. */
  public record Segment(int number, String label, int classIndex) {}

  /** One frame: its source image (and that image's SOP class), its segment, and how many pixels it sets. */
  public record Frame(Source source, String sopClassUid, int segmentNumber, int classIndex, int pixels) {}

  /**
   * A read SEG: its size, segments and frames, and per source image (in the order the frames first name them, then
   * the Referenced Series Sequence's others) the merged mask of class indices.
   */
  public record Segmentation(Path file, int rows, int columns, List<Segment> segments, List<Frame> frames,
      Map<Source, LabelMask> masks, String studyUid) {
    /** The labels of segments that are not in the class list read with. */
    public List<String> unknownLabels(int classes) {
      return segments.stream().filter(s -> s.classIndex() > classes).map(Segment::label).toList();
    }
  }

  private SegmentationReader() {}

  /** Reads {@code file}; {@code classes} names class indices 1, 2, ... (null: class index = segment number). */
  public static Segmentation read(Path file, List<String> classes) throws IOException {
    PixelMedSupport.ensureInitialised();
    AttributeList list = new AttributeList();
    try {
      list.setDecompressPixelData(false);
      list.read(file.toFile());
    } catch (DicomException | RuntimeException e) {
      throw new IOException(file + " is not a DICOM file PixelMed can read: " + e.getMessage(), e);
    }
    return read(list, file, classes);
  }

  /** As {@link #read(Path, List)}, from an attribute list already read; {@code file} names it in errors. */
  public static Segmentation read(AttributeList list, Path file, List<String> classes) {
    String sopClass = text(list, TagFromName.SOPClassUID);
    if (!SegmentationWriter.SEGMENTATION_STORAGE.equals(sopClass)) {
      refuse(file, "it is not a Segmentation Storage object (SOP class " + sopClass
          + ("1.2.840.10008.5.1.4.1.1.66.7".equals(sopClass) ? ", Label Map Segmentation, which RadLab does not read "
          + "yet" : "") + ")");
    }
    String syntax = text(list, TagFromName.TransferSyntaxUID);
    if (syntax != null && TransferSyntax.isEncapsulated(syntax)) {
      refuse(file, "its pixel data are compressed (transfer syntax " + syntax + "); decompress it first, e.g. with "
          + "dcmtk's dcmdrle or dcmconv +te");
    }
    String type = text(list, TagFromName.SegmentationType);
    int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, -1);
    int threshold; // a pixel value at least this belongs to the frame's segment
    if ("BINARY".equals(type)) {
      if (bitsAllocated != 1) {
        refuse(file, "a BINARY segmentation with Bits Allocated " + bitsAllocated + " (DICOM requires 1)");
      }
      threshold = 1;
    } else if ("FRACTIONAL".equals(type)) {
      int max = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.MaximumFractionalValue, 0);
      if (bitsAllocated != 8 || max < 1) {
        refuse(file, "a FRACTIONAL segmentation that cannot be thresholded (Bits Allocated " + bitsAllocated
            + ", Maximum Fractional Value " + max + "; RadLab needs 8 and at least 1)");
      }
      threshold = (max + 1) / 2;
    } else {
      refuse(file, "Segmentation Type " + type + " (RadLab reads BINARY and FRACTIONAL)");
      return null;
    }
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    if (rows < 1 || columns < 1 || (long) rows * columns > 1L << 28) {
      refuse(file, "its frames are " + columns + " x " + rows + " pixels");
    }
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1) != 1) {
      refuse(file, "Samples per Pixel is not 1");
    }

    // segments and their classes
    List<Segment> segments = new ArrayList<>();
    Map<Integer, Segment> byNumber = new LinkedHashMap<>();
    SequenceAttribute segmentSequence = (SequenceAttribute) list.get(TagFromName.SegmentSequence);
    if (segmentSequence == null || segmentSequence.getNumberOfItems() == 0) {
      refuse(file, "it has no Segment Sequence");
    }
    int unknown = 0;
    for (int i = 0; i < segmentSequence.getNumberOfItems(); i++) {
      AttributeList item = segmentSequence.getItem(i).getAttributeList();
      int number = Attribute.getSingleIntegerValueOrDefault(item, TagFromName.SegmentNumber, -1);
      String label = text(item, TagFromName.SegmentLabel);
      label = label == null ? "" : label;
      int classIndex;
      if (classes == null) {
        classIndex = number;
      } else {
        classIndex = classOf(label, classes);
        if (classIndex == 0) {
          classIndex = classes.size() + ++unknown;
        }
      }
      if (number < 1 || byNumber.containsKey(number)) {
        refuse(file, "segment " + (i + 1) + " has the number " + number + " (missing, not positive or repeated)");
      }
      if (classIndex > 255) {
        refuse(file, "segment " + number + " ('" + label + "') would be class " + classIndex
            + "; a mask holds at most 255 classes");
      }
      Segment s = new Segment(number, label, classIndex);
      segments.add(s);
      byNumber.put(number, s);
    }

    // frames
    int frames = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
    SequenceAttribute perFrame = (SequenceAttribute) list.get(TagFromName.PerFrameFunctionalGroupsSequence);
    AttributeList shared = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(list,
        TagFromName.SharedFunctionalGroupsSequence);
    int perFrameItems = perFrame == null ? 0 : perFrame.getNumberOfItems();
    if (frames < 1 || perFrameItems != frames) {
      refuse(file, "Number of Frames is " + frames + " but the Per-frame Functional Groups Sequence has "
          + perFrameItems + " items");
    }
    byte[] data = pixelBytes(list, file);
    long bitsPerFrame = (long) rows * columns * bitsAllocated;
    long needed = (bitsPerFrame * frames + 7) / 8;
    if (data.length < needed) {
      refuse(file, "its pixel data hold " + data.length + " bytes; " + frames + " frames of " + columns + " x " + rows
          + " pixels at " + bitsAllocated + " bits need " + needed);
    }

    Map<Source, LabelMask> masks = new LinkedHashMap<>();
    List<Frame> out = new ArrayList<>(frames);
    int pixels = rows * columns;
    for (int f = 0; f < frames; f++) {
      AttributeList groups = perFrame.getItem(f).getAttributeList();
      String where = "frame " + (f + 1);
      int number = segmentNumber(groups, shared);
      Segment segment = byNumber.get(number);
      if (segment == null) {
        refuse(file, where + " names segment " + number + ", which the Segment Sequence does not describe");
      }
      String[] source = source(groups, shared, file, where);
      Source key = new Source(source[1], source[2] == null ? null : Integer.valueOf(source[2]));
      byte[] labels = masks.computeIfAbsent(key, k -> new LabelMask(columns, rows, new byte[pixels])).labels();
      int set = 0;
      long base = bitsPerFrame * f;
      for (int i = 0; i < pixels; i++) {
        boolean in;
        if (bitsAllocated == 1) {
          long bit = base + i;
          in = (data[(int) (bit >>> 3)] >> (int) (bit & 7) & 1) != 0;
        } else {
          in = (data[(int) (base / 8 + i)] & 0xff) >= threshold;
        }
        if (in) {
          set++;
          if ((labels[i] & 0xff) < segment.classIndex()) {
            labels[i] = (byte) segment.classIndex();
          }
        }
      }
      out.add(new Frame(key, source[0], number, segment.classIndex(), set));
    }
    // instances the object references but has no frame of: nothing segmented there
    SequenceAttribute series = (SequenceAttribute) list.get(TagFromName.ReferencedSeriesSequence);
    java.util.Set<String> framed = new java.util.HashSet<>();
    masks.keySet().forEach(k -> framed.add(k.sopInstanceUid()));
    if (series != null) {
      for (int i = 0; i < series.getNumberOfItems(); i++) {
        Attribute instances = series.getItem(i).getAttributeList().get(TagFromName.ReferencedInstanceSequence);
        if (instances instanceof SequenceAttribute seq) {
          for (int j = 0; j < seq.getNumberOfItems(); j++) {
            String uid = text(seq.getItem(j).getAttributeList(), TagFromName.ReferencedSOPInstanceUID);
            if (uid != null && framed.add(uid)) {
              masks.put(new Source(uid, null), new LabelMask(columns, rows, new byte[pixels]));
            }
          }
        }
      }
    }
    return new Segmentation(file, rows, columns, List.copyOf(segments), Collections.unmodifiableList(out),
        Collections.unmodifiableMap(masks), text(list, TagFromName.StudyInstanceUID));
  }

  /** The class index of a label in the list: exact match first, else ignoring case; 0 when absent. */
  static int classOf(String label, List<String> classes) {
    String l = label.trim();
    int exact = classes.indexOf(l);
    if (exact >= 0) {
      return exact + 1;
    }
    for (int i = 0; i < classes.size(); i++) {
      if (classes.get(i).equalsIgnoreCase(l)) {
        return i + 1;
      }
    }
    return 0;
  }

  private static int segmentNumber(AttributeList groups, AttributeList shared) {
    for (AttributeList g : new AttributeList[] {groups, shared}) {
      AttributeList id = g == null ? null
          : SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(g,
              TagFromName.SegmentIdentificationSequence);
      if (id != null) {
        return Attribute.getSingleIntegerValueOrDefault(id, TagFromName.ReferencedSegmentNumber, -1);
      }
    }
    return -1;
  }

  /** The frame's one source image: {SOP class, SOP instance, frame number or null}. */
  private static String[] source(AttributeList groups, AttributeList shared, Path file, String where) {
    for (AttributeList g : new AttributeList[] {groups, shared}) {
      Attribute derivation = g == null ? null : g.get(TagFromName.DerivationImageSequence);
      if (!(derivation instanceof SequenceAttribute d) || d.getNumberOfItems() == 0) {
        continue;
      }
      List<String[]> found = new ArrayList<>();
      for (SequenceItem item : iterable(d)) {
        Attribute sources = item.getAttributeList().get(TagFromName.SourceImageSequence);
        if (sources instanceof SequenceAttribute s) {
          for (SequenceItem ref : iterable(s)) {
            AttributeList r = ref.getAttributeList();
            String uid = text(r, TagFromName.ReferencedSOPInstanceUID);
            String[] frameNumbers = Attribute.getStringValues(r, TagFromName.ReferencedFrameNumber);
            if (frameNumbers != null && frameNumbers.length > 1) {
              refuse(file, where + " names " + frameNumbers.length + " frames of its source image " + uid);
            }
            String frame = frameNumbers == null || frameNumbers.length == 0 || frameNumbers[0].isBlank() ? null
                : frameNumbers[0].trim();
            if (frame != null && !frame.matches("[0-9]{1,9}")) {
              refuse(file, where + " names the frame '" + frame + "' of its source image " + uid);
            }
            if (uid != null) {
              found.add(new String[] {text(r, TagFromName.ReferencedSOPClassUID), uid, frame});
            }
          }
        }
      }
      if (found.size() > 1) {
        refuse(file, where + " names " + found.size() + " source images; RadLab maps a frame onto exactly one");
      }
      if (found.size() == 1) {
        return found.get(0);
      }
    }
    refuse(file, where + " names no source image (Derivation Image Sequence > Source Image Sequence > Referenced "
        + "SOP Instance UID), so its pixels cannot be placed on an image");
    return null;
  }

  private static Iterable<SequenceItem> iterable(SequenceAttribute s) {
    return s::iterator;
  }

  private static byte[] pixelBytes(AttributeList list, Path file) {
    Attribute a = list.getPixelData();
    if (a == null) {
      refuse(file, "it has no pixel data");
    }
    try {
      if (a instanceof OtherWordAttribute w) { // an implicit VR file may read the data as 16-bit words
        short[] words = w.getShortValues();
        byte[] out = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
          out[2 * i] = (byte) words[i];
          out[2 * i + 1] = (byte) (words[i] >> 8);
        }
        return out;
      }
      byte[] bytes = a.getByteValues();
      if (bytes == null) {
        refuse(file, "its pixel data cannot be read as bytes (" + a.getClass().getSimpleName() + ")");
      }
      return bytes;
    } catch (DicomException e) {
      refuse(file, "its pixel data cannot be read: " + e.getMessage());
      return null;
    }
  }

  private static String text(AttributeList l, AttributeTag tag) {
    return AttributeValues.text(l, tag);
  }

  private static void refuse(Path file, String reason) {
    throw new IllegalArgumentException(file + ": not a usable DICOM SEG: " + reason);
  }
}
