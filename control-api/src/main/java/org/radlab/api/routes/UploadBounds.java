package org.radlab.api.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.radlab.api.http.ApiException;
import org.radlab.core.dicom.DeclaredSize;
import org.radlab.core.dicom.ImageBounds;

/**
 * Refuses an uploaded image whose header declares more pixels than the site's {@link ImageBounds} allow, before
 * anything decodes it: a 422 {@code image_too_large} naming the dimensions and the limit, never a 500 after the heap
 * filled up.
 */
final class UploadBounds {
  private final ImageBounds bounds;

  private UploadBounds(ImageBounds bounds) {
    this.bounds = bounds;
  }

  /** The bounds of the workspace ({@code image-limits.json} there, else the defaults). */
  static UploadBounds of(Path workspace) {
    try {
      return new UploadBounds(ImageBounds.load(workspace));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Throws the 422 when the upload's declared size exceeds the bounds; returns quietly otherwise. */
  void check(byte[] upload) {
    String exceeded = DeclaredSize.exceeded(upload, bounds);
    if (exceeded != null) {
      throw new ApiException(422, "image_too_large", "the uploaded image is too large to decode: " + exceeded
          + " (a site sets its own limits in " + ImageBounds.FILE + " in the workspace)");
    }
  }
}
