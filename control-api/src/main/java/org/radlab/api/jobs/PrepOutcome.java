package org.radlab.api.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.radlab.api.db.Database;
import org.radlab.api.db.DatasetDao;
import org.radlab.api.db.DatasetDao.Dataset;
import org.radlab.api.db.JobDao.Job;
import org.radlab.core.dataset.ImageList;

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
      datasets.replaceCatalog(d.id(), readCatalog(Path.of(d.path()).resolve(ImageList.FILE)));
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

  /** The dataset's image list as the database keeps it. */
  static List<DatasetDao.Image> readCatalog(Path csv) throws IOException {
    List<DatasetDao.Image> images = new ArrayList<>();
    for (ImageList.Entry e : ImageList.read(csv)) {
      images.add(new DatasetDao.Image(e.imageId(), e.studyUid(), e.patientId(), e.viewPosition(), e.laterality(),
          e.manufacturer(), e.pngPath(), e.pngWidth(), e.pngHeight(), e.seriesUid(), e.slicePosition()));
    }
    return images;
  }
}
