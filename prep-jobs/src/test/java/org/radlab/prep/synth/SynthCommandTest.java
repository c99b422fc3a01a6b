package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;
import picocli.CommandLine;

class SynthCommandTest {
  @TempDir Path tmp;

  /** What one command-line run printed and returned. */
  record Run(int exitCode, String out, String err) {}

  static Run synth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SynthCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int rc = cli.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  @Test
  void helpDescribesEveryOption() {
    Run run = synth("--help");
    assertEquals(0, run.exitCode());
    for (String option : List.of("--out", "--studies", "--seed", "--full-size", "--rows", "--columns",
        "--compressed-share", "--transfer-syntax", "explicit-le", "implicit-le", "jpeg-lossless", "rle",
        "deflate")) {
      assertTrue(run.out().contains(option), option + " missing from help:\n" + run.out());
    }
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    Run run = synth("--out", tmp.resolve("x").toString(), "--bogus");
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("Unknown option") && run.err().contains("--bogus"), run.err());
    assertFalse(Files.exists(tmp.resolve("x")), "nothing is written after a usage error");
  }

  @Test
  void theOutputDirectoryIsRequired() {
    Run run = synth("--studies", "2");
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("--out"), run.err());
  }

  @Test
  void anUnknownTransferSyntaxNamesTheValidOnes() {
    Run run = synth("--out", tmp.resolve("x").toString(), "--transfer-syntax", "jpeg2001");
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("jpeg2001") && run.err().contains("jpeg-lossless"), run.err());
  }

  @Test
  void anOutOfRangeValueIsAUsageErrorThatNamesIt() {
    Run zero = synth("--out", tmp.resolve("x").toString(), "--studies", "0");
    assertNotEquals(0, zero.exitCode());
    assertTrue(zero.err().contains("studies"), zero.err());
    Run share = synth("--out", tmp.resolve("x").toString(), "--compressed-share", "2");
    assertNotEquals(0, share.exitCode());
    assertTrue(share.err().contains("compressed share"), share.err());
    assertFalse(Files.exists(tmp.resolve("x")));
  }

  @Test
  void writesForcedSyntaxAndSizeAndPrintsASummary() throws Exception {
    Path out = tmp.resolve("rle");
    Run run = synth("--out", out.toString(), "--studies", "2", "--seed", "3", "--rows", "200", "--columns", "160",
        "--transfer-syntax", "rle");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("2 studies") && run.out().contains("8 images"), run.out());
    List<Path> files = DicomTools.dicomFiles(out);
    assertEquals(8, files.size());
    for (Path f : files) {
      Map<String, String> tags = DicomTools.dcmdumpByKeyword(f);
      assertEquals("1.2.840.10008.1.2.5", tags.get("TransferSyntaxUID"), f.toString());
      assertEquals("200", tags.get("Rows"));
      assertEquals("160", tags.get("Columns"));
    }
    assertTrue(Files.isRegularFile(out.resolve("labels.csv")));
  }

  @Test
  void fullSizeImagesAreAtLeast2000PixelsEachWay() throws Exception {
    Path out = tmp.resolve("full");
    Run run = synth("--out", out.toString(), "--studies", "1", "--full-size", "--transfer-syntax", "explicit-le");
    assertEquals(0, run.exitCode(), run.err());
    List<Path> files = DicomTools.dicomFiles(out);
    assertEquals(4, files.size());
    Map<String, String> tags = DicomTools.dcmdumpByKeyword(files.get(0));
    assertTrue(Integer.parseInt(tags.get("Rows")) >= 2000, tags.get("Rows"));
    assertTrue(Integer.parseInt(tags.get("Columns")) >= 2000, tags.get("Columns"));
    long expectedPixelBytes = 2L * Integer.parseInt(tags.get("Rows")) * Integer.parseInt(tags.get("Columns"));
    assertTrue(Files.size(files.get(0)) > expectedPixelBytes, "uncompressed 16-bit pixel data");
  }

  @Test
  void refusesADirectoryItDidNotWrite() throws Exception {
    Path out = tmp.resolve("foreign");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "keep me");
    Run run = synth("--out", out.toString(), "--studies", "1", "--overwrite");
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("not empty"), run.err());
    assertEquals("keep me", Files.readString(out.resolve("notes.txt")));
    assertEquals(List.of(Path.of("notes.txt")), DicomTools.relativeFiles(out));
  }

  @Test
  void replacesAnEarlierOutputOnlyWithOverwrite() throws Exception {
    Path out = tmp.resolve("again");
    assertEquals(0, synth("--out", out.toString(), "--studies", "2", "--seed", "1").exitCode());
    String firstLabels = Files.readString(out.resolve("labels.csv"));

    Run refused = synth("--out", out.toString(), "--studies", "2", "--seed", "2");
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().contains("--overwrite"), refused.err());
    assertEquals(firstLabels, Files.readString(out.resolve("labels.csv")), "left alone");

    Path stray = DicomTools.dicomFiles(out).get(0).resolveSibling("stray.dcm");
    Files.writeString(stray, "left over");
    Run replaced = synth("--out", out.toString(), "--studies", "2", "--seed", "2", "--overwrite");
    assertEquals(0, replaced.exitCode(), replaced.err());
    assertFalse(Files.exists(stray), "the earlier output is cleared first");
    assertNotEquals(firstLabels, Files.readString(out.resolve("labels.csv")));
    assertEquals(8, DicomTools.dicomFiles(out).size());
  }

  @Test
  void anInterruptedEarlierRunIsReplacedWithoutAsking() throws Exception {
    Path out = tmp.resolve("interrupted");
    assertEquals(0, synth("--out", out.toString(), "--studies", "2", "--seed", "4").exitCode());
    // labels.csv is written last: without it the earlier run did not finish.
    Files.delete(out.resolve("labels.csv"));
    Run run = synth("--out", out.toString(), "--studies", "1", "--seed", "4");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(4, DicomTools.dicomFiles(out).size(), "only the new run's files remain");
  }
}
