package org.radlab.prep.synth;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything that decides what {@link SyntheticMammography#generate(SynthConfig)} writes. Checked here, before any
 * work starts.
 *
 * <p>The files depend only on {@code studies}, {@code seed}, {@code rows}, {@code columns}, {@code compressedShare}
 * and {@code transferSyntax}; {@code threads} and {@code overwrite} change how the run goes, never its output. The
 * pixels do not depend on the transfer syntax: a run forced to one syntax holds the same images as a mixed run.
 *
 * @param outDir          output directory; created when missing
 * @param studies         number of studies (four images each), 1 to {@value #MAX_STUDIES}
 * @param seed            any long; equal seeds give byte-identical output
 * @param rows            image height in pixels, {@value #MIN_SIDE} to {@value #MAX_SIDE}
 * @param columns         image width in pixels, {@value #MIN_SIDE} to {@value #MAX_SIDE}
 * @param compressedShare share of files written with a compressed transfer syntax in a mixed run, 0 to 1
 * @param transferSyntax  one syntax for every file, or null for the mix set by {@code compressedShare}
 * @param threads         worker threads; 0 uses every available processor
 * @param overwrite       replace an earlier synthesizer output in {@code outDir} (recognised by its labels.csv)
 * @param lesions         draw masses and calcification clusters and write their ground truth ({@link Lesions});
 *                        without, the images are those of earlier versions, byte for byte
 * @param description     the studies' StudyDescription, or null for {@value #DEFAULT_DESCRIPTION} (a PACS query
 *                        can then tell sets apart)
 */
public record SynthConfig(Path outDir, int studies, long seed, int rows, int columns, double compressedShare,
                          SynthTransferSyntax transferSyntax, int threads, boolean overwrite, boolean lesions,
                          String description) {
  public static final String DEFAULT_DESCRIPTION = "MAMMOGRAPHY SCREENING BILATERAL";
  public static final int MAX_STUDIES = 100_000;
  public static final int MIN_SIDE = 64;
  public static final int MAX_SIDE = 6000;
  /** The default, small size: fast enough for a 20-study demo. */
  public static final int SMALL_ROWS = 320;
  public static final int SMALL_COLUMNS = 256;
  /** The benchmark size ({@code --full-size}): both sides at least 2000 pixels, like a real mammogram. */
  public static final int FULL_ROWS = 2500;
  public static final int FULL_COLUMNS = 2000;
  public static final int DEFAULT_STUDIES = 20;
  public static final long DEFAULT_SEED = 1L;
  public static final double DEFAULT_COMPRESSED_SHARE = 0.25;

  public SynthConfig {
    if (outDir == null) {
      throw new IllegalArgumentException("the output directory is missing: give one (--out DIR)");
    }
    if (studies < 1 || studies > MAX_STUDIES) {
      throw new IllegalArgumentException("studies must be between 1 and " + MAX_STUDIES + ", got " + studies);
    }
    checkSide("rows", rows);
    checkSide("columns", columns);
    if (!(compressedShare >= 0.0 && compressedShare <= 1.0)) {
      throw new IllegalArgumentException("the compressed share must be a fraction between 0 and 1, got "
          + compressedShare);
    }
    if (description != null && !description.matches("[\\x20-\\x7e&&[^\\\\]]{1,64}")) {
      throw new IllegalArgumentException("the study description must be 1 to 64 printable ASCII characters without "
          + "a backslash, got '" + description + "'");
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be 0 (all processors) or more, got " + threads);
    }
  }

  private static void checkSide(String name, int value) {
    if (value < MIN_SIDE || value > MAX_SIDE) {
      throw new IllegalArgumentException(name + " must be between " + MIN_SIDE + " and " + MAX_SIDE + " pixels, got "
          + value);
    }
  }

  /** Small images, the default share of compressed files, all processors, no overwriting. */
  public static SynthConfig small(Path outDir, int studies, long seed) {
    return new SynthConfig(outDir, studies, seed, SMALL_ROWS, SMALL_COLUMNS, DEFAULT_COMPRESSED_SHARE, null, 0,
        false, false, null);
  }

  /** Benchmark-size images ({@value #FULL_ROWS} x {@value #FULL_COLUMNS}), otherwise like {@link #small}. */
  public static SynthConfig fullSize(Path outDir, int studies, long seed) {
    return small(outDir, studies, seed).withSize(FULL_ROWS, FULL_COLUMNS);
  }

  public SynthConfig withSize(int newRows, int newColumns) {
    return new SynthConfig(outDir, studies, seed, newRows, newColumns, compressedShare, transferSyntax, threads,
        overwrite, lesions, description);
  }

  public SynthConfig withCompressedShare(double share) {
    return new SynthConfig(outDir, studies, seed, rows, columns, share, transferSyntax, threads, overwrite, lesions,
        description);
  }

  /** One syntax for every file; null restores the mix. */
  public SynthConfig withTransferSyntax(SynthTransferSyntax syntax) {
    return new SynthConfig(outDir, studies, seed, rows, columns, compressedShare, syntax, threads, overwrite, lesions,
        description);
  }

  public SynthConfig withThreads(int n) {
    return new SynthConfig(outDir, studies, seed, rows, columns, compressedShare, transferSyntax, n, overwrite,
        lesions, description);
  }

  public SynthConfig withOverwrite(boolean replace) {
    return new SynthConfig(outDir, studies, seed, rows, columns, compressedShare, transferSyntax, threads, replace,
        lesions, description);
  }

  /** With this StudyDescription (null: {@value #DEFAULT_DESCRIPTION}). */
  public SynthConfig withDescription(String text) {
    return new SynthConfig(outDir, studies, seed, rows, columns, compressedShare, transferSyntax, threads, overwrite,
        lesions, text);
  }

  /** The studies' StudyDescription. */
  public String studyDescription() {
    return description == null ? DEFAULT_DESCRIPTION : description;
  }

  /** With or without lesions and their ground truth. */
  public SynthConfig withLesions(boolean draw) {
    return new SynthConfig(outDir, studies, seed, rows, columns, compressedShare, transferSyntax, threads, overwrite,
        draw, description);
  }

  /** The forced transfer syntax, if any. */
  public Optional<SynthTransferSyntax> forcedTransferSyntax() {
    return Optional.ofNullable(transferSyntax);
  }

  /** The number of worker threads this run uses: {@code threads}, or every processor when it is 0. */
  public int effectiveThreads() {
    int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    return Math.max(1, Math.min(n, studies));
  }
}
