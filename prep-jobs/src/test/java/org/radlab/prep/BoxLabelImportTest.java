package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.dataset.BoxTable;
import org.radlab.core.dataset.ImageList;
import org.radlab.core.jobs.PrepJobConfig;
import org.radlab.core.testing.DicomTools;

/**
 * {@code labels import --task detection} on synth's lesions: every box lands on its pseudonymous image, mirrored
 * when the image is a right breast (laterality read by dcmtk from the original file) and scaled from the original's
 * 256 x 320 to the 128 x 160 PNG, as worked out in the test; rows it cannot use are reported.
 */
class BoxLabelImportTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path input;
  static Path dataset;

  @BeforeAll
  static void prepare() throws Exception {
    spark = TestTools.spark();
    input = TestTools.synth(tmp.resolve("in"), 4, 11, "--lesions");
    dataset = tmp.resolve("ds");
    PrepJob.run(spark, PrepJobConfig.of(input.toString(), dataset.toString()).withSizes(160, 32)
        .withSecretFile(tmp.resolve("secret").toString()));
  }

  @Test
  void boxesFollowTheirImagesIntoThePreparedPng() throws Exception {
    Path truth = input.resolve("boxes.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(truth));
    BoxTable original = BoxTable.readReference(truth, "SOPInstanceUID");
    String someImage = original.boxes().get(0).image();
    lines.add("1.2.3.999,10,10,20,20,mass");                   // not in the dataset
    lines.add(someImage + ",10,10,20,20,architectural_distortion"); // not a class
    lines.add(someImage + ",300,10,320,20,mass");              // beyond the 256 columns
    Path csv = tmp.resolve("boxes-plus.csv");
    Files.write(csv, lines);

    var request = new BoxLabelImport.Request(dataset.toString(), null, csv, "SOPInstanceUID",
        List.of("mass", "calcification"), tmp.resolve("labels"), null);
    BoxLabelImport.Report report = BoxLabelImport.run(spark, request);
    assertEquals(16, report.images(), "every image listed, with or without boxes");
    assertEquals(original.boxes().size(), report.boxes());
    assertEquals(List.of("1.2.3.999"), report.unknownImages());
    assertEquals(Map.of("architectural_distortion", 1), report.unknownClasses());
    assertEquals(1, report.outside());
    assertFalse(report.alreadyExisted());

    // the expected boxes, worked out here: original SOP -> laterality (dcmdump) and pseudonymous image (id map)
    Map<String, String> imageOf = new HashMap<>();
    for (Row r : spark.read().parquet(dataset.resolve("private/id-map.parquet").toString())
        .select("orig_sop_uid", "image_id", "source_path").collectAsList()) {
      imageOf.put(r.getString(0), r.getString(1));
      String laterality = DicomTools.dcmdumpValue(Path.of(r.getString(2).replace("file:", "")), "ImageLaterality");
      imageOf.put(r.getString(1) + "/right", String.valueOf(laterality.contains("R")));
    }
    List<BoxTable.Box> expected = new ArrayList<>();
    for (BoxTable.Box b : original.boxes()) {
      String id = imageOf.get(b.image());
      boolean right = Boolean.parseBoolean(imageOf.get(id + "/right"));
      double x0 = right ? 256 - b.xMax() : b.xMin();
      double x1 = right ? 256 - b.xMin() : b.xMax();
      expected.add(new BoxTable.Box(id, b.label(), x0 / 2, b.yMin() / 2, x1 / 2, b.yMax() / 2, Double.NaN));
    }
    BoxTable snapshot = BoxTable.readReference(report.snapshot(), BoxTable.IMAGE);
    assertEquals(16, snapshot.images().size());
    assertTrue(snapshot.images().stream().noneMatch(imageOf::containsKey), "pseudonymous ids only");
    assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(snapshot.boxes()));
    assertTrue(expected.stream().anyMatch(b -> Boolean.parseBoolean(imageOf.get(b.image() + "/right"))),
        "some boxes are on right breasts, so mirroring is tested");

    // the catalog says which images prep mirrored: the right breasts
    for (ImageList.Entry e : ImageList.read(dataset.resolve(ImageList.FILE))) {
      assertEquals(Boolean.parseBoolean(imageOf.get(e.imageId() + "/right")), e.mirrored(), e.imageId());
      assertEquals(128, e.pngWidth());
      assertEquals(160, e.pngHeight());
    }
    // the same import again: the same snapshot, untouched
    assertTrue(BoxLabelImport.run(spark, request).alreadyExisted());
  }
}
