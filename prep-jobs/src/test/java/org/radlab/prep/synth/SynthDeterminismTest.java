package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;

class SynthDeterminismTest {
  private static final int STUDIES = 8;

  @TempDir Path tmp;

  @Test
  void theSameSeedGivesByteIdenticalFilesWhateverTheThreadCount() throws Exception {
    Path one = tmp.resolve("one-thread");
    Path three = tmp.resolve("three-threads");
    SyntheticMammography.generate(SynthConfig.small(one, STUDIES, 42).withThreads(1));
    SyntheticMammography.generate(SynthConfig.small(three, STUDIES, 42).withThreads(3));
    List<Path> files = DicomTools.relativeFiles(one);
    assertEquals(files, DicomTools.relativeFiles(three));
    assertTrue(files.stream().filter(p -> p.toString().endsWith(".dcm")).count() == 4 * STUDIES);
    for (Path f : files) {
      assertArrayEquals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(three.resolve(f)), f.toString());
    }
  }

  @Test
  void aDifferentSeedGivesDifferentStudies() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    SyntheticMammography.generate(SynthConfig.small(a, STUDIES, 42));
    SyntheticMammography.generate(SynthConfig.small(b, STUDIES, 43));
    assertNotEquals(Files.readString(a.resolve("labels.csv")), Files.readString(b.resolve("labels.csv")));
    Set<String> uidsA = sopInstanceUids(a);
    Set<String> uidsB = sopInstanceUids(b);
    assertEquals(4 * STUDIES, uidsA.size());
    assertTrue(uidsA.stream().noneMatch(uidsB::contains), "no SOP Instance UID is shared between seeds");
    byte[] pixelsA = DicomTools.dcmtkPixels(DicomTools.dicomFiles(a).get(0), tmp.resolve("wa"));
    byte[] pixelsB = DicomTools.dcmtkPixels(DicomTools.dicomFiles(b).get(0), tmp.resolve("wb"));
    assertTrue(!Arrays.equals(pixelsA, pixelsB), "different images");
  }

  private static Set<String> sopInstanceUids(Path dir) throws Exception {
    Set<String> uids = new HashSet<>();
    for (Path f : DicomTools.dicomFiles(dir)) {
      uids.add(DicomTools.dcmdumpByKeyword(f).get("SOPInstanceUID"));
    }
    return uids;
  }
}
