package org.radlab.core.dicom;

import com.pixelmed.convert.IndexedLabelMapToSegmentation;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.AttributeTagAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.radlab.core.dataset.LabelMask;

/**
 * Writes label masks as one DICOM Segmentation Storage object (SEG, SOP class {@value #SEGMENTATION_STORAGE}), the
 * format OHIF, 3D Slicer and MONAI Label exchange segmentations in; {@link SegmentationReader} reads it back.
 *
 * <p>What it writes: Segmentation Type BINARY; one segment per class that appears in any mask (every class when none
 * does), numbered 1, 2, ... in class order, each with its class name as Segment Label, Segment Algorithm Type
 * AUTOMATIC, Segment Algorithm Name "RadLab" with an algorithm identification (family DCM 123110 "Artificial
 * Intelligence"), the generic category SCT 85756007 "Tissue" (3D Slicer's default for segments without terminology)
 * and as type a local code of coding scheme {@value #LOCAL_SCHEME}: code value the class name (or, for a name longer
 * than 16 characters, "RL" and 14 hex digits of its SHA-256), code meaning the class name. Segments never overlap
 * (Segments Overlap NO), since each pixel of a label mask holds one class.
 *
 * <p>Frames: one per segment and source image, segments outermost, the sources in the order added, empty frames
 * included, so every source image has a frame of every segment. Each frame's functional groups name its source
 * image (Derivation Image Sequence, derivation DCM 113076 "Segmentation", Source Image Sequence with purpose DCM
 * 121322), its segment (Segment Identification Sequence) and its Dimension Index Values: the segment number and,
 * when the object has a frame of reference, the rank of the frame's Image Position (Patient) along the slice
 * normal. The shared functional groups hold the Pixel Measures (pixel spacing, slice thickness and spacing, those
 * given) and, with a frame of reference, the Plane Orientation; each frame then has its Plane Position. Without a
 * frame of reference every frame corresponds pixel for pixel to its source image (PS3.3 A.51.5.1), so the masks must
 * have their source images' rows and columns. The Pixel Measures are written whenever a spacing is given, also
 * without a frame of reference, where PS3.3 Table A.51-2 strictly allows them only with one: that is where readers
 * look for the spacing, and the evaluate job has no frame of reference to give.
 *
 * <p>Pixel data: 1 bit per pixel (Bits Allocated, Bits Stored 1, High Bit 0, MONOCHROME2), the frames concatenated
 * without padding, row by row, pixel {@code i} of the whole stream in bit {@code i % 8} (least significant first)
 * of byte {@code i / 8}, so a frame may begin inside a byte (PS3.5 8.1.1, 8.2); one zero byte pads the value to an
 * even length. Explicit VR Little Endian, UTF-8 text (ISO_IR 192).
 */
public final class SegmentationWriter {
  public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
  /** The SOP class of a derived 8-bit image, such as a prepared PNG would be as DICOM. */
  public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
  /** The local coding scheme of the segments' property types: RadLab class names. */
  public static final String LOCAL_SCHEME = "99RADLAB";
  public static final String ALGORITHM_NAME = "RadLab";

  private static final SpecificCharacterSet UTF8 = new SpecificCharacterSet(new String[] {"ISO_IR 192"});
  // not in TagFromName of the PixelMed this is built with (its dictionary knows them)
  private static final AttributeTag SEGMENTS_OVERLAP = new AttributeTag(0x0062, 0x0013);
  private static final AttributeTag SEGMENT_ALGORITHM_NAME = new AttributeTag(0x0062, 0x0009);
  private static final AttributeTag ALGORITHM_IDENTIFICATION = new AttributeTag(0x0062, 0x0007);
  private static final AttributeTag ALGORITHM_FAMILY = new AttributeTag(0x0066, 0x002F);
  private static final AttributeTag ALGORITHM_NAME_TAG = new AttributeTag(0x0066, 0x0036);
  private static final AttributeTag ALGORITHM_VERSION = new AttributeTag(0x0066, 0x0031);
  private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss");

