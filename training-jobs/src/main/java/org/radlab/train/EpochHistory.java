package org.radlab.train;

import java.util.ArrayList;
import java.util.List;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;

/**
 * A run's finished epochs and which of them is best: each epoch's curve entry, the monitored metric ({@code kappa},
 * {@code auc}, {@code map}, or {@code loss}, lower being better) that picks the best epoch, that epoch's validation, and early
 * stopping (no improvement for {@code patience} epochs). Restored from a checkpoint on a resume.
 */
final class EpochHistory {
  private final TrainConfig.Monitor monitor;
  private final boolean earlyStopping;
  private final int patience;
  private final List<ModelCard.EpochStats> curves = new ArrayList<>();
  private int bestEpoch;
  private double bestScore = Double.NaN;
  private ModelCard.Validation bestValidation;
  /** Epochs since the best one. */
  private int sinceBest;

  EpochHistory(TrainConfig cfg) {
    this.monitor = cfg.monitor();
    this.earlyStopping = cfg.earlyStopping();
    this.patience = cfg.patience();
  }

  /** Continues the history a checkpoint saved. */
  void restore(Checkpoint.State saved) {
    curves.addAll(saved.curves());
    bestEpoch = saved.bestEpoch();
    bestScore = saved.bestScore();
    bestValidation = saved.bestValidation();
    sinceBest = curves.isEmpty() ? 0 : curves.size() - bestEpoch;
  }

  /**
   * Adds a finished epoch ({@code stats}, validated as {@code validation}); returns whether it is the best so far. The
   * first epoch always is; an epoch is better when its score is higher, or a number where the best one's was NaN.
   */
  boolean add(ModelCard.EpochStats stats, ModelCard.Validation validation) {
    curves.add(stats);
    double score = Validator.score(monitor, validation);
    boolean improved = bestEpoch == 0 || Double.isNaN(bestScore) && !Double.isNaN(score) || score > bestScore;
    if (improved) {
      bestEpoch = stats.epoch();
      bestScore = score;
      bestValidation = validation;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    return improved;
  }

  /** Whether early stopping ends the run now. */
  boolean stop() {
    return earlyStopping && sinceBest >= patience;
  }

  /** The checkpoint's record of the history after {@code epoch} of a run of {@code cfg}. */
  Checkpoint.State state(int epoch, TrainConfig cfg) {
    return new Checkpoint.State(epoch, cfg, curves(), bestEpoch, bestScore, bestValidation);
  }

  List<ModelCard.EpochStats> curves() {
    return List.copyOf(curves);
  }

  int bestEpoch() {
    return bestEpoch;
  }

  ModelCard.Validation bestValidation() {
    return bestValidation;
  }
}
