package org.radlab.core.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds small DICOM files with PixelMed for tests: known header values and known pixel values. */
final class TestDicom {
  static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
  static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

  private final AttributeList list = new AttributeList();
  private int uidCounter;

  private TestDicom() {}

  /** A single-frame image with the usual identifying attributes and the given pixel module. */
  static TestDicom image(int rows, int columns, int bitsAllocated, int bitsStored, int pixelRepresentation,
      String photometric) {
    TestDicom d = new TestDicom();
    int spp = photometric.startsWith("MONOCHROME") || photometric.equals("PALETTE COLOR") ? 1 : 3;
    d.set(Tags.SOP_CLASS_UID, SECONDARY_CAPTURE)
        .set(Tags.SOP_INSTANCE_UID, "1.2.826.0.1.3680043.10.543.1.1")
        .set(Tags.STUDY_INSTANCE_UID, "1.2.826.0.1.3680043.10.543.1.2")
        .set(Tags.SERIES_INSTANCE_UID, "1.2.826.0.1.3680043.10.543.1.3")
        .set(Tags.PATIENT_ID, "PAT-001")
        .set(Tags.MODALITY, "OT")
        .set(Tags.ROWS, Integer.toString(rows))
        .set(Tags.COLUMNS, Integer.toString(columns))
        .set(Tags.BITS_ALLOCATED, Integer.toString(bitsAllocated))
        .set(Tags.BITS_STORED, Integer.toString(bitsStored))
        .set(Tags.HIGH_BIT, Integer.toString(bitsStored - 1))
        .set(Tags.PIXEL_REPRESENTATION, Integer.toString(pixelRepresentation))
        .set(Tags.SAMPLES_PER_PIXEL, Integer.toString(spp))
        .set(Tags.PHOTOMETRIC_INTERPRETATION, photometric);
    if (spp == 3) {
      d.set(Tags.PLANAR_CONFIGURATION, "0");
    }
    return d;
  }

  /** An empty attribute list, e.g. for a sequence item. */
  static TestDicom empty() {
    return new TestDicom();
  }

  /** Sets an element from string values, with the VR from PixelMed's dictionary. */
  TestDicom set(AttributeTag tag, String... values) {
    try {
      Attribute a = AttributeFactory.newAttribute(tag);
      for (String v : values) {
        a.addValue(v);
      }
      list.put(a);
      return this;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  TestDicom remove(AttributeTag tag) {
    list.remove(tag);
    return this;
  }

  /** Sets an element whose value is a list of 16-bit words (LUT data, US values). */
  TestDicom words(AttributeTag tag, int... values) {
    try {
      OtherWordAttribute a = new OtherWordAttribute(tag);
      short[] s = new short[values.length];
      for (int i = 0; i < values.length; i++) {
        s[i] = (short) values[i];
      }
      a.setValues(s);
      list.put(a);
      return this;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds a sequence with one item per list. */
  TestDicom sequence(AttributeTag tag, AttributeList... items) {
    SequenceAttribute seq = new SequenceAttribute(tag);
    for (AttributeList item : items) {
      seq.addItem(item);
    }
    list.put(seq);
    return this;
  }

  /** A LUT item (descriptor entries/first/bits plus data) for Modality or VOI LUT sequences. */
  static AttributeList lutItem(int first, int bits, int... entries) {
    TestDicom item = new TestDicom();
    item.set(Tags.LUT_DESCRIPTOR, Integer.toString(entries.length), Integer.toString(first), Integer.toString(bits));
    item.words(Tags.LUT_DATA, entries);
    return item.list;
  }

  /** 16-bit (or 32-bit, two words per value, little-endian order) pixel values. */
  TestDicom pixels16(int... values) {
    try {
      OtherWordAttribute a = new OtherWordAttribute(Tags.PIXEL_DATA);
      short[] s = new short[values.length];
      for (int i = 0; i < values.length; i++) {
        s[i] = (short) values[i];
      }
      a.setValues(s);
      list.put(a);
      return this;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  TestDicom pixels8(int... values) {
    try {
      OtherByteAttribute a = new OtherByteAttribute(Tags.PIXEL_DATA);
      byte[] b = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        b[i] = (byte) values[i];
      }
      a.setValues(b);
      list.put(a);
      return this;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A complete Part 10 file (preamble, DICM, meta header) in the given transfer syntax. */
  byte[] write(String transferSyntax) {
    try {
      FileMetaInformation.addFileMetaInformation(list, transferSyntax, "RADLAB");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      list.write(out, transferSyntax, true, true);
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] write() {
    return write(EXPLICIT_LE);
  }

  Path writeTo(Path file, String transferSyntax) {
    try {
      Files.write(file, write(transferSyntax));
      return file;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  AttributeList list() {
    return list;
  }
}