  /**
   * One source image and its mask (class indices 0..k of the writer's classes, the source's rows and columns).
   *
   * @param seriesUid the source's Series Instance UID (Referenced Series Sequence)
   * @param frameNumber the source's frame, from 1, when it is a multi-frame image; else null
   * @param position its Image Position (Patient), or null when unknown
   */
  public record Source(String seriesUid, String sopClassUid, String sopInstanceUid, Integer frameNumber,
      double[] position, LabelMask mask) {
    public Source {
      if (seriesUid == null || sopClassUid == null || sopInstanceUid == null || mask == null) {
        throw new IllegalArgumentException("a SEG source needs its series UID, SOP class and instance UIDs and mask");
      }
      if (frameNumber != null && frameNumber < 1) {
        throw new IllegalArgumentException("frame numbers start at 1, got " + frameNumber);
      }
      if (position != null && (position.length != 3 || !finite(position))) {
        throw new IllegalArgumentException("an image position has three finite coordinates");
      }
    }
  }

  private final List<String> classes;
  private final List<Source> sources = new ArrayList<>();
  private String patientId;
  private String patientName;
  private String studyUid;
  private String studyDate;
  private Map<String, String> studyAttributes = Map.of();
  private String frameOfReferenceUid;
  private double[] orientation;
  private Double rowSpacing;
  private Double columnSpacing;
  private Double sliceThickness;
  private Double sliceSpacing;
  private String seriesUid;
  private String sopInstanceUid;
  private int seriesNumber = 1;
  private String seriesDescription = "RadLab segmentation";
  private String contentDescription = "RadLab segmentation";
  private String algorithmVersion;
  private LocalDateTime created;

  /** @param classes the names of class indices 1, 2, ...: the segments' labels */
  public SegmentationWriter(List<String> classes) {
    if (classes == null || classes.isEmpty() || classes.size() > 255) {
      throw new IllegalArgumentException("a SEG needs 1 to 255 class names, got " + classes);
    }
    for (String c : classes) {
      if (c == null || c.isBlank() || c.length() > 64 || c.contains("\\") || c.chars().anyMatch(ch -> ch < 32)) {
        throw new IllegalArgumentException("the class name '" + c + "' cannot be a Segment Label (LO: 1 to 64 "
            + "characters, no backslash or control characters)");
      }
    }
    if (new HashSet<>(classes).size() != classes.size()) {
      throw new IllegalArgumentException("class names must differ: " + classes);
    }
    this.classes = List.copyOf(classes);
  }

  /** The patient: id and name as the source images have them (de-identified ones for de-identified images). */
  public SegmentationWriter patient(String id, String name) {
    this.patientId = id;
    this.patientName = name;
    return this;
  }

  /** The source images' study (required) and its date ({@code yyyyMMdd}, or null). */
  public SegmentationWriter study(String uid, String date) {
    this.studyUid = uid;
    this.studyDate = date;
    return this;
  }

  /**
   * The patient and study as the PACS holds the source images' study, by DICOM keyword (the attributes
   * {@link ClassificationReportWriter#STUDY_ATTRIBUTES} names: patient name, ID, birth date and sex; study instance
   * UID, date and time, accession number, referring physician, study ID); StudyInstanceUID is required. For a SEG
   * that files into the original study next to its images.
   */
  public SegmentationWriter study(Map<String, String> attributes) {
    if (attributes.get("StudyInstanceUID") == null || attributes.get("StudyInstanceUID").isBlank()) {
      throw new IllegalArgumentException("a SEG needs its source images' StudyInstanceUID");
    }
    patient(attributes.get("PatientID"), attributes.get("PatientName"));
    study(attributes.get("StudyInstanceUID"), attributes.get("StudyDate"));
    this.studyAttributes = Map.copyOf(attributes);
    return this;
  }

