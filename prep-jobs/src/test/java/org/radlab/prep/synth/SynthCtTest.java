package org.radlab.prep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radlab.core.testing.DicomTools;
import picocli.CommandLine;

/**
 * {@code synth --modality CT}: CT slices dcmtk reads as CT with the geometry slices.csv states, Hounsfield units that
 * dcmtk's decoded pixels show inside the liver, and masks whose volume (counted here, with dcmtk's spacing) is the
 * phantom's, worked out here from the radii in phantom.csv: 4/3 π a b c.
 */
class SynthCtTest {
  @TempDir Path tmp;

  @Test
  void ctSeriesWithMasksOfAKnownVolume() throws Exception {
    Path out = tmp.resolve("ct");
    assertEquals(0, new CommandLine(new SynthCommand()).execute("--modality", "CT", "--out", out.toString(),
        "--studies", "2", "--slices", "24", "--rows", "128", "--seed", "4"));
    List<String> slices = Files.readAllLines(out.resolve("slices.csv"));
    assertEquals("image,series,position,row_spacing,column_spacing,slice_spacing", slices.get(0));
    assertEquals(48, slices.size() - 1);

    // dcmtk: CT Image Storage, HU rescale, the stated spacing and position
    Path first = out.resolve("ct0000").resolve("0000.dcm");
    Path second = out.resolve("ct0000").resolve("0001.dcm");
    Map<String, String> tags = DicomTools.dcmdumpByKeyword(first);
    assertEquals("1.2.840.10008.5.1.4.1.1.2", tags.get("SOPClassUID"));
    assertEquals("CT", tags.get("Modality"));
    assertEquals("-1024", tags.get("RescaleIntercept"));
    String[] row = slices.get(1).split(",");
    assertEquals(tags.get("SOPInstanceUID"), row[0]);
    assertEquals(Double.parseDouble(row[3]), Double.parseDouble(tags.get("PixelSpacing").split("\\\\")[0]), 1e-9);
    double z0 = Double.parseDouble(tags.get("ImagePositionPatient").split("\\\\")[2]);
    double z1 = Double.parseDouble(DicomTools.dcmdumpByKeyword(second).get("ImagePositionPatient").split("\\\\")[2]);
    assertEquals(Double.parseDouble(tags.get("SpacingBetweenSlices")), z1 - z0, 1e-6);
    assertEquals(Double.parseDouble(row[2]), z0, 1e-4);

    // volumes: the masks' voxels times dcmtk's voxel size against the ellipsoids of phantom.csv
    Map<String, double[]> radii = new HashMap<>();
    for (String line : Files.readAllLines(out.resolve("phantom.csv")).subList(1, 5)) {
      String[] f = line.split(",");
      radii.put(f[0] + "/" + f[1], new double[] {Double.parseDouble(f[5]), Double.parseDouble(f[6]),
          Double.parseDouble(f[7])});
    }
    for (String series : List.of("ct0000", "ct0001")) {
      Path any = out.resolve(series).resolve("0000.dcm");
      Map<String, String> t = DicomTools.dcmdumpByKeyword(any);
      double voxel = Double.parseDouble(t.get("PixelSpacing").split("\\\\")[0])
          * Double.parseDouble(t.get("PixelSpacing").split("\\\\")[1])
          * Double.parseDouble(t.get("SpacingBetweenSlices")) / 1000;
      long[] voxels = new long[3];
      int k = -1;
      int[] fullest = null;
      long most = 0;
      for (String line : slices.subList(1, slices.size())) {
        String[] f = line.split(",");
        if (!f[1].equals(series)) {
          continue;
        }
        k++;
        BufferedImage mask = ImageIO.read(out.resolve("_masks").resolve(f[0] + ".png").toFile());
        int[] labels = mask.getRaster().getPixels(0, 0, mask.getWidth(), mask.getHeight(), (int[]) null);
        long liverHere = 0;
        for (int v : labels) {
          voxels[v]++;
          liverHere += v == 1 ? 1 : 0;
        }
        if (liverHere > most) {
          most = liverHere;
          fullest = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(k),
              java.util.Arrays.stream(labels)).toArray();
        }
      }
      // the slice with the most liver, decoded by dcmtk: its liver pixels' mean in HU (stored - 1024)
      byte[] raw = DicomTools.dcmtkPixels(out.resolve(series).resolve(String.format("%04d.dcm", fullest[0])),
          tmp.resolve("raw-" + series));
      long huSum = 0;
      long huCount = 0;
      for (int i = 1; i < fullest.length; i++) {
        if (fullest[i] == 1) {
          int j = i - 1;
          huSum += ((raw[2 * j] & 0xff) | (raw[2 * j + 1] & 0xff) << 8) - 1024;
          huCount++;
        }
      }
      double[] l = radii.get(series + "/liver");
      double[] s = radii.get(series + "/lesion");
      double lesion = 4.0 / 3 * Math.PI * s[0] * s[1] * s[2] / 1000;
      double liver = 4.0 / 3 * Math.PI * l[0] * l[1] * l[2] / 1000 - lesion;
      assertEquals(liver, voxels[1] * voxel, 0.03 * liver, series + " liver volume (mL)");
      assertEquals(lesion, voxels[2] * voxel, 0.25 * lesion, series + " lesion volume (mL), a few voxels across");
      assertTrue(huCount > 0, "a slice through the liver");
      assertEquals(60, (double) huSum / huCount, 3, series + ": the liver's mean HU in dcmtk's pixels");
    }
    List<String> volumes = Files.readAllLines(out.resolve("volumes.csv"));
    assertEquals("series,class,true_ml,mask_ml", volumes.get(0));
    assertEquals(5, volumes.size());
  }

  @Test
  void mammogramOptionsAreRefusedForCt() {
    CommandLine cl = new CommandLine(new SynthCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setErr(new java.io.PrintWriter(err, true));
    assertEquals(2, cl.execute("--modality", "CT", "--out", tmp.resolve("x").toString(), "--lesions"));
    assertTrue(err.toString().contains("are for mammograms"), err.toString());
    assertEquals(2, cl.execute("--modality", "US", "--out", tmp.resolve("y").toString()));
    assertTrue(err.toString().contains("MG or CT"), err.toString());
  }
}
