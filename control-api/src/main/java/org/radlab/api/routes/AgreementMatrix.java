package org.radlab.api.routes;

import java.util.List;
import org.radlab.api.db.AgreementDao;
import org.radlab.api.db.ChallengeDao;
import org.radlab.api.db.Database;
import org.radlab.api.db.UseCaseDao;
import org.radlab.api.db.UseCaseDao.UseCase;
import org.radlab.api.http.Times;

/**
 * A participant's labels against the reference reader, as a confusion matrix that cannot be differenced: it
 * refreshes only after every N new labels (N is the milestone of the use case's newest challenge, else
 * {@link #DEFAULT_MILESTONE}), over a frozen snapshot of studies (see {@link AgreementDao}), never over a hidden
 * dataset.
 */
public final class AgreementMatrix {
  /** Labels between refreshes for a use case without a challenge, and for a challenge that names none. */
  public static final int DEFAULT_MILESTONE = 25;
  public static final int MIN_MILESTONE = 5;
  public static final int MAX_MILESTONE = 1000;

  /**
   * The snapshot as counts (rows: reference, columns: mine), how many studies it counts, and where the caller
   * stands: their labels now, N, and how many more labels until it refreshes.
   */
  public record View(List<String> categories, String rows, String columns, int[][] matrix, int studies,
      int milestone, int labels, int labelsUntilRefresh, String refreshedAt) {}

  private final AgreementDao agreement;
  private final ChallengeDao challenges;
  private final UseCaseDao useCases;

  public AgreementMatrix(Database db) {
    this.agreement = db.dao(AgreementDao.class);
    this.challenges = db.dao(ChallengeDao.class);
    this.useCases = db.dao(UseCaseDao.class);
  }

  /** N for a use case: its newest challenge's milestone, else the default. */
  public int milestone(long useCaseId) {
    return challenges.agreementMilestone(useCaseId).orElse(DEFAULT_MILESTONE);
  }

  /** Refreshes the caller's snapshot if they reached the next milestone; a read decides, so most calls write none. */
  public void refreshIfDue(long userId, long useCaseId) {
    int every = milestone(useCaseId);
    if (agreement.labels(userId, useCaseId) >= lastRefresh(userId, useCaseId) + every) {
      agreement.refreshIfDue(userId, useCaseId, every, Times.now());
    }
  }

  public View view(long userId, UseCase u) {
    refreshIfDue(userId, u.id());
    List<String> codes = useCases.categories(u.id()).stream().map(UseCaseDao.Category::code).toList();
    int[][] matrix = new int[codes.size()][codes.size()];
    int total = 0;
    for (AgreementDao.Cell cell : agreement.cells(userId, u.id())) {
      int row = codes.indexOf(cell.reference());
      int col = codes.indexOf(cell.mine());
      if (row >= 0 && col >= 0) {
        matrix[row][col] += cell.studies();
        total += cell.studies();
      }
    }
    int every = milestone(u.id());
    int labels = agreement.labels(userId, u.id());
    String refreshedAt = agreement.state(userId, u.id()).map(AgreementDao.State::refreshedAt).orElse(null);
    int until = Math.max(0, lastRefresh(userId, u.id()) + every - labels);
    return new View(codes, "reference", "mine", matrix, total, every, labels, until, refreshedAt);
  }

  private int lastRefresh(long userId, long useCaseId) {
    return agreement.state(userId, useCaseId).map(AgreementDao.State::labels).orElse(0);
  }
}
