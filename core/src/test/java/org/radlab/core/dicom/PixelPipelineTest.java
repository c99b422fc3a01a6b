package org.radlab.core.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The pipeline on small files written with PixelMed. Every expected value is worked out by hand from the
 * formulas in PS3.3 C.11.2.1.2.1 (LINEAR), C.11.2.1.3.2 (LINEAR_EXACT) and C.11.2.1.3.1 (SIGMOID); the
 * arithmetic is in the comments.
 */
class PixelPipelineTest {
  private static final double EPS = 1e-6;

  private static GrayImage render(byte[] file, int frame, RenderOptions options) throws DicomRejectException {
    return PixelPipeline.render(DicomReader.decode(file), frame, options);
  }

  private static GrayImage render(byte[] file) throws DicomRejectException {
    return render(file, 0, RenderOptions.defaults());
  }

  private static void assertValues(double[] expected, GrayImage image) {
    assertEquals(expected.length, image.data().length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], image.data()[i], EPS, "pixel " + i);
    }
  }

  @Test
  void rescaleThenLinearWindow() throws Exception {
    // stored 0,100,200,300 * slope 2 - 100 -> -100, 100, 300, 500
    // LINEAR c=200 w=401: below c-0.5-(w-1)/2 = -0.5 -> 0; above c-0.5+(w-1)/2 = 399.5 -> 1
    // 100 -> (100-199.5)/400 + 0.5 = 0.25125 ; 300 -> (300-199.5)/400 + 0.5 = 0.75125
    byte[] file = TestDicom.image(1, 4, 16, 16, 0, "MONOCHROME2")
        .set(Tags.RESCALE_SLOPE, "2").set(Tags.RESCALE_INTERCEPT, "-100")
        .set(Tags.WINDOW_CENTER, "200").set(Tags.WINDOW_WIDTH, "401")
        .pixels16(0, 100, 200, 300).write();
    assertValues(new double[] {0, 0.25125, 0.75125, 1}, render(file));
  }

  private static byte[] windowed(String function, String photometric) {
    TestDicom d = TestDicom.image(1, 5, 16, 16, 0, photometric)
        .set(Tags.WINDOW_CENTER, "100").set(Tags.WINDOW_WIDTH, "20");
    if (function != null) {
      d.set(Tags.VOI_LUT_FUNCTION, function);
    }
    return d.pixels16(90, 100, 105, 110, 125).write();
  }

  @Test
  void linearWindowUsesTheHalfPixelTerms() throws Exception {
    // c=100 w=20: lower = 99.5 - 9.5 = 90, upper = 99.5 + 9.5 = 109
    // 90 -> 0 ; 100 -> 0.5/19 + 0.5 = 0.5263158 ; 105 -> 5.5/19 + 0.5 = 0.7894737 ; 110, 125 -> 1
    double[] expected = {0, 0.5 / 19 + 0.5, 5.5 / 19 + 0.5, 1, 1};
    assertValues(expected, render(windowed(null, "MONOCHROME2")));
    assertValues(expected, render(windowed("LINEAR", "MONOCHROME2")));
  }

  @Test
  void linearExactWindowHasNoHalfPixelTerms() throws Exception {
    // c=100 w=20: x <= 90 -> 0 ; x > 110 -> 1 ; else (x-100)/20 + 0.5
    // 90 -> 0 ; 100 -> 0.5 ; 105 -> 0.75 ; 110 -> 1.0 ; 125 -> 1
    assertValues(new double[] {0, 0.5, 0.75, 1, 1}, render(windowed("LINEAR_EXACT", "MONOCHROME2")));
  }

  @Test
  void sigmoidWindow() throws Exception {
    // 1 / (1 + exp(-4 (x - 100) / 20)): exponents 2, 0, -1, -2, -5
    double[] expected = {
        1 / (1 + 7.38905609893065), // e^2
        0.5,
        1 / (1 + 0.36787944117144233), // e^-1
        1 / (1 + 0.1353352832366127), // e^-2
        1 / (1 + 0.006737946999085467)}; // e^-5
    assertValues(expected, render(windowed("SIGMOID", "MONOCHROME2")));
  }

  @Test
  void monochrome1IsInvertedAfterTheWindow() throws Exception {
    // LINEAR_EXACT values 0, 0.5, 0.75, 1, 1 inverted
    assertValues(new double[] {1, 0.5, 0.25, 0, 0}, render(windowed("LINEAR_EXACT", "MONOCHROME1")));
  }

  @Test
  void voiIndexSelectsTheWindowAndSaturatesAtTheLast() throws Exception {
    // stored 1000 with LINEAR_EXACT windows (c=100,w=20) and (c=1000,w=2000): 1 and (0/2000)+0.5
    byte[] file = TestDicom.image(1, 1, 16, 16, 0, "MONOCHROME2")
        .set(Tags.WINDOW_CENTER, "100", "1000").set(Tags.WINDOW_WIDTH, "20", "2000")
        .set(Tags.VOI_LUT_FUNCTION, "LINEAR_EXACT").pixels16(1000).write();
    assertValues(new double[] {1}, render(file, 0, new RenderOptions(0, false)));
    assertValues(new double[] {0.5}, render(file, 0, new RenderOptions(1, false)));
    assertValues(new double[] {0.5}, render(file, 0, new RenderOptions(7, false)));
  }

  @Test
  void voiLutSequenceIsUsedWhenThereIsNoWindow() throws Exception {
    // LUT first=1, 8 bits, entries 0, 51, 102, 255 for inputs 1..4; divided by 2^8-1 = 255
    // 0 (below first) -> 0 ; 1 -> 0 ; 2 -> 0.2 ; 3 -> 0.4 ; 4 -> 1 ; 5 (beyond last) -> 1
    TestDicom d = TestDicom.image(1, 6, 16, 16, 0, "MONOCHROME2")
        .sequence(Tags.VOI_LUT_SEQUENCE, TestDicom.lutItem(1, 8, 0, 51, 102, 255))
        .pixels16(0, 1, 2, 3, 4, 5);
    assertValues(new double[] {0, 0, 0.2, 0.4, 1, 1}, render(d.write()));
    // with a window present, the window wins: LINEAR_EXACT c=2.5 w=5 -> (x-2.5)/5+0.5 = x/5
    d.set(Tags.WINDOW_CENTER, "2.5").set(Tags.WINDOW_WIDTH, "5").set(Tags.VOI_LUT_FUNCTION, "LINEAR_EXACT");
    assertValues(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1}, render(d.write()));
  }

  @Test
  void voiLutMayStartAtANegativeModalityValue() throws Exception {
    // unsigned stored 0,1,2 with intercept -1024 -> modality -1024, -1023, -1022
    // VOI LUT first mapped -1024, written as the US value 64512 (implicit VR), entries 0, 255, 51 (8 bits)
    // -> 0, 1, 0.2
    byte[] file = TestDicom.image(1, 3, 16, 16, 0, "MONOCHROME2")
        .set(Tags.RESCALE_SLOPE, "1").set(Tags.RESCALE_INTERCEPT, "-1024")
        .sequence(Tags.VOI_LUT_SEQUENCE, TestDicom.lutItem(64512, 8, 0, 255, 51))
        .pixels16(0, 1, 2).write(TestDicom.IMPLICIT_LE);
    assertValues(new double[] {0, 1, 0.2}, render(file));
  }

  @Test
  void enhancedMultiFrameValuesComeFromTheSharedFunctionalGroups() throws Exception {
    // no top-level rescale or window: slope 2 intercept 10 and LINEAR_EXACT c=30 w=40 from the shared groups
    // stored 5, 10, 20 -> 20, 30, 50 -> (x-30)/40 + 0.5 -> 0.25, 0.5, 1.0 ; laterality from FrameAnatomy
    TestDicom transform = TestDicom.empty().set(Tags.RESCALE_SLOPE, "2").set(Tags.RESCALE_INTERCEPT, "10");
    TestDicom window = TestDicom.empty().set(Tags.WINDOW_CENTER, "30").set(Tags.WINDOW_WIDTH, "40")
        .set(Tags.VOI_LUT_FUNCTION, "LINEAR_EXACT");
    TestDicom anatomy = TestDicom.empty().set(Tags.FRAME_LATERALITY, "R");
    TestDicom shared = TestDicom.empty()
        .sequence(Tags.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, transform.list())
        .sequence(Tags.FRAME_VOI_LUT_SEQUENCE, window.list())
        .sequence(Tags.FRAME_ANATOMY_SEQUENCE, anatomy.list());
    byte[] file = TestDicom.image(1, 3, 16, 16, 0, "MONOCHROME2")
        .sequence(Tags.SHARED_FUNCTIONAL_GROUPS, shared.list()).pixels16(5, 10, 20).write();
    DecodedImage d = DicomReader.decode(file);
    assertEquals("R", d.header().laterality());
    assertEquals(2, d.attributes().rescaleSlope());
    assertValues(new double[] {0.25, 0.5, 1.0}, PixelPipeline.render(d, 0, RenderOptions.defaults()));
  }

  @Test
  void modalityLutSequenceReplacesRescale() throws Exception {
    // Modality LUT 0..3 -> 1000, 1100, 1200, 1300 (rescale slope 5 must be ignored)
    // LINEAR_EXACT c=1150 w=300: (x-1150)/300 + 0.5 -> 0, 1/3, 2/3, 1
    byte[] file = TestDicom.image(1, 4, 16, 16, 0, "MONOCHROME2")
        .sequence(Tags.MODALITY_LUT_SEQUENCE, TestDicom.lutItem(0, 16, 1000, 1100, 1200, 1300))
        .set(Tags.RESCALE_SLOPE, "5").set(Tags.RESCALE_INTERCEPT, "0")
        .set(Tags.WINDOW_CENTER, "1150").set(Tags.WINDOW_WIDTH, "300").set(Tags.VOI_LUT_FUNCTION, "LINEAR_EXACT")
        .pixels16(0, 1, 2, 3).write();
    assertValues(new double[] {0, 1.0 / 3, 2.0 / 3, 1}, render(file));
  }

  @Test
  void paddingIsBlackAndExcludedFromAutoWindowing() throws Exception {
    // stored 3000, 0, 50, 100, 2990 ; padding range [2990, 3000] given in either order
    // auto window over the non-padding values 0..100 -> x/100 ; padding -> 0 (it would be 1 otherwise)
    for (String[] valueAndLimit : new String[][] {{"3000", "2990"}, {"2990", "3000"}}) {
      byte[] file = TestDicom.image(1, 5, 16, 16, 0, "MONOCHROME2")
          .set(Tags.PIXEL_PADDING_VALUE, valueAndLimit[0]).set(Tags.PIXEL_PADDING_RANGE_LIMIT, valueAndLimit[1])
          .pixels16(3000, 0, 50, 100, 2990).write();
      assertValues(new double[] {0, 0, 0.5, 1, 0}, render(file));
    }
  }

  @Test
  void signedPaddingOnMonochrome1IsBlackNotInverted() throws Exception {
    // signed stored -2000, 0, 50, 100, -1990 ; padding [-2000, -1990] (implicit VR, so read back as US)
    // auto window 0..100 -> x/100, inverted: 1, 0.5, 0 ; padding stays 0 (inverted it would be 1)
    byte[] file = TestDicom.image(1, 5, 16, 16, 1, "MONOCHROME1")
        .set(Tags.PIXEL_PADDING_VALUE, "-2000").set(Tags.PIXEL_PADDING_RANGE_LIMIT, "-1990")
        .pixels16(-2000, 0, 50, 100, -1990).write(TestDicom.IMPLICIT_LE);
    assertValues(new double[] {0, 1, 0.5, 0, 0}, render(file));
  }

  @Test
  void paddingInsideTheWindowIsStillBlack() throws Exception {
    // LINEAR_EXACT c=50 w=100: 0 -> 0 ; 50 is padding -> 0 (0.5 otherwise) ; 100 -> 1
    byte[] file = TestDicom.image(1, 3, 16, 16, 0, "MONOCHROME2")
        .set(Tags.WINDOW_CENTER, "50").set(Tags.WINDOW_WIDTH, "100").set(Tags.VOI_LUT_FUNCTION, "LINEAR_EXACT")
        .set(Tags.PIXEL_PADDING_VALUE, "50").pixels16(0, 50, 100).write();
    assertValues(new double[] {0, 0, 1}, render(file));
  }

  @Test
  void framesAreRenderedIndependently() throws Exception {
    // frame 0: 0, 100 ; frame 1: 300, 200 ; each auto-windowed over its own min/max
    byte[] file = TestDicom.image(1, 2, 16, 16, 0, "MONOCHROME2").set(Tags.NUMBER_OF_FRAMES, "2")
        .pixels16(0, 100, 300, 200).write();
    assertValues(new double[] {0, 1}, render(file, 0, RenderOptions.defaults()));
    assertValues(new double[] {1, 0}, render(file, 1, RenderOptions.defaults()));
    assertThrows(IllegalArgumentException.class, () -> render(file, 2, RenderOptions.defaults()));
  }

  @Test
  void rightLateralityIsMirroredOnlyWhenAsked() throws Exception {
    // 2x3 ramp 0..50..100 per row, auto window -> 0, 0.5, 1
    TestDicom d = TestDicom.image(2, 3, 16, 16, 0, "MONOCHROME2").pixels16(0, 50, 100, 0, 50, 100);
    double[] asStored = {0, 0.5, 1, 0, 0.5, 1};
    double[] mirrored = {1, 0.5, 0, 1, 0.5, 0};
    RenderOptions flip = RenderOptions.defaults().withFlipByLaterality(true);
    assertValues(mirrored, render(d.set(Tags.IMAGE_LATERALITY, "R").write(), 0, flip));
    assertValues(asStored, render(d.write(), 0, RenderOptions.defaults()));
    assertValues(asStored, render(d.set(Tags.IMAGE_LATERALITY, "L").write(), 0, flip));
    assertValues(asStored, render(d.remove(Tags.IMAGE_LATERALITY).write(), 0, flip));
  }

  @Test
  void colourBecomesLuminance() throws Exception {
    // Y = (0.299 R + 0.587 G + 0.114 B) / 255
    // (255,0,0) -> 0.299 ; (0,255,0) -> 0.587 ; (10,20,30) -> (2.99 + 11.74 + 3.42) / 255 = 18.15 / 255
    byte[] rgb = TestDicom.image(1, 3, 8, 8, 0, "RGB").pixels8(255, 0, 0, 0, 255, 0, 10, 20, 30).write();
    assertValues(new double[] {0.299, 0.587, 18.15 / 255}, render(rgb));
    // YBR_FULL_422: the Y samples are the luminance already: 100/255 and 110/255
    byte[] ybr = TestDicom.image(1, 2, 8, 8, 0, "YBR_FULL_422").pixels8(100, 110, 120, 130).write();
    assertValues(new double[] {100 / 255.0, 110 / 255.0}, render(ybr));
  }

  @Test
  void paletteColourBecomesLuminanceOfItsPaletteEntries() throws Exception {
    // index 1 -> (65535, 0, 0) -> 0.299 ; index 0 -> (0, 0, 65535) -> 0.114 (16-bit palette)
    byte[] file = TestDicom.image(1, 2, 8, 8, 0, "PALETTE COLOR")
        .set(Tags.RED_PALETTE_DESCRIPTOR, "2", "0", "16")
        .set(Tags.GREEN_PALETTE_DESCRIPTOR, "2", "0", "16")
        .set(Tags.BLUE_PALETTE_DESCRIPTOR, "2", "0", "16")
        .words(Tags.RED_PALETTE_DATA, 0, 65535)
        .words(Tags.GREEN_PALETTE_DATA, 0, 0)
        .words(Tags.BLUE_PALETTE_DATA, 65535, 0)
        .pixels8(1, 0).write();
    assertValues(new double[] {0.299, 0.114}, render(file));
  }

  @Test
  void wideStoredRangesAreMappedPixelByPixel() throws Exception {
    // 32-bit unsigned 0, 2000000, 4000000 (range above the LUT limit), auto window -> 0, 0.5, 1
    // little-endian word pairs: 2000000 = 0x001E8480, 4000000 = 0x003D0900
    byte[] file = TestDicom.image(1, 3, 32, 32, 0, "MONOCHROME2")
        .pixels16(0, 0, 0x8480, 0x001E, 0x0900, 0x003D).write();
    DecodedImage d = DicomReader.decode(file);
    assertArrayEquals(new int[] {0, 2_000_000, 4_000_000}, d.stored());
    assertValues(new double[] {0, 0.5, 1}, PixelPipeline.render(d, 0, RenderOptions.defaults()));
  }

  @Test
  void constantImageWithoutWindowIsBlack() throws Exception {
    assertValues(new double[] {0, 0}, render(TestDicom.image(1, 2, 16, 16, 0, "MONOCHROME2").pixels16(7, 7).write()));
  }
}
