package org.radlab.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.radlab.api.db.Database;
import org.radlab.api.db.TokenDao;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UseCaseDao.Category;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.Caller;
import org.radlab.api.http.Times;
import org.radlab.api.http.Tokens;
import org.radlab.api.routes.UserRoutes;

/**
 * What a new control plane starts with: an admin and the breast-density use case. The admin's token is never printed
 * or logged: it goes to {@link #ADMIN_TOKEN_FILE} in the workspace, readable by the server's owner only.
 */
final class Seeds {
  static final String ADMIN_NAME = "admin";
  static final String BREAST_DENSITY = "Breast density (BI-RADS)";
  /** Where the first admin's token (or a replacement, see {@link #adminToken}) is written. */
  static final String ADMIN_TOKEN_FILE = "admin-token";

  private Seeds() {}

  /**
   * Creates the first admin on an empty database; on a database where no admin holds a token that still works (all
   * expired or revoked), makes a new token for the first admin, so the place is never locked. Either way the token
   * is written to {@code home/admin-token} (owner read/write only) and returned; otherwise nothing happens.
   */
  static Optional<String> adminToken(Database db, Path home) {
    UserDao users = db.dao(UserDao.class);
    TokenDao tokens = db.dao(TokenDao.class);
    String token;
    if (users.count() == 0) {
      token = UserRoutes.create(users, tokens, ADMIN_NAME, Caller.ADMIN, Tokens.DEFAULT_DAYS, null).token();
    } else if (tokens.liveAdminTokens(Times.now()) == 0 && users.firstAdmin().isPresent()) {
      token = Tokens.issue(tokens, users.firstAdmin().get(), "made at start: no admin token worked",
          Tokens.DEFAULT_DAYS, null).token();
    } else {
      return Optional.empty();
    }
    writeOwnerOnly(home.resolve(ADMIN_TOKEN_FILE), token + "\n");
    return Optional.of(token);
  }

  /** Writes a file only its owner may read: made with those permissions, then moved into place. */
  static void writeOwnerOnly(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = Files.createTempFile(file.getParent(), ".admin-token-", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(partial, text);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + file, e);
    }
  }

  /**
   * The breast-density use case, published, with the four BI-RADS composition categories. The CDE ids are local
   * placeholders ({@code radlab.breast_density.a} ...); a site maps them to its own common data elements by
   * editing the use case.
   */
  static void breastDensity(Database db, String at) {
    UseCaseDao useCases = db.dao(UseCaseDao.class);
    if (!useCases.search(new UseCaseDao.Search(null, null, null, null, null, null, null, 1000, 0)).isEmpty()) {
      return;
    }
    List<Category> categories = List.of(
        new Category("A", "Almost entirely fatty", "The breasts are almost entirely fatty.",
            "radlab.breast_density.a"),
        new Category("B", "Scattered fibroglandular density", "There are scattered areas of fibroglandular density.",
            "radlab.breast_density.b"),
        new Category("C", "Heterogeneously dense", "The breasts are heterogeneously dense, which may obscure small "
            + "masses.", "radlab.breast_density.c"),
        new Category("D", "Extremely dense", "The breasts are extremely dense, which lowers the sensitivity of "
            + "mammography.", "radlab.breast_density.d"));
    useCases.create(BREAST_DENSITY, "Classify the breast composition of a screening mammogram into the four BI-RADS "
        + "density categories, one label per study.", "Breast", "MG", "classification", "published", null,
        categories, at);
  }
}