  /**
   * The source images' frame of reference and Image Orientation (Patient) (six direction cosines). With these and
   * every source's position the frames are placed in patient coordinates.
   */
  public SegmentationWriter frameOfReference(String uid, double[] imageOrientation) {
    if (imageOrientation == null || imageOrientation.length != 6 || !finite(imageOrientation)) {
      throw new IllegalArgumentException("an image orientation has six finite direction cosines");
    }
    this.frameOfReferenceUid = uid;
    this.orientation = imageOrientation.clone();
    return this;
  }

  /** Pixel spacing (between rows, between columns), slice thickness and spacing between slices in mm; null: unknown. */
  public SegmentationWriter spacing(Double row, Double column, Double thickness, Double between) {
    this.rowSpacing = positive(row);
    this.columnSpacing = positive(column);
    this.sliceThickness = positive(thickness);
    this.sliceSpacing = positive(between);
    return this;
  }

  /** The SEG's own Series and SOP Instance UIDs; random ones ({@link DerivedUid#random}) when not set. */
  public SegmentationWriter instance(String seriesInstanceUid, String instanceUid) {
    this.seriesUid = seriesInstanceUid;
    this.sopInstanceUid = instanceUid;
    return this;
  }

  /** Series number (default 1) and the series' and content's descriptions (at most 64 characters are kept). */
  public SegmentationWriter describe(int number, String series, String content) {
    this.seriesNumber = number;
    this.seriesDescription = series;
    this.contentDescription = content;
    return this;
  }

  /** The algorithm's version, as the segments' algorithm identification says (default: RadLab's version). */
  public SegmentationWriter algorithmVersion(String version) {
    this.algorithmVersion = version;
    return this;
  }

  /** Content date and time (default: now). */
  public SegmentationWriter created(LocalDateTime at) {
    this.created = at;
    return this;
  }

  public SegmentationWriter add(Source source) {
    sources.add(source);
    return this;
  }

