package org.radlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.radlab.core.dicom.DicomReader;
import org.radlab.core.dicom.DicomRejectException;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;
import org.radlab.core.dicom.PixelPipeline;
import org.radlab.core.dicom.PngCodec;
import org.radlab.core.dicom.RenderOptions;

class ImageTensorsTest {
  static final Path CT = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");

  @Test
  void aDicomFileBecomesTheSameTensorPrepWouldMake() throws Exception {
    byte[] file = Files.readAllBytes(CT);
    assertTrue(ImageTensors.isDicom(file));
    float[] tensor = ImageTensors.fromDicom(file, 32);
    assertEquals(32 * 32, tensor.length);
    GrayImage rendered = PixelPipeline.render(DicomReader.decode(file), 0,
        RenderOptions.defaults().withFlipByLaterality(false));
    float[] expected = ImageResize.squarePadded(rendered, 32).data();
    for (int i = 0; i < tensor.length; i++) {
      assertEquals(expected[i], tensor[i], 0f);
      assertTrue(tensor[i] >= 0 && tensor[i] <= 1);
    }
  }

  @Test
  void aPngBecomesGreyValuesInUnitRange() throws Exception {
    // A 4 x 2 image: values k/255 for known bytes; square padded to 4 x 4, the image in the middle rows.
    float[] values = {0, 51 / 255f, 102 / 255f, 1, 1, 204 / 255f, 153 / 255f, 0};
    byte[] png = PngCodec.encode8bit(new GrayImage(4, 2, values));
    assertTrue(ImageTensors.isPng(png));
    float[] tensor = ImageTensors.fromPng(png, 4);
    float[] expected = ImageResize.squarePadded(new GrayImage(4, 2, values), 4).data();
    for (int i = 0; i < tensor.length; i++) {
      assertEquals(expected[i], tensor[i], 1e-6f, "value " + i);
    }
  }

  @Test
  void otherBytesAreRefusedWithTheReason() {
    byte[] text = "hello, not an image".getBytes();
    assertFalse(ImageTensors.isPng(text));
    assertFalse(ImageTensors.isDicom(text));
    IOException png = assertThrows(IOException.class, () -> ImageTensors.fromPng(text, 8));
    assertTrue(png.getMessage().contains("not a PNG"));
    assertThrows(DicomRejectException.class, () -> ImageTensors.fromDicom(text, 8));
  }
}
