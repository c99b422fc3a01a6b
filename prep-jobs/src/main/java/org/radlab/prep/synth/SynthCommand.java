package org.radlab.prep.synth;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code radlab synth}: writes synthetic screening mammograms; the work is in {@link SyntheticMammography}. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Write synthetic screening mammograms as DICOM files (four views per study, BI-RADS density "
        + "A-D) with their labels in OUT/labels.csv, for demos, tests and benchmarks.",
        "The same seed and size give byte-identical files. Lossless JPEG, RLE and JPEG-LS files are compressed "
        + "with dcmtk (Debian package dcmtk)."},
    footer = {"", "Examples:", "  radlab synth --out data/synth --studies 20 --seed 1",
        "  radlab synth --out data/bench --studies 10 --full-size \\", "      --transfer-syntax jpeg-lossless"})
public final class SynthCommand implements Callable<Integer> {
  /** Show progress when a run writes at least this many pixels. */
  private static final long PROGRESS_PIXELS = 40_000_000L;

  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output directory; created if missing. It must be empty or an earlier synth output.")
  Path out;

  @Option(names = "--studies", defaultValue = "" + SynthConfig.DEFAULT_STUDIES, paramLabel = "N",
      description = "Number of studies, four images each (default: ${DEFAULT-VALUE}).")
  int studies;

  @Option(names = "--seed", defaultValue = "" + SynthConfig.DEFAULT_SEED, paramLabel = "S",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--full-size",
      description = "Benchmark-size images of " + SynthConfig.FULL_ROWS + "x" + SynthConfig.FULL_COLUMNS
          + " (rows x columns) instead of " + SynthConfig.SMALL_ROWS + "x" + SynthConfig.SMALL_COLUMNS + ".")
  boolean fullSize;

  @Option(names = "--rows", paramLabel = "PX", description = "Image height in pixels; overrides the size preset.")
  Integer rows;

  @Option(names = "--columns", paramLabel = "PX", description = "Image width in pixels; overrides the size preset.")
  Integer columns;

  @Option(names = "--compressed-share", defaultValue = "" + SynthConfig.DEFAULT_COMPRESSED_SHARE, paramLabel = "F",
      description = "Share of files written compressed (lossless JPEG, RLE or deflate) when no --transfer-syntax "
          + "is given (default: ${DEFAULT-VALUE}).")
  double compressedShare;

