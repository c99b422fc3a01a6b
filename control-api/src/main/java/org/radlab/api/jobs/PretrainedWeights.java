package org.radlab.api.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import org.radlab.core.Workspace;
import org.radlab.api.http.ApiException;

/**
 * The {@code weights} a training job submitted through the API starts from: a name of a file or folder in the
 * workspace's {@code weights/} folder (as {@code NAME}, {@code NAME.params} or {@code NAME.pt}), resolved here to its
 * absolute path so the job never looks anywhere else. Admins may also give an absolute path. A name that is not
 * there and a name that is not allowed (a path, {@code ..}) get the same answer, so the check tells nothing about
 * the server's files.
 */
public final class PretrainedWeights {
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,99}";

  private PretrainedWeights() {}

  /** The weights' absolute path, or a 400 that reads the same for every reason. */
  public static Path resolve(Path home, String weights, boolean admin) {
    if (admin && weights != null && weights.startsWith("/") && Path.of(weights).isAbsolute()) {
      return Path.of(weights).normalize();
    }
    if (weights != null && weights.matches(NAME)) {
      Path dir = new Workspace(home).weights().toAbsolutePath().normalize();
      for (String candidate : new String[] {weights, weights + ".params", weights + ".pt"}) {
        Path p = dir.resolve(candidate).normalize();
        if (p.getParent().equals(dir) && Files.exists(p)) {
          return p;
        }
      }
    }
    throw ApiException.badRequest("weights must name a weights file or folder in the workspace's weights folder "
        + "(NAME, NAME.params or NAME.pt); there is none called '" + printable(weights) + "' that you may use");
  }

  private static String printable(String s) {
    String text = String.valueOf(s);
    text = text.length() > 100 ? text.substring(0, 100) + "..." : text;
    return text.replaceAll("\\p{Cntrl}", "?");
  }
}
