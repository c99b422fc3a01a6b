package org.radlab.core.dicom;

import static org.radlab.core.dicom.DicomRejectException.DECODE_FAILED;
import static org.radlab.core.dicom.DicomRejectException.NOT_DICOM;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a DICOM header with PixelMed, stopping at the pixel data, and extracts {@link DicomHeader} and
 * {@link PixelAttributes} from it. Files without the 128-byte preamble and "DICM" are accepted only when
 * their first element looks like DICOM (group 0000-0028); the transfer syntax is then guessed from it.
 */
final class DicomParser {
  static final String IMPLICIT_LE = TransferSyntax.ImplicitVRLittleEndian;
  static final String EXPLICIT_LE = TransferSyntax.ExplicitVRLittleEndian;
  static final String EXPLICIT_BE = TransferSyntax.ExplicitVRBigEndian;

  private static final Set<String> VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO",
      "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL",
      "UN", "UR", "US", "UT", "UV");

  private DicomParser() {}

  /** How to open a file: with its preamble, or without one using a guessed transfer syntax. */
  private record Sniff(boolean preamble, String guessedTransferSyntax, boolean startsWithMetaHeader) {}

  static ParsedDicom parseHeader(byte[] file) throws DicomRejectException {
    PixelMedSupport.ensureInitialised();
    if (file == null || file.length == 0) {
      throw new DicomRejectException(NOT_DICOM, "empty file");
    }
    Sniff sniff = sniff(file);
    if (sniff == null) {
      throw new DicomRejectException(NOT_DICOM, "no DICM preamble and the first bytes are not a DICOM element");
    }
    ElementLengths.check(file, sniff.preamble() ? 132 : 0, sniff.preamble() || sniff.startsWithMetaHeader(),
        sniff.guessedTransferSyntax(), sniff.preamble() ? DECODE_FAILED : NOT_DICOM);
    AttributeList list = new AttributeList();
    StopAtPixelData stop = new StopAtPixelData();
    String datasetTs;
    try (DicomInputStream in = open(file, sniff)) {
      list.read(in, stop);
      datasetTs = in.getTransferSyntaxToReadDataSet() == null ? null : in.getTransferSyntaxToReadDataSet().getUID();
    } catch (Throwable t) {
      Failures.rethrowIfFatal(t);
      throw new DicomRejectException(sniff.preamble() ? DECODE_FAILED : NOT_DICOM,
          (sniff.preamble() ? "malformed DICOM header: " : "not a readable DICOM data set: ") + Failures.describe(t), t);
    }
    if (!sniff.preamble() && !hasDataSetAttributes(list)) {
      throw new DicomRejectException(NOT_DICOM, "no DICM preamble and no data set elements could be read");
    }
    String ts = trimmed(string(list, Tags.TRANSFER_SYNTAX_UID));
    if (ts == null) {
      ts = datasetTs;
    }
    boolean hasPixelData = stop.stopped() && stop.tag().equals(Tags.PIXEL_DATA);
    boolean floatPixels = stop.stopped() && !hasPixelData;
    DicomHeader header = header(list, ts, hasPixelData);
    return new ParsedDicom(list, header, datasetTs == null ? ts : datasetTs,
        hasPixelData ? stop.byteOffset() : -1, floatPixels);
  }

  /** Opens the whole file for a full PixelMed read, the same way {@link #parseHeader} did. */
  static DicomInputStream openStream(byte[] file) throws IOException, DicomRejectException {
    Sniff sniff = sniff(file);
    if (sniff == null) {
      throw new DicomRejectException(NOT_DICOM, "no DICM preamble and the first bytes are not a DICOM element");
    }
    return open(file, sniff);
  }

  private static DicomInputStream open(byte[] file, Sniff sniff) throws IOException {
    ByteArrayInputStream bytes = new ByteArrayInputStream(file);
    return sniff.preamble()
        ? new DicomInputStream(bytes)
        : new DicomInputStream(bytes, sniff.guessedTransferSyntax(), sniff.startsWithMetaHeader());
  }

  private static Sniff sniff(byte[] b) {
    if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
      return new Sniff(true, null, true);
    }
    if (b.length < 8) {
      return null;
    }
    int groupLittle = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    int groupBig = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
    boolean explicitVr = VRS.contains(new String(new char[] {(char) (b[4] & 0xFF), (char) (b[5] & 0xFF)}));
    if (plausibleFirstGroup(groupLittle)) {
      boolean meta = groupLittle == 0x0002;
      return new Sniff(false, meta || explicitVr ? EXPLICIT_LE : IMPLICIT_LE, meta);
    }
    if (plausibleFirstGroup(groupBig) && explicitVr) {
      return new Sniff(false, EXPLICIT_BE, false);
    }
    return null;
  }

  private static boolean plausibleFirstGroup(int group) {
    return group <= 0x0028 && group % 2 == 0;
  }

  private static boolean hasDataSetAttributes(AttributeList list) {
    for (AttributeTag tag : list.keySet()) {
      if (tag.getGroup() > 0x0002) {
        return true;
      }
    }
    return false;
  }

  /** Stops the top-level read at Float, Double Float or ordinary Pixel Data, before its value is read. */
  private static final class StopAtPixelData implements AttributeList.ReadTerminationStrategy {
    private AttributeTag tag;
    private long byteOffset = -1;

    @Override
    public boolean terminate(AttributeList list, AttributeTag t, long offset) {
      if (t.getGroup() == 0x7FE0 && (t.getElement() == 0x0010 || t.getElement() == 0x0008 || t.getElement() == 0x0009)) {
        tag = t;
        byteOffset = offset;
        return true;
      }
      return false;
    }

    boolean stopped() {
      return tag != null;
    }

    AttributeTag tag() {
      return tag;
    }

    long byteOffset() {
      return byteOffset;
    }
  }

  // ---------------------------------------------------------------------------------------------- header

  static DicomHeader header(AttributeList l, String transferSyntax, boolean hasPixelData) {
    String laterality = trimmed(string(l, Tags.IMAGE_LATERALITY));
    if (laterality == null) {
      laterality = trimmed(string(l, Tags.LATERALITY));
    }
    if (laterality == null) {
      laterality = trimmed(string(functionalGroupItem(l, Tags.FRAME_ANATOMY_SEQUENCE), Tags.FRAME_LATERALITY));
    }
    String burnedIn = trimmed(string(l, Tags.BURNED_IN_ANNOTATION));
    return new DicomHeader(
        trimmed(string(l, Tags.PATIENT_ID)),
        trimmed(string(l, Tags.STUDY_INSTANCE_UID)),
        trimmed(string(l, Tags.SERIES_INSTANCE_UID)),
        trimmed(string(l, Tags.SOP_INSTANCE_UID)),
        trimmed(string(l, Tags.SOP_CLASS_UID)),
        trimmed(string(l, Tags.MODALITY)),
        trimmed(string(l, Tags.BODY_PART_EXAMINED)),
        trimmed(string(l, Tags.VIEW_POSITION)),
        laterality,
        trimmed(string(l, Tags.STUDY_DATE)),
        trimmed(string(l, Tags.MANUFACTURER)),
        integer(l, Tags.ROWS, 0),
        integer(l, Tags.COLUMNS, 0),
        integer(l, Tags.BITS_ALLOCATED, 0),
        integer(l, Tags.BITS_STORED, 0),
        integer(l, Tags.PIXEL_REPRESENTATION, 0),
        trimmed(string(l, Tags.PHOTOMETRIC_INTERPRETATION)),
        integer(l, Tags.SAMPLES_PER_PIXEL, 1),
        numberOfFrames(l),
        burnedIn == null ? null : burnedIn.toUpperCase(Locale.ROOT),
        transferSyntax,
        hasPixelData);
  }

  /** 1 when absent; 0 when present but not a positive integer (e.g. "1A"), so that decoding can refuse it. */
  private static int numberOfFrames(AttributeList l) {
    Attribute a = l.get(Tags.NUMBER_OF_FRAMES);
    if (a == null) {
      return 1;
    }
    String s = trimmed(string(l, Tags.NUMBER_OF_FRAMES));
    if (s == null) {
      return 1;
    }
    try {
      int n = Integer.parseInt(s);
      return Math.max(n, 0);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static int highBit(AttributeList l) {
    return integer(l, Tags.HIGH_BIT, -1);
  }

  static int planarConfiguration(AttributeList l) {
    return integer(l, Tags.PLANAR_CONFIGURATION, 0);
  }

  // ---------------------------------------------------------------------------------------------- pixel attributes

  /**
   * Rescale, window, VOI LUT and padding values. Each is taken from the top level, else from the shared
   * functional groups, else from the first frame's functional groups (enhanced multi-frame images).
   * Window pairs with a non-finite centre or a non-positive width are dropped; a rescale slope of 0 or
   * non-finite is treated as absent.
   */
  static PixelAttributes pixelAttributes(AttributeList l, int pixelRepresentation) {
    AttributeList transform = l.get(Tags.RESCALE_SLOPE) != null || l.get(Tags.RESCALE_INTERCEPT) != null
        ? l : functionalGroupItem(l, Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
    double slope = firstDouble(transform, Tags.RESCALE_SLOPE, 1);
    if (!Double.isFinite(slope) || slope == 0) {
      slope = 1;
    }
    double intercept = firstDouble(transform, Tags.RESCALE_INTERCEPT, 0);
    if (!Double.isFinite(intercept)) {
      intercept = 0;
    }
    AttributeList voi = l.get(Tags.WINDOW_CENTER) != null || l.get(Tags.VOI_LUT_SEQUENCE) != null
        ? l : functionalGroupItem(l, Tags.FRAME_VOI_LUT_SEQUENCE);
    double[] centers = doubles(voi, Tags.WINDOW_CENTER);
    double[] widths = doubles(voi, Tags.WINDOW_WIDTH);
    int n = Math.min(centers.length, widths.length);
    double[] keptCenters = new double[n];
    double[] keptWidths = new double[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (Double.isFinite(centers[i]) && Double.isFinite(widths[i]) && widths[i] > 0) {
        keptCenters[kept] = centers[i];
        keptWidths[kept] = widths[i];
        kept++;
      }
    }
    String function = trimmed(string(voi, Tags.VOI_LUT_FUNCTION));
    if (function == null) {
      function = trimmed(string(l, Tags.VOI_LUT_FUNCTION));
    }
    function = function == null ? PixelAttributes.LINEAR : function.toUpperCase(Locale.ROOT);
    if (!function.equals(PixelAttributes.LINEAR_EXACT) && !function.equals(PixelAttributes.SIGMOID)) {
      function = PixelAttributes.LINEAR;
    }
    List<AttributeList> modalityItems = items(l, Tags.MODALITY_LUT_SEQUENCE);
    Lut modalityLut = modalityItems.isEmpty()
        ? null : lut(modalityItems.get(0), Tags.LUT_DESCRIPTOR, Tags.LUT_DATA, pixelRepresentation == 1);
    // the VOI LUT's input is the modality value, which may be negative even for unsigned stored values
    boolean signedModality = modalityLut == null && (pixelRepresentation == 1 || intercept < 0);
    List<Lut> voiLuts = new ArrayList<>();
    for (AttributeList item : items(voi, Tags.VOI_LUT_SEQUENCE)) {
      Lut lut = lut(item, Tags.LUT_DESCRIPTOR, Tags.LUT_DATA, signedModality);
      if (lut != null) {
        voiLuts.add(lut);
      }
    }
    return new PixelAttributes(slope, intercept, Arrays.copyOf(keptCenters, kept),
        Arrays.copyOf(keptWidths, kept), function, voiLuts, modalityLut,
        storedValue(l, Tags.PIXEL_PADDING_VALUE, pixelRepresentation),
        storedValue(l, Tags.PIXEL_PADDING_RANGE_LIMIT, pixelRepresentation));
  }

  /** A US/SS value in stored-value space: 16-bit values are reinterpreted to match PixelRepresentation. */
  private static Integer storedValue(AttributeList l, AttributeTag tag, int pixelRepresentation) {
    Attribute a = l.get(tag);
    if (a == null || a.getVM() == 0) {
      return null;
    }
    try {
      int[] v = a.getIntegerValues();
      if (v == null || v.length == 0) {
        return null;
      }
      int value = v[0];
      if (pixelRepresentation == 1 && value > 0x7FFF && value <= 0xFFFF) {
        value -= 0x10000;
      } else if (pixelRepresentation == 0 && value < 0 && value >= -0x8000) {
        value += 0x10000;
      }
      return value;
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * A LUT from a descriptor (entries, first mapped value, bits per entry) and its data. 8-bit entries packed
   * two to a 16-bit word (low byte first) are unpacked. The first mapped value is US or SS depending on
   * whether the LUT's input is signed: a value read as SS is kept, a value read as US above 32767 is taken
   * as negative when {@code signedInput}. Returns null for a LUT that cannot be read.
   */
  static Lut lut(AttributeList item, AttributeTag descriptorTag, AttributeTag dataTag, boolean signedInput) {
    if (item == null) {
      return null;
    }
    try {
      Attribute descriptor = item.get(descriptorTag);
      Attribute data = item.get(dataTag);
      if (descriptor == null || data == null) {
        return null;
      }
      int[] d = descriptor.getIntegerValues();
      if (d == null || d.length < 3) {
        return null;
      }
      int entries = d[0] & 0xFFFF;
      if (entries == 0) {
        entries = 0x10000;
      }
      int first = d[1];
      if (signedInput && first > 0x7FFF && first <= 0xFFFF) {
        first -= 0x10000;
      }
      int bits = d[2];
      int[] words = unsignedWords(data);
      int[] values;
      if (words.length == entries) {
        values = words;
      } else if (bits <= 8 && words.length == (entries + 1) / 2) {
        values = new int[entries];
        for (int i = 0; i < entries; i++) {
          int w = words[i >> 1];
          values[i] = (i & 1) == 0 ? w & 0xFF : w >>> 8;
        }
      } else if (words.length > entries) {
        values = Arrays.copyOf(words, entries);
      } else {
        return null;
      }
      int max = 0;
      for (int v : values) {
        max = Math.max(max, v);
      }
      int needed = 32 - Integer.numberOfLeadingZeros(Math.max(max, 1));
      if (bits < 1 || bits > 16 || needed > bits) {
        bits = Math.max(needed, bits < 1 || bits > 16 ? 8 : bits);
      }
      return new Lut(first, Math.min(bits, 16), values);
    } catch (Exception e) {
      return null;
    }
  }

  private static int[] unsignedWords(Attribute a) throws Exception {
    int[] out;
    try {
      short[] s = a.getShortValues();
      out = new int[s.length];
      for (int i = 0; i < s.length; i++) {
        out[i] = s[i] & 0xFFFF;
      }
    } catch (Exception notWords) {
      int[] v = a.getIntegerValues();
      out = new int[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i] & 0xFFFF;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- value helpers

  /** The first item of {@code macro} within the shared functional groups, else within the first frame's. */
  static AttributeList functionalGroupItem(AttributeList l, AttributeTag macro) {
    for (AttributeTag groups : new AttributeTag[] {Tags.SHARED_FUNCTIONAL_GROUPS, Tags.PER_FRAME_FUNCTIONAL_GROUPS}) {
      List<AttributeList> fg = items(l, groups);
      if (!fg.isEmpty()) {
        List<AttributeList> m = items(fg.get(0), macro);
        if (!m.isEmpty()) {
          return m.get(0);
        }
      }
    }
    return null;
  }

  static List<AttributeList> items(AttributeList l, AttributeTag tag) {
    if (l == null || !(l.get(tag) instanceof SequenceAttribute seq)) {
      return List.of();
    }
    List<AttributeList> out = new ArrayList<>(seq.getNumberOfItems());
    for (int i = 0; i < seq.getNumberOfItems(); i++) {
      AttributeList item = seq.getItem(i).getAttributeList();
      if (item != null) {
        out.add(item);
      }
    }
    return out;
  }

  static String string(AttributeList l, AttributeTag tag) {
    if (l == null) {
      return null;
    }
    Attribute a = l.get(tag);
    if (a == null) {
      return null;
    }
    try {
      String[] v = a.getStringValues();
      return v == null || v.length == 0 ? null : v[0];
    } catch (Exception e) {
      return null;
    }
  }

  static String trimmed(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return t.isEmpty() ? null : t;
  }

  static int integer(AttributeList l, AttributeTag tag, int defaultValue) {
    Attribute a = l == null ? null : l.get(tag);
    if (a == null || a.getVM() == 0) {
      return defaultValue;
    }
    try {
      int[] v = a.getIntegerValues();
      return v == null || v.length == 0 ? defaultValue : v[0];
    } catch (Exception e) {
      String s = trimmed(string(l, tag));
      if (s == null) {
        return defaultValue;
      }
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException nfe) {
        return defaultValue;
      }
    }
  }

  private static double firstDouble(AttributeList l, AttributeTag tag, double defaultValue) {
    double[] v = doubles(l, tag);
    return v.length == 0 ? defaultValue : v[0];
  }

  /** Every value of a DS/FD element, unparseable ones as NaN. */
  static double[] doubles(AttributeList l, AttributeTag tag) {
    Attribute a = l == null ? null : l.get(tag);
    if (a == null || a.getVM() == 0) {
      return new double[0];
    }
    try {
      String[] values = a.getStringValues();
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        try {
          out[i] = Double.parseDouble(values[i].trim());
        } catch (RuntimeException e) {
          out[i] = Double.NaN;
        }
      }
      return out;
    } catch (Exception e) {
      return new double[0];
    }
  }
}