  /** Writes the object to {@code file} (Explicit VR Little Endian, with file meta information). */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      encode(out);
    } catch (DicomException e) {
      throw new IOException("cannot write the SEG " + file + ": " + e.getMessage(), e);
    }
  }

  /** The object as the bytes of a DICOM file (Explicit VR Little Endian, with file meta information). */
  public byte[] bytes() throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      encode(out);
    } catch (DicomException e) {
      throw new IOException("cannot write the SEG: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** The object with its file meta information, written to {@code out}. */
  private void encode(java.io.OutputStream out) throws IOException, DicomException {
    AttributeList list = build();
    FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RADLAB");
    list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
  }

  /** The object as a PixelMed attribute list, without file meta information. */
  public AttributeList build() {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("a SEG needs at least one source image");
    }
    if (studyUid == null) {
      throw new IllegalArgumentException("a SEG needs its source images' Study Instance UID");
    }
    int rows = sources.get(0).mask().height();
    int columns = sources.get(0).mask().width();
    Set<String> seen = new HashSet<>();
    boolean[] appears = new boolean[classes.size() + 1];
    for (Source s : sources) {
      if (s.mask().width() != columns || s.mask().height() != rows) {
        throw new IllegalArgumentException("every frame of a SEG has one size: " + s.sopInstanceUid() + "'s mask is "
            + s.mask().width() + " x " + s.mask().height() + ", the first " + columns + " x " + rows);
      }
      if (!seen.add(s.sopInstanceUid() + "/" + s.frameNumber())) {
        throw new IllegalArgumentException("source image " + s.sopInstanceUid()
            + (s.frameNumber() == null ? "" : " frame " + s.frameNumber()) + " is added twice");
      }
      for (byte b : s.mask().labels()) {
        int c = b & 0xff;
        if (c > classes.size()) {
          throw new IllegalArgumentException("the mask of " + s.sopInstanceUid() + " holds class index " + c
              + ", beyond the " + classes.size() + " classes " + classes);
        }
        appears[c] = true;
      }
    }
    List<Integer> segments = new ArrayList<>(); // class index of segment number i + 1
    for (int c = 1; c <= classes.size(); c++) {
      if (appears[c]) {
        segments.add(c);
      }
    }
    if (segments.isEmpty()) {
      for (int c = 1; c <= classes.size(); c++) {
        segments.add(c);
      }
    }
    boolean spatial = frameOfReferenceUid != null && sources.stream().allMatch(s -> s.position() != null);
    String sop = sopInstanceUid != null ? sopInstanceUid : DerivedUid.random();
    String series = seriesUid != null ? seriesUid : DerivedUid.random();
    LocalDateTime at = created != null ? created : LocalDateTime.now();
    String version = algorithmVersion != null ? algorithmVersion : softwareVersion();
    try {
      AttributeList list = new AttributeList();
      put(list, TagFromName.SpecificCharacterSet, "ISO_IR 192");
      put(list, TagFromName.SOPClassUID, SEGMENTATION_STORAGE);
      put(list, TagFromName.SOPInstanceUID, sop);
      put(list, TagFromName.ImageType, "DERIVED", "PRIMARY");
      // patient and study: the source images'
      put(list, TagFromName.PatientName, patientName);
      put(list, TagFromName.PatientID, patientId);
      put(list, TagFromName.PatientBirthDate, studyAttributes.get("PatientBirthDate"));
      put(list, TagFromName.PatientSex, studyAttributes.get("PatientSex"));
      put(list, TagFromName.StudyInstanceUID, studyUid);
      put(list, TagFromName.StudyDate, studyDate);
      put(list, TagFromName.StudyTime, studyAttributes.get("StudyTime"));
      put(list, TagFromName.ReferringPhysicianName, studyAttributes.get("ReferringPhysicianName"));
      put(list, TagFromName.StudyID, studyAttributes.get("StudyID"));
      put(list, TagFromName.AccessionNumber, studyAttributes.get("AccessionNumber"));
      // series and equipment
      put(list, TagFromName.Modality, "SEG");
      put(list, TagFromName.SeriesInstanceUID, series);
      put(list, TagFromName.SeriesNumber, Integer.toString(seriesNumber));
      put(list, TagFromName.SeriesDescription, lo(seriesDescription));
      put(list, TagFromName.Manufacturer, "RadLab");
      put(list, TagFromName.ManufacturerModelName, "RadLab");
      put(list, TagFromName.DeviceSerialNumber, "RadLab");
      put(list, TagFromName.SoftwareVersions, lo(softwareVersion()));
      if (spatial) {
        put(list, TagFromName.FrameOfReferenceUID, frameOfReferenceUid);
        put(list, TagFromName.PositionReferenceIndicator);
      }
      // content identification, multi-frame
      put(list, TagFromName.InstanceNumber, "1");
      put(list, TagFromName.ContentDate, at.format(DA));
      put(list, TagFromName.ContentTime, at.format(TM));
      put(list, TagFromName.ContentLabel, "RADLAB");
      put(list, TagFromName.ContentDescription, lo(contentDescription));
      put(list, TagFromName.ContentCreatorName, "RadLab");
      int frames = segments.size() * sources.size();
      put(list, TagFromName.NumberOfFrames, Integer.toString(frames));
      // image pixel and segmentation image
      put(list, TagFromName.SamplesPerPixel, "1");
      put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
      put(list, TagFromName.Rows, Integer.toString(rows));
      put(list, TagFromName.Columns, Integer.toString(columns));
      put(list, TagFromName.BitsAllocated, "1");
      put(list, TagFromName.BitsStored, "1");
      put(list, TagFromName.HighBit, "0");
      put(list, TagFromName.PixelRepresentation, "0");
      put(list, TagFromName.LossyImageCompression, "00");
      put(list, TagFromName.SegmentationType, "BINARY");
      put(list, SEGMENTS_OVERLAP, "NO");
      SequenceAttribute segmentSequence = new SequenceAttribute(TagFromName.SegmentSequence);
      for (int n = 1; n <= segments.size(); n++) {
        segmentSequence.addItem(segment(n, classes.get(segments.get(n - 1) - 1), version));
      }
      list.put(segmentSequence);
      SequenceAttribute schemes = new SequenceAttribute(TagFromName.CodingSchemeIdentificationSequence);
      AttributeList scheme = new AttributeList();
      put(scheme, TagFromName.CodingSchemeDesignator, LOCAL_SCHEME);
      put(scheme, TagFromName.CodingSchemeName, "RadLab use case class names");
      schemes.addItem(scheme);
      list.put(schemes);
      list.put(referencedSeries());
      // dimensions: the segment number, and the position along the slice normal when placed in patient space
      String dimensionUid = DerivedUid.of("radlab-seg-dimensions", sop);
      SequenceAttribute organization = new SequenceAttribute(TagFromName.DimensionOrganizationSequence);
      AttributeList org = new AttributeList();
      put(org, TagFromName.DimensionOrganizationUID, dimensionUid);
      organization.addItem(org);
      list.put(organization);
      SequenceAttribute index = new SequenceAttribute(TagFromName.DimensionIndexSequence);
      index.addItem(dimension(dimensionUid, TagFromName.ReferencedSegmentNumber,
          TagFromName.SegmentIdentificationSequence, "Segment Number"));
      if (spatial) {
        index.addItem(dimension(dimensionUid, TagFromName.ImagePositionPatient, TagFromName.PlanePositionSequence,
            "Image Position Patient"));
      }
      list.put(index);
      list.put(shared(spatial));
      Map<String, Integer> ranks = spatial ? ranks() : Map.of();
      SequenceAttribute perFrame = new SequenceAttribute(TagFromName.PerFrameFunctionalGroupsSequence);
      long bits = (long) frames * rows * columns;
      if (bits > 8L * (Integer.MAX_VALUE - 8)) {
        throw new IllegalArgumentException("a SEG of " + frames + " frames of " + columns + " x " + rows
            + " pixels is too large for one object");
      }
      byte[] pixels = new byte[(int) ((bits + 15) / 16 * 2)]; // whole bytes, then even
      int frame = 0;
      for (int n = 1; n <= segments.size(); n++) {
        int c = segments.get(n - 1);
        for (Source s : sources) {
          perFrame.addItem(frameGroups(s, n, spatial ? ranks.get(key(s.position())) : null, spatial));
          byte[] labels = s.mask().labels();
          for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) == c) {
              IndexedLabelMapToSegmentation.setBit(pixels, frame, i / columns, i % columns, rows, columns);
            }
          }
          frame++;
        }
      }
      list.put(perFrame);
      OtherByteAttribute data = new OtherByteAttribute(TagFromName.PixelData);
      data.setValues(pixels);
      list.put(data);
      return list;
    } catch (DicomException e) {
      throw new IllegalStateException("cannot build the SEG: " + e.getMessage(), e);
    }
  }

  private AttributeList segment(int number, String label, String version) throws DicomException {
    AttributeList item = new AttributeList();
    put(item, TagFromName.SegmentNumber, Integer.toString(number));
    put(item, TagFromName.SegmentLabel, label);
    put(item, TagFromName.SegmentAlgorithmType, "AUTOMATIC");
    put(item, SEGMENT_ALGORITHM_NAME, ALGORITHM_NAME);
    item.put(code(TagFromName.SegmentedPropertyCategoryCodeSequence, "85756007", "SCT", "Tissue"));
    item.put(code(TagFromName.SegmentedPropertyTypeCodeSequence, localCode(label), LOCAL_SCHEME, label));
    SequenceAttribute algorithm = new SequenceAttribute(ALGORITHM_IDENTIFICATION);
    AttributeList a = new AttributeList();
    a.put(code(ALGORITHM_FAMILY, "123110", "DCM", "Artificial Intelligence"));
    put(a, ALGORITHM_NAME_TAG, ALGORITHM_NAME);
    put(a, ALGORITHM_VERSION, lo(version));
    algorithm.addItem(a);
    item.put(algorithm);
    return item;
  }

  /** The Common Instance Reference module's Referenced Series Sequence: every source instance, by series. */
  private SequenceAttribute referencedSeries() throws DicomException {
    Map<String, Map<String, String>> bySeries = new LinkedHashMap<>();
    for (Source s : sources) {
      bySeries.computeIfAbsent(s.seriesUid(), k -> new LinkedHashMap<>()).putIfAbsent(s.sopInstanceUid(),
          s.sopClassUid());
    }
    SequenceAttribute out = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
    for (var series : bySeries.entrySet()) {
      AttributeList item = new AttributeList();
      put(item, TagFromName.SeriesInstanceUID, series.getKey());
      SequenceAttribute instances = new SequenceAttribute(TagFromName.ReferencedInstanceSequence);
      for (var instance : series.getValue().entrySet()) {
        AttributeList ref = new AttributeList();
        put(ref, TagFromName.ReferencedSOPClassUID, instance.getValue());
        put(ref, TagFromName.ReferencedSOPInstanceUID, instance.getKey());
        instances.addItem(ref);
      }
      item.put(instances);
      out.addItem(item);
    }
    return out;
  }

  private SequenceAttribute shared(boolean spatial) throws DicomException {
    SequenceAttribute out = new SequenceAttribute(TagFromName.SharedFunctionalGroupsSequence);
    AttributeList item = new AttributeList();
    if (rowSpacing != null && columnSpacing != null || sliceThickness != null || sliceSpacing != null) {
      AttributeList measures = new AttributeList();
      if (rowSpacing != null && columnSpacing != null) {
        put(measures, TagFromName.PixelSpacing, ds(rowSpacing), ds(columnSpacing));
      }
      if (sliceThickness != null) {
        put(measures, TagFromName.SliceThickness, ds(sliceThickness));
      }
      if (sliceSpacing != null) {
        put(measures, TagFromName.SpacingBetweenSlices, ds(sliceSpacing));
      }
      item.put(single(TagFromName.PixelMeasuresSequence, measures));
    }
    if (spatial) {
      AttributeList plane = new AttributeList();
      put(plane, TagFromName.ImageOrientationPatient, ds(orientation));
      item.put(single(TagFromName.PlaneOrientationSequence, plane));
    }
    out.addItem(item);
    return out;
  }

  private AttributeList frameGroups(Source s, int segment, Integer rank, boolean spatial) throws DicomException {
    AttributeList item = new AttributeList();
    AttributeList derivation = new AttributeList();
    derivation.put(code(TagFromName.DerivationCodeSequence, "113076", "DCM", "Segmentation"));
    AttributeList source = new AttributeList();
    put(source, TagFromName.ReferencedSOPClassUID, s.sopClassUid());
    put(source, TagFromName.ReferencedSOPInstanceUID, s.sopInstanceUid());
    if (s.frameNumber() != null) {
      put(source, TagFromName.ReferencedFrameNumber, Integer.toString(s.frameNumber()));
    }
    source.put(code(TagFromName.PurposeOfReferenceCodeSequence, "121322", "DCM",
        "Source image for image processing operation"));
    derivation.put(single(TagFromName.SourceImageSequence, source));
    item.put(single(TagFromName.DerivationImageSequence, derivation));
    AttributeList content = new AttributeList();
    Attribute values = content.putNewAttribute(TagFromName.DimensionIndexValues);
    values.addValue(segment);
    if (rank != null) {
      values.addValue(rank);
    }
    item.put(single(TagFromName.FrameContentSequence, content));
    if (spatial) {
      AttributeList position = new AttributeList();
      put(position, TagFromName.ImagePositionPatient, ds(s.position()));
      item.put(single(TagFromName.PlanePositionSequence, position));
    }
    AttributeList identification = new AttributeList();
    put(identification, TagFromName.ReferencedSegmentNumber, Integer.toString(segment));
    item.put(single(TagFromName.SegmentIdentificationSequence, identification));
    return item;
  }

  /** Each distinct written position's rank (from 1) along the slice normal, then by its coordinates. */
  private Map<String, Integer> ranks() {
    double nx = orientation[1] * orientation[5] - orientation[2] * orientation[4];
    double ny = orientation[2] * orientation[3] - orientation[0] * orientation[5];
    double nz = orientation[0] * orientation[4] - orientation[1] * orientation[3];
    Map<String, double[]> distinct = new LinkedHashMap<>();
    for (Source s : sources) {
      distinct.putIfAbsent(key(s.position()), s.position());
    }
    List<Map.Entry<String, double[]>> sorted = new ArrayList<>(distinct.entrySet());
    sorted.sort((a, b) -> {
      double[] p = a.getValue();
      double[] q = b.getValue();
      int c = Double.compare(p[0] * nx + p[1] * ny + p[2] * nz, q[0] * nx + q[1] * ny + q[2] * nz);
      for (int i = 0; c == 0 && i < 3; i++) {
        c = Double.compare(p[i], q[i]);
      }
      return c;
    });
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      out.put(sorted.get(i).getKey(), i + 1);
    }
    return out;
  }

  private static String key(double[] position) {
    return String.join("\\", ds(position));
  }

  private static AttributeList dimension(String uid, AttributeTag pointer, AttributeTag group, String label)
      throws DicomException {
    AttributeList item = new AttributeList();
    put(item, TagFromName.DimensionOrganizationUID, uid);
    AttributeTagAttribute p = new AttributeTagAttribute(TagFromName.DimensionIndexPointer);
    p.addValue(pointer);
    item.put(p);
    AttributeTagAttribute g = new AttributeTagAttribute(TagFromName.FunctionalGroupPointer);
    g.addValue(group);
    item.put(g);
    put(item, TagFromName.DimensionDescriptionLabel, label);
    return item;
  }

  private static SequenceAttribute code(AttributeTag tag, String value, String scheme, String meaning)
      throws DicomException {
    AttributeList item = new AttributeList();
    put(item, TagFromName.CodeValue, value);
    put(item, TagFromName.CodingSchemeDesignator, scheme);
    put(item, TagFromName.CodeMeaning, meaning);
    return single(tag, item);
  }

  private static SequenceAttribute single(AttributeTag tag, AttributeList item) {
    SequenceAttribute s = new SequenceAttribute(tag);
    s.addItem(item);
    return s;
  }

  /** Puts a text element encoded as UTF-8; no value (or a null one) makes it present and empty. */
  private static void put(AttributeList list, AttributeTag tag, String... values) throws DicomException {
    Attribute a = list.putNewAttribute(tag, UTF8);
    if (values != null) {
      for (String v : values) {
        if (v != null) {
          a.addValue(v);
        }
      }
    }
  }

  /** The local code value of a class: its name when it fits a Code Value (16 characters), else a hash of it. */
  static String localCode(String name) {
    if (name.length() <= 16) {
      return name;
    }
    return "RL" + DerivedUid.hex(name).substring(0, 14);
  }

  /** A DS value of at most 16 characters: as many decimals (up to 6) as fit. */
  static String ds(double v) {
    for (int scale = 6; scale >= 0; scale--) {
      String s = BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
      if (s.length() <= 16) {
        return s.equals("-0") ? "0" : s;
      }
    }
    throw new IllegalArgumentException(v + " does not fit a DICOM decimal string");
  }

  private static String[] ds(double[] v) {
    String[] out = new String[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = ds(v[i]);
    }
    return out;
  }

  private static String lo(String s) {
    if (s == null) {
      return null;
    }
    String t = s.replace('\\', '/').replaceAll("\\p{Cntrl}", " ").trim();
    return t.length() <= 64 ? t : t.substring(0, 64);
  }

  private static Double positive(Double v) {
    return v != null && v > 0 && Double.isFinite(v) ? v : null;
  }

  private static boolean finite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  static String softwareVersion() {
    String v = SegmentationWriter.class.getPackage().getImplementationVersion();
    return v == null ? "RadLab (development build)" : "RadLab " + v;
  }
}
