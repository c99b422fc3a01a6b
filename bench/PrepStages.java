import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.radlab.core.dicom.DecodedImage;
import org.radlab.core.dicom.DicomReader;
import org.radlab.core.dicom.GrayImage;
import org.radlab.core.dicom.ImageResize;
import org.radlab.core.dicom.PixelPipeline;
import org.radlab.core.dicom.PngCodec;
import org.radlab.core.dicom.RenderOptions;

/**
 * Times the per-image steps of the prep job's conversion (the work FileConverter does in a Spark task) in one
 * plain JVM, without Spark: read the file, decode, window/render, shrink for the PNG, encode the PNG, write it,
 * and make the 256x256 tensor with its statistics. The first pass warms the JIT up; the later passes are reported.
 *
 * <p>Run through {@code bench/prep stages SET} (it puts RadLab's runtime classpath on {@code -cp}), or directly:
 * {@code java -cp "cli/target/lib/*" bench/PrepStages.java DIR [PNG_LONG_EDGE [PASSES]]}.
 */
public final class PrepStages {
  private static final String[] STEPS = {"read file", "decode", "render (LUT, VOI, flip)", "resize for PNG",
      "PNG encode", "PNG write", "tensor 256 + stats"};

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: PrepStages DIR [PNG_LONG_EDGE (1024)] [PASSES (3, the first is warm-up)]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int edge = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
    Path out = Files.createTempDirectory("prep-stages");
    double[] best = null;
    System.out.printf("%d files, PNG long edge %d, %d passes (first is warm-up), %d processor(s) visible%n",
        files.size(), edge, passes, Runtime.getRuntime().availableProcessors());
    for (int pass = 0; pass < passes; pass++) {
      long[] ns = new long[STEPS.length];
      long start = System.nanoTime();
      int n = 0;
      for (Path f : files) {
        long t0 = System.nanoTime();
        byte[] bytes = Files.readAllBytes(f);
        long t1 = System.nanoTime();
        DecodedImage image;
        try {
          image = DicomReader.decode(bytes);
        } catch (Exception e) {
          throw new IllegalStateException(f + ": " + e, e);
        }
        long t2 = System.nanoTime();
        GrayImage rendered = PixelPipeline.render(image, 0,
            new RenderOptions(0, "MG".equalsIgnoreCase(image.header().modality())));
        long t3 = System.nanoTime();
        GrayImage png = Math.max(rendered.width(), rendered.height()) > edge
            ? ImageResize.fitLongEdge(rendered, edge) : rendered;
        long t4 = System.nanoTime();
        byte[] encoded = PngCodec.encode8bit(png);
        long t5 = System.nanoTime();
        Files.write(out.resolve(n + ".png"), encoded);
        long t6 = System.nanoTime();
        GrayImage tensor = ImageResize.squarePadded(rendered, 256);
        double sum = 0;
        double sumSq = 0;
        for (float v : tensor.data()) {
          sum += v;
          sumSq += (double) v * v;
        }
        long t7 = System.nanoTime();
        if (sum < 0 || sumSq < 0) {
          throw new IllegalStateException("impossible");
        }
        long[] t = {t0, t1, t2, t3, t4, t5, t6, t7};
        for (int i = 0; i < STEPS.length; i++) {
          ns[i] += t[i + 1] - t[i];
        }
        n++;
      }
      double total = (System.nanoTime() - start) / 1e6 / n;
      StringBuilder line = new StringBuilder(String.format("pass %d%s: %.1f ms/image (%.2f images/s):", pass + 1,
          pass == 0 ? " (warm-up)" : "", total, 1000 / total));
      double[] perImage = new double[STEPS.length + 1];
      for (int i = 0; i < STEPS.length; i++) {
        perImage[i] = ns[i] / 1e6 / n;
        line.append(String.format(" %s %.1f;", STEPS[i], perImage[i]));
      }
      perImage[STEPS.length] = total;
      System.out.println(line);
      if (pass > 0 && (best == null || total < best[STEPS.length])) {
        best = perImage;
      }
    }
    if (best != null) {
      System.out.println();
      System.out.println("| step (best pass after warm-up) | ms per image | share |");
      System.out.println("|---|---|---|");
      for (int i = 0; i < STEPS.length; i++) {
        System.out.printf("| %s | %.1f | %.0f%% |%n", STEPS[i], best[i], 100 * best[i] / best[STEPS.length]);
      }
      System.out.printf("| total | %.1f | %.2f images/s |%n", best[STEPS.length], 1000 / best[STEPS.length]);
    }
    try (Stream<Path> s = Files.list(out)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(out);
  }
}
