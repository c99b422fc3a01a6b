package org.radlab.core.dataset;

import org.radlab.core.jobs.PrepJobConfig;

/**
 * Names of everything inside a dataset folder. Tables are Parquet folders with one {@code run=N} sub-folder per prep
 * run, so a re-run appends and a crashed run can be removed whole.
 */
public final class DatasetLayout implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  public static final String IMAGES = "images.parquet";
  public static final String TENSORS = "tensors";
  /** Inside the private folder: one row per input file not converted, with its source path and reason. */
  public static final String REJECTS = "rejects.parquet";
  public static final String PNG = "png";
  public static final String NPY = "npy";
  public static final String SUMMARY = "summary.json";
  /** Inside the private folder: one row per original instance and frame, with its pseudonyms. */
  public static final String ID_MAP = "id-map.parquet";
  /** Inside the private folder: every input file seen, with its size and time; written last by each run. */
  public static final String SOURCES = "sources.parquet";

  private final String root;
  private final String privateRoot;

  public DatasetLayout(String root, String privateRoot) {
    this.root = strip(root);
    this.privateRoot = strip(privateRoot);
  }

  /** Where the private folder is unless a config names another: {@code <dataset>/private}. */
  public static String defaultPrivateRoot(String dataset) {
    return dataset.replaceAll("/+$", "") + "/private";
  }

  public static DatasetLayout of(PrepJobConfig config) {
    return new DatasetLayout(config.dataset(), config.privateDir());
  }

  public String root() { return root; }
  public String images() { return root + "/" + IMAGES; }
  public String tensors() { return root + "/" + TENSORS; }
  /** Private: a reject's source path and detail name the original file, whose folders often carry patient ids. */
  public String rejects() { return privateRoot + "/" + REJECTS; }
  public String summary() { return root + "/" + SUMMARY; }
  public String privateRoot() { return privateRoot; }
  public String idMap() { return privateRoot + "/" + ID_MAP; }
  public String sources() { return privateRoot + "/" + SOURCES; }

  /** PNG path relative to the dataset root, sharded by the first two hex digits of the image id. */
  public static String pngPath(String imageId) {
    return PNG + "/" + imageId.substring(0, 2) + "/" + imageId + ".png";
  }

  public static String npyPath(String imageId) {
    return NPY + "/" + imageId.substring(0, 2) + "/" + imageId + ".npy";
  }

  public static String runDir(String table, int run) {
    return table + "/run=" + run;
  }

  private static String strip(String p) {
    return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
  }
}
