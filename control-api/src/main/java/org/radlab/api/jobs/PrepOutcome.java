package org.radlab.api.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.JobDao.Job;
import org.radlab.core.dataset.Csv;

/** A prep job's outcome: the dataset's image list and its status. */
final class PrepOutcome implements JobOutcome {
  private final DatasetDao datasets;

  PrepOutcome(Database db) {
    this.datasets = db.dao(DatasetDao.class);
  }

  /** Loads the dataset's images.csv, numbers the studies and marks the dataset ready. */
  @Override
  public void succeeded(Job job) {
    Dataset d = job.datasetId() == null ? null : datasets.find(job.datasetId()).orElse(null);
    if (d == null) {
      return;
    }
    try {
      datasets.replaceCatalog(d.id(), readCatalog(Path.of(d.path()).resolve("images.csv")));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot load the image list of dataset " + d.id() + ": " + e.getMessage(), e);
    }
  }

  /** A dataset with images from an earlier run stays ready. */
  @Override
  public void notSucceeded(Job job) {
    if (job.datasetId() != null) {
      datasets.find(job.datasetId()).ifPresent(d -> datasets.setStatus(d.id(), d.images() > 0 ? "ready" : "failed"));
    }
  }

  static List<DatasetDao.Image> readCatalog(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = Csv.fields(lines.get(0));
    int[] at = new int[9];
    String[] names = {"image_id", "study_uid", "patient_id", "view_position", "laterality", "manufacturer",
        "png_path", "png_width", "png_height"};
    for (int i = 0; i < names.length; i++) {
      at[i] = header.indexOf(names[i]);
      if (at[i] < 0) {
        throw new IOException(csv + " has no column " + names[i]);
      }
    }
    List<DatasetDao.Image> images = new ArrayList<>(lines.size());
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      List<String> f = Csv.fields(line);
      images.add(new DatasetDao.Image(f.get(at[0]), f.get(at[1]), f.get(at[2]), blank(f.get(at[3])),
          blank(f.get(at[4])), blank(f.get(at[5])), f.get(at[6]), number(f.get(at[7])), number(f.get(at[8]))));
    }
    return images;
  }

  private static String blank(String v) {
    return v.isEmpty() ? null : v;
  }

  private static Integer number(String v) {
    return v.isEmpty() ? null : Integer.valueOf(v);
  }
}