  @Option(names = "--transfer-syntax", paramLabel = "NAME", converter = TransferSyntaxConverter.class,
      completionCandidates = TransferSyntaxNames.class,
      description = "Write every file in this syntax instead of a mix: ${COMPLETION-CANDIDATES}. The pixels are "
          + "the same as in a mixed run with the same seed.")
  SynthTransferSyntax transferSyntax;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
      description = "Worker threads; 0 uses every processor (default: ${DEFAULT-VALUE}). Does not change the output.")
  int threads;

  @Option(names = "--overwrite", description = "Replace an earlier synth output in the output directory.")
  boolean overwrite;

  @Option(names = "--modality", defaultValue = "MG", paramLabel = "MG|CT",
      description = "MG: screening mammograms (the default). CT: abdominal CT series (--studies of them, --slices "
          + "each, --rows pixels a side, default 128) with an ellipsoidal liver and a spherical lesion whose volumes "
          + "are known: masks in _masks/, slices.csv (the geometry radlab metrics --task segmentation takes), "
          + "phantom.csv and volumes.csv.")
  String modality;

  @Option(names = "--slices", defaultValue = "40", paramLabel = "N",
      description = "CT: slices per series (default: ${DEFAULT-VALUE}).")
  int slices;

  @Option(names = "--description", paramLabel = "TEXT", description = "The mammography studies' StudyDescription "
      + "(default: " + SynthConfig.DEFAULT_DESCRIPTION + "), e.g. to tell sets apart in a PACS query.")
  String description;

  @Option(names = "--lesions",
      description = "Also draw masses and calcification clusters (none on about a third of the images, one to three "
          + "on the others) and write their ground truth: boxes.csv (SOPInstanceUID,x_min,y_min,x_max,y_max,label "
          + "in the stored image's pixels; an image without lesions has a row with empty box fields) and one PNG "
          + "mask per image in _masks/ (0 background, 1 mass, 2 calcification; prep skips folders starting with _).")
  boolean lesions;

  @Override
  public Integer call() {
    if ("CT".equalsIgnoreCase(modality)) {
      return ct();
    }
    if (!"MG".equalsIgnoreCase(modality)) {
      throw new ParameterException(spec.commandLine(), "--modality must be MG or CT, got '" + modality + "'");
    }
    SynthConfig cfg = config();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    boolean showProgress = (long) cfg.studies() * MammoView.values().length * cfg.rows() * cfg.columns()
        >= PROGRESS_PIXELS;
    int step = Math.max(1, cfg.studies() / 10);
    SyntheticMammography.Progress progress = (done, total) -> {
      if (showProgress && (done % step == 0 || done == total)) {
        synchronized (stderr) {
          stderr.printf(Locale.ROOT, "synth: %d/%d studies written%n", done, total);
          stderr.flush();
        }
      }
    };
    if (showProgress) {
      stderr.printf(Locale.ROOT, "synth: writing %d studies of %dx%d images on %d threads%n", cfg.studies(),
          cfg.rows(), cfg.columns(), cfg.effectiveThreads());
      stderr.flush();
    }
    long start = System.nanoTime();
    SynthResult result;
    try {
      result = SyntheticMammography.generate(cfg, progress);
    } catch (IOException e) {
      stderr.println("synth failed: " + e.getMessage());
      stderr.flush();
      return 1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    stdout.print(summary(cfg, result, seconds));
    stdout.flush();
    return 0;
  }

  private int ct() {
    if (lesions || transferSyntax != null || fullSize || columns != null || description != null) {
      throw new ParameterException(spec.commandLine(), "--lesions, --transfer-syntax, --full-size, --columns and "
          + "--description are for mammograms; a CT series always has its liver and lesion, square slices of --rows pixels");
    }
    SyntheticCt.Config cfg;
    try {
      cfg = new SyntheticCt.Config(out, studies, rows == null ? 128 : rows, slices, seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter stdout = spec.commandLine().getOut();
    long start = System.nanoTime();
    SyntheticCt.Result result;
    try {
      result = SyntheticCt.generate(cfg);
    } catch (IOException e) {
      spec.commandLine().getErr().println("synth failed: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    stdout.printf(Locale.ROOT, "Wrote %d CT series (%d slices of %dx%d) to %s in %.1f s%n", result.series(),
        result.images(), cfg.size(), cfg.size(), out, (System.nanoTime() - start) / 1e9);
    double[] v = result.volumes().get(0);
    stdout.printf(Locale.ROOT, "  first series: liver %.1f mL (mask %.1f), lesion %.2f mL (mask %.2f); all in %s%n",
        v[0], v[1], v[2], v[3], out.resolve(SyntheticCt.VOLUMES_FILE));
    stdout.flush();
    return 0;
  }

  /** The run's configuration; a bad value becomes a usage error that names it. */
  SynthConfig config() {
    int r = rows != null ? rows : fullSize ? SynthConfig.FULL_ROWS : SynthConfig.SMALL_ROWS;
    int c = columns != null ? columns : fullSize ? SynthConfig.FULL_COLUMNS : SynthConfig.SMALL_COLUMNS;
    try {
      return new SynthConfig(out, studies, seed, r, c, compressedShare, transferSyntax, threads, overwrite,
          lesions, description);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  static String summary(SynthConfig cfg, SynthResult result, double seconds) {
    Map<BiRadsDensity, Integer> density = result.studiesPerDensity();
    long agree = result.studies().stream().filter(s -> s.density() == s.densityReader2()).count();
    String syntaxes = result.filesPerTransferSyntax().entrySet().stream()
        .map(e -> e.getKey().optionName() + " " + e.getValue()).collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "Wrote %d studies (%d images, %d patients) to %s in %.1f s%n"
            + "  images: %dx%d (rows x columns), seed %d%n"
            + "  density A/B/C/D: %d/%d/%d/%d; the second reader agrees on %d of %d studies%n"
            + "  transfer syntaxes: %s%n"
            + "  labels: %s%n%s",
        result.studies().size(), result.imageCount(), result.patientCount(), result.outDir(), seconds,
        cfg.rows(), cfg.columns(), cfg.seed(),
        density.get(BiRadsDensity.A), density.get(BiRadsDensity.B), density.get(BiRadsDensity.C),
        density.get(BiRadsDensity.D), agree, result.studies().size(), syntaxes, result.labelsCsv(),
        cfg.lesions() ? lesionSummary(result) : "");
  }

  private static String lesionSummary(SynthResult result) {
    List<SynthImage> images = result.studies().stream().flatMap(s -> s.images().stream()).toList();
    long without = images.stream().filter(i -> i.lesions().isEmpty()).count();
    Map<String, Long> byLabel = images.stream().flatMap(i -> i.lesions().stream())
        .collect(Collectors.groupingBy(SynthLesion::label, java.util.TreeMap::new, Collectors.counting()));
    return String.format(Locale.ROOT, "  lesions: %s on %d of %d images; boxes: %s, masks: %s%n", byLabel,
        images.size() - without, images.size(), result.outDir().resolve(SyntheticMammography.BOXES_FILE),
        result.outDir().resolve(SyntheticMammography.MASKS_DIR));
  }

  /** Reads a transfer syntax by its command-line name. */
  static final class TransferSyntaxConverter implements CommandLine.ITypeConverter<SynthTransferSyntax> {
    @Override
    public SynthTransferSyntax convert(String value) {
      try {
        return SynthTransferSyntax.fromOptionName(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The command-line names, for help and shell completion. */
  static final class TransferSyntaxNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = Stream.of(SynthTransferSyntax.values()).map(SynthTransferSyntax::optionName).toList();
      return names.iterator();
    }
  }
}
