package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.FloatDoubleAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import org.junit.jupiter.api.Test;

/**
 * The cases where {@link AttributeValues} and {@link HeaderFields} give other results than PixelMed's own getters,
 * which is why they are not those getters.
 */
class AttributeValuesTest {
  @Test
  void anUnparseableDecimalIsNaNWherePixelMedSaysZero() throws Exception {
    AttributeList l = new AttributeList();
    Attribute centers = new DecimalStringAttribute(Tags.WINDOW_CENTER);
    centers.addValue("abc");
    centers.addValue("40");
    l.put(centers);
    assertArrayEquals(new double[] {0, 40}, Attribute.getDoubleValues(l, Tags.WINDOW_CENTER));
    assertArrayEquals(new double[] {Double.NaN, 40}, AttributeValues.doubles(l, Tags.WINDOW_CENTER));
  }

  @Test
  void anIntegerInAVrWithoutIntegersIsReadFromItsText() throws Exception {
    AttributeList l = new AttributeList();
    Attribute rows = new UnlimitedTextAttribute(Tags.ROWS);
    rows.addValue(" 512 ");
    l.put(rows);
    Attribute columns = new FloatDoubleAttribute(Tags.COLUMNS);
    columns.addValue(256.0);
    l.put(columns);
    assertEquals(0, Attribute.getSingleIntegerValueOrDefault(l, Tags.ROWS, 0));
    assertEquals(512, AttributeValues.integer(l, Tags.ROWS, 0));
    assertEquals(0, Attribute.getSingleIntegerValueOrDefault(l, Tags.COLUMNS, 0));
    assertEquals(256, AttributeValues.integer(l, Tags.COLUMNS, 0));
  }

  @Test
  void anEmptyNumberOfFramesIsOneFrameWherePixelMedSaysZero() throws Exception {
    AttributeList l = TestDicom.image(2, 2, 8, 8, 0, "MONOCHROME2").set(Tags.NUMBER_OF_FRAMES, "").list();
    assertEquals(0, Attribute.getSingleIntegerValueOrDefault(l, Tags.NUMBER_OF_FRAMES, 1));
    assertEquals(1, HeaderFields.header(l, TestDicom.EXPLICIT_LE, false).numberOfFrames());
    assertEquals(0, HeaderFields.header(TestDicom.image(2, 2, 8, 8, 0, "MONOCHROME2")
        .set(Tags.NUMBER_OF_FRAMES, "1A").list(), TestDicom.EXPLICIT_LE, false).numberOfFrames());
  }

  @Test
  void textIsTrimmedAndEmptyIsNull() throws Exception {
    AttributeList l = TestDicom.empty().set(Tags.MODALITY, " MG ").set(Tags.VIEW_POSITION, "").list();
    assertEquals("MG", AttributeValues.text(l, Tags.MODALITY));
    assertNull(AttributeValues.text(l, Tags.VIEW_POSITION));
    assertNull(AttributeValues.text(l, Tags.PATIENT_ID));
    assertNull(AttributeValues.text(null, Tags.PATIENT_ID));
  }
}
