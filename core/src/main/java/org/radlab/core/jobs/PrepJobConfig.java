package org.radlab.core.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Path;
import org.radlab.core.dataset.DatasetLayout;
import org.radlab.core.deid.DatePolicy;

/**
 * Everything one prep run needs. Read from JSON (for {@code spark-submit}) or built by {@code radlab prep}; checked
 * here, before Spark starts.
 *
 * @param input          a folder (searched recursively) or a file, on any Hadoop file system path; or a PACS query
 *                       ({@code dicomweb://SOURCE?modality=...}), pulled into the dataset's private folder first
 * @param dataset        the dataset folder to create or extend
 * @param pngLongEdge    long edge of the annotation PNGs, in pixels (aspect kept)
 * @param tensorSide     side of the square training tensors (aspect kept, padded)
 * @param writeNpy       also write one NumPy {@code .npy} file per image
 * @param dates          what happens to dates: remove (default), shift or keep
 * @param allowBurnedIn  convert files marked BurnedInAnnotation=YES, or unmarked on modalities that often carry
 *                       burned-in text (see {@code BurnedInText}), instead of rejecting them
 * @param secretFile     the site secret keying all pseudonyms (created on first use)
 * @param voiIndex       which window (or VOI LUT) of the file to apply, 0 = the first
 * @param flipByLaterality mirror right-breast images so every chest wall is on the left
 * @param partitions     number of Spark partitions, 0 = chosen from the input size and the cluster
 * @param privateDir     where the original-to-pseudonym mapping goes (admins only); default {@code dataset/private}
 * @param progressFile   optional local file rewritten with JSON progress while the job runs
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record PrepJobConfig(
    @SetByServer String input,
    @SetByServer String dataset,
    int pngLongEdge,
    int tensorSide,
    boolean writeNpy,
    DatePolicy dates,
    boolean allowBurnedIn,
    @SetByServer String secretFile,
    int voiIndex,
    Boolean flipByLaterality,
    int partitions,
    @SetByServer String privateDir,
    @SetByServer String progressFile) implements java.io.Serializable, JobConfig {

  public static final int DEFAULT_PNG_LONG_EDGE = 1024;
  public static final int DEFAULT_TENSOR_SIDE = 256;

  public PrepJobConfig {
    require(input != null && !input.isBlank(), "input is required: a folder or file of DICOM data");
    require(dataset != null && !dataset.isBlank(), "dataset is required: the folder to write the dataset into");
    pngLongEdge = pngLongEdge == 0 ? DEFAULT_PNG_LONG_EDGE : pngLongEdge;
    tensorSide = tensorSide == 0 ? DEFAULT_TENSOR_SIDE : tensorSide;
    Bounds.between("pngLongEdge", pngLongEdge, 16, 16384);
    Bounds.between("tensorSide", tensorSide, 8, 4096);
    Bounds.between("voiIndex", voiIndex, 0, 1000);
    Bounds.between("partitions", partitions, 0, 10_000);
    dates = dates == null ? DatePolicy.REMOVE : dates;
    flipByLaterality = flipByLaterality == null || flipByLaterality;
    secretFile = secretFile == null || secretFile.isBlank() ? defaultSecretFile() : secretFile;
    privateDir = privateDir == null || privateDir.isBlank() ? DatasetLayout.defaultPrivateRoot(dataset) : privateDir;
  }

  /** A config with every option at its default. */
  public static PrepJobConfig of(String input, String dataset) {
    return new PrepJobConfig(input, dataset, 0, 0, false, null, false, null, 0, true, 0, null, null);
  }

  public PrepJobConfig withDates(DatePolicy policy) {
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, writeNpy, policy, allowBurnedIn, secretFile,
        voiIndex, flipByLaterality, partitions, privateDir, progressFile);
  }

  public PrepJobConfig withSecretFile(String file) {
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, writeNpy, dates, allowBurnedIn, file,
        voiIndex, flipByLaterality, partitions, privateDir, progressFile);
  }

  public PrepJobConfig withSizes(int png, int tensor) {
    return new PrepJobConfig(input, dataset, png, tensor, writeNpy, dates, allowBurnedIn, secretFile,
        voiIndex, flipByLaterality, partitions, privateDir, progressFile);
  }

  public PrepJobConfig withNpy(boolean npy) {
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, npy, dates, allowBurnedIn, secretFile,
        voiIndex, flipByLaterality, partitions, privateDir, progressFile);
  }

  public PrepJobConfig withPartitions(int n) {
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, writeNpy, dates, allowBurnedIn, secretFile,
        voiIndex, flipByLaterality, n, privateDir, progressFile);
  }

  public static PrepJobConfig read(Path json) throws IOException {
    return JobConfig.read(json, PrepJobConfig.class);
  }

  @Override
  public JobKind kind() {
    return JobKind.PREP;
  }

  /** A prep job takes its progress file; its output is the dataset folder the request named. */
  @Override
  public PrepJobConfig placedAt(Placement p) {
    return new PrepJobConfig(input, dataset, pngLongEdge, tensorSide, writeNpy, dates, allowBurnedIn, secretFile,
        voiIndex, flipByLaterality, partitions, privateDir, JobConfig.pathOr(p.progressFile(), progressFile));
  }

  /** A prep job writes the dataset folder. */
  @Override
  public String output() {
    return dataset;
  }

  /** {@code $RADLAB_HOME/site-secret}, with RADLAB_HOME defaulting to {@code ./radlab-home}. */
  public static String defaultSecretFile() {
    return org.radlab.core.Workspace.current().siteSecret().toString();
  }


  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
