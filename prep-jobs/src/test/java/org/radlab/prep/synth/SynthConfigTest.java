package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SynthConfigTest {
  private static final Path OUT = Path.of("synth-out");

  @Test
  void smallPresetIsAroundTheDemoSizeAndFullSizeIsAtLeast2000Square() {
    SynthConfig small = SynthConfig.small(OUT, 20, 1);
    assertTrue(small.rows() >= 200 && small.rows() <= 400, "rows " + small.rows());
    assertTrue(small.columns() >= 200 && small.columns() <= 400, "columns " + small.columns());
    SynthConfig full = SynthConfig.fullSize(OUT, 20, 1);
    assertTrue(full.rows() >= 2000 && full.columns() >= 2000, full.rows() + "x" + full.columns());
    assertEquals(0.25, small.compressedShare(), 0.05, "about a quarter compressed by default");
    assertTrue(small.forcedTransferSyntax().isEmpty(), "mixed syntaxes by default");
  }

  @Test
  void acceptsTheBoundaryValues() {
    var cfg = new SynthConfig(OUT, 1, -5, 64, 6000, 0.0, SynthTransferSyntax.RLE, 0, false, false, null);
    assertEquals(1, cfg.studies());
    assertEquals(64, cfg.rows());
    assertEquals(6000, cfg.columns());
    assertEquals(SynthTransferSyntax.RLE, cfg.forcedTransferSyntax().orElseThrow());
    assertEquals(1.0, cfg.withCompressedShare(1.0).compressedShare());
    assertEquals(1, cfg.effectiveThreads(), "never more threads than studies");
    assertEquals(3, SynthConfig.small(OUT, 10, 1).withThreads(3).effectiveThreads());
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("output directory", (Supplier<SynthConfig>) () -> SynthConfig.small(null, 5, 1)),
        Arguments.of("studies", (Supplier<SynthConfig>) () -> SynthConfig.small(OUT, 0, 1)),
        Arguments.of("studies", (Supplier<SynthConfig>) () -> SynthConfig.small(OUT, 100_001, 1)),
        Arguments.of("rows", (Supplier<SynthConfig>) () -> SynthConfig.small(OUT, 5, 1).withSize(10, 256)),
        Arguments.of("columns", (Supplier<SynthConfig>) () -> SynthConfig.small(OUT, 5, 1).withSize(320, 7000)),
        Arguments.of("compressed share", (Supplier<SynthConfig>) () ->
            SynthConfig.small(OUT, 5, 1).withCompressedShare(-0.1)),
        Arguments.of("compressed share", (Supplier<SynthConfig>) () ->
            SynthConfig.small(OUT, 5, 1).withCompressedShare(1.5)),
        Arguments.of("compressed share", (Supplier<SynthConfig>) () ->
            SynthConfig.small(OUT, 5, 1).withCompressedShare(Double.NaN)),
        Arguments.of("threads", (Supplier<SynthConfig>) () -> SynthConfig.small(OUT, 5, 1).withThreads(-1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void rejectsABadValueWithAMessageNamingIt(String field, Supplier<SynthConfig> build) {
    var e = assertThrows(IllegalArgumentException.class, build::get);
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  /** UIDs from DICOM PS3.6 Annex A. */
  @ParameterizedTest
  @CsvSource({
      "explicit-le, 1.2.840.10008.1.2.1",
      "implicit-le, 1.2.840.10008.1.2",
      "deflate, 1.2.840.10008.1.2.1.99",
      "jpeg-lossless, 1.2.840.10008.1.2.4.70",
      "JPEG-LOSSLESS, 1.2.840.10008.1.2.4.70",
      "rle, 1.2.840.10008.1.2.5"})
  void transferSyntaxNamesMapToTheirStandardUids(String name, String uid) {
    assertEquals(uid, SynthTransferSyntax.fromOptionName(name).uid());
  }

  @Test
  void anUnknownTransferSyntaxNameListsTheValidOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> SynthTransferSyntax.fromOptionName("jpeg2001"));
    assertTrue(e.getMessage().contains("jpeg2001"), e.getMessage());
    assertTrue(e.getMessage().contains("explicit-le") && e.getMessage().contains("rle"), e.getMessage());
  }
}
