package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.jobs.PrepJobConfig;

/**
 * A dataset prepared before {@code images.csv} had its {@code mirrored} and geometry columns, grown by a later run:
 * the catalog holds both runs' images, the old ones with the columns empty (read as null), the new ones with them
 * filled in.
 */
class CatalogUpgradeTest {
  @TempDir Path tmp;

  @Test
  void anOlderRunsCatalogLinesGetTheNewColumnEmpty() throws Exception {
    Path input = tmp.resolve("in");
    TestTools.synth(input.resolve("first"), 2, 5);
    Path dataset = tmp.resolve("ds");
    PrepJobConfig cfg = PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(64, 32)
        .withSecretFile(tmp.resolve("secret").toString());
    PrepJob.run(TestTools.spark(), cfg);
    // make run 1 look as an earlier version wrote it: its catalog part without the last five columns (mirrored and
    // the geometry)
    Path part = dataset.resolve("private/runs/1.catalog.csv");
    List<String> old = Files.readAllLines(part).stream().map(l -> {
      String cut = l;
      for (int i = 0; i < 5; i++) {
        cut = cut.substring(0, cut.lastIndexOf(','));
      }
      return cut;
    }).toList();
    Files.write(part, old);
    Files.deleteIfExists(part.resolveSibling(".1.catalog.csv.crc")); // Hadoop's checksum of the old content
    Files.delete(part.resolveSibling("catalog.runs"));  // nor did it record which runs images.csv holds

    TestTools.synth(input.resolve("second"), 1, 6);
    PrepJob.run(TestTools.spark(), cfg);
    List<ImageList.Entry> images = ImageList.read(dataset.resolve(ImageList.FILE));
    assertEquals(12, images.size());
    long unknown = images.stream().filter(e -> e.mirrored() == null).count();
    assertEquals(8, unknown, "the first run's eight images");
    for (ImageList.Entry e : images) {
      if (e.mirrored() != null) {
        assertEquals("R".equals(e.laterality()), e.mirrored(), e.imageId());
        assertEquals(true, e.rowSpacing() != null && e.rowSpacing() > 0, "the new run's spacing: " + e);
      } else {
        assertNull(e.rowSpacing());
      }
    }
  }
}
