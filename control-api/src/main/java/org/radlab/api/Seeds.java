package org.radlab.api;

import java.util.List;
import java.util.Optional;
import org.radlab.api.db.Database;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UseCaseDao.Category;
import org.radlab.api.db.UserDao;
import org.radlab.api.http.Caller;
import org.radlab.api.routes.UserRoutes;

/** What a new control plane starts with: an admin (whose token is shown once) and the breast-density use case. */
final class Seeds {
  static final String ADMIN_NAME = "admin";
  static final String BREAST_DENSITY = "Breast density (BI-RADS)";

  private Seeds() {}

  /** Creates the first admin on an empty database; returns their one-time token. */
  static Optional<String> firstAdmin(Database db) {
    UserDao users = db.dao(UserDao.class);
    if (users.count() > 0) {
      return Optional.empty();
    }
    return Optional.of(UserRoutes.create(users, ADMIN_NAME, Caller.ADMIN).token());
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
