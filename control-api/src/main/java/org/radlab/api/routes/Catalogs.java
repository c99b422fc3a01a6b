package org.radlab.api.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.radlab.api.db.DatasetDao;
import org.radlab.core.dataset.ImageList;

/**
 * A dataset's catalog ({@code images.csv}: each image's original and PNG sizes and mirror flag) by image id, read
 * once and kept while the file is unchanged (a dataset prepared again is read again). Run reads it on every
 * detector answer about a dataset image, so a large dataset's catalog is not parsed per request. The few most
 * recently used catalogs are kept.
 */
final class Catalogs {
  private static final int KEPT = 8;

  private record Key(Path file, long size, long modified) {}

  private static final Map<Key, Map<String, ImageList.Entry>> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Map<String, ImageList.Entry>> eldest) {
      return size() > KEPT;
    }
  };

  private Catalogs() {}

  /** The dataset's images by id. */
  static Map<String, ImageList.Entry> of(DatasetDao.Dataset d) throws IOException {
    Path file = Path.of(d.path()).resolve(ImageList.FILE).toAbsolutePath().normalize();
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    Key key = new Key(file, a.size(), a.lastModifiedTime().toMillis());
    synchronized (CACHE) {
      Map<String, ImageList.Entry> kept = CACHE.get(key);
      if (kept != null) {
        return kept;
      }
    }
    Map<String, ImageList.Entry> read = Map.copyOf(ImageList.index(Files.readAllLines(file), file.toString()));
    synchronized (CACHE) {
      CACHE.put(key, read);
    }
    return read;
  }
}
