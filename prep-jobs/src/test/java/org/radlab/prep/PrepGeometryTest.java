package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.deid.Pseudonymizer;
import org.radlab.core.deid.SiteSecret;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;
import org.radlab.prep.synth.SynthCommand;
import picocli.CommandLine;

/**
 * Prep keeps what volumes need: each prepared CT slice's series, pixel spacing, slice spacing and position along the
 * slice normal in images.csv, as dcmdump reads them from the slice's file (axial slices: the normal is z, so the
 * position is Image Position (Patient)'s z); a mammogram keeps its imager pixel spacing and has no position.
 */
class PrepGeometryTest {
  @TempDir Path tmp;

  @Test
  void ctSlicesKeepTheirSpacingAndPosition() throws Exception {
    Path input = tmp.resolve("in");
    Path ct = input.resolve("ct");
    Path mg = input.resolve("mg");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", ct.toString(),
        "--studies", "1", "--slices", "10", "--rows", "64", "--seed", "2"));
    CommandLine synth = new CommandLine(new SynthCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    synth.setErr(new java.io.PrintWriter(err, true));
    assertEquals(0, synth.execute("--out", mg.toString(), "--studies", "1", "--rows", "96", "--columns", "80",
        "--seed", "2", "--transfer-syntax", "explicit-le"), err.toString());
    Path dataset = tmp.resolve("dataset");
    Path secret = tmp.resolve("secret");
    // the module's shared session: stopping a session of one's own would stop it too (getOrCreate returns it)
    PrepJob.run(TestTools.spark(), PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(64, 32)
        .withSecretFile(secret.toString()));
    Map<String, ImageList.Entry> catalog = new HashMap<>();
    ImageList.read(dataset.resolve(ImageList.FILE)).forEach(e -> catalog.put(e.imageId(), e));
    Pseudonymizer pseudonyms = new Pseudonymizer(SiteSecret.load(secret));
    List<Path> files = DicomTools.dicomFiles(input);
    assertEquals(14, files.size(), "ten CT slices and four mammograms");
    assertEquals(14, catalog.size());
    for (Path file : files) {
      Map<String, String> tags = DicomTools.dcmdumpByKeyword(file);
      ImageList.Entry e = catalog.get(pseudonyms.imageId(tags.get("SOPInstanceUID"), 0));
      assertNotNull(e, file.toString());
      if ("CT".equals(tags.get("Modality"))) {
        String[] spacing = tags.get("PixelSpacing").split("\\\\");
        assertEquals(Double.parseDouble(spacing[0]), e.rowSpacing(), 1e-9, file.toString());
        assertEquals(Double.parseDouble(spacing[1]), e.columnSpacing(), 1e-9);
        assertEquals(Double.parseDouble(tags.get("SpacingBetweenSlices")), e.sliceSpacing(), 1e-9);
        assertEquals(Double.parseDouble(tags.get("ImagePositionPatient").split("\\\\")[2]), e.slicePosition(), 1e-9);
        assertEquals(pseudonyms.uid(tags.get("SeriesInstanceUID")), e.seriesUid());
      } else {
        assertEquals(Double.parseDouble(tags.get("ImagerPixelSpacing").split("\\\\")[0]), e.rowSpacing(), 1e-9);
        assertEquals(null, e.slicePosition(), "a mammogram has no position");
      }
    }
  }
}
