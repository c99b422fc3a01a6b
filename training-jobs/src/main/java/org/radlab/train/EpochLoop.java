package org.radlab.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.radlab.core.io.AtomicFiles;
import org.radlab.core.jobs.TrainConfig;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;

/**
 * The epochs of a run on the driver. An epoch is a series of rounds of {@code syncEvery} steps through the
 * {@link WeightExchange}, each reported as a {@code step} event; then the driver validates the averaged weights (by
 * study for a classifier, by image for a detector), adds the epoch to the {@link EpochHistory}, writes the checkpoint, publishes the weights when the epoch is
 * the best so far, rewrites {@code model.json} and reports an {@code epoch} event. It stops at {@code maxEpochs}, by
 * early stopping, or at a cancel request (checked before every round).
 */
final class EpochLoop {
  /** The epochs' outcomes, as {@code model.json}'s status. */
  static final String COMPLETED = "completed";
  static final String STOPPED_EARLY = "stopped_early";
  static final String CANCELLED = "cancelled";

  private final TrainConfig cfg;
  private final Path out;
  private final TrainProgress progress;
  private final Cancellation cancel;
  private final WeightExchange exchange;
  private final Validator validation;
  private final EpochHistory history;
  /** The model card of the run so far (status {@code training}). */
  private final Supplier<ModelCard> card;
  private final int stepsPerEpoch;

  /** The epochs of {@code cfg} over {@code trainImages} images, writing into the model folder {@code out}. */
  EpochLoop(TrainConfig cfg, Path out, int trainImages, TrainProgress progress, Cancellation cancel,
      WeightExchange exchange, Validator validation, EpochHistory history, Supplier<ModelCard> card) {
    this.cfg = cfg;
    this.out = out;
    this.progress = progress;
    this.cancel = cancel;
    this.exchange = exchange;
    this.validation = validation;
    this.history = history;
    this.card = card;
    this.stepsPerEpoch = stepsPerEpoch(trainImages, cfg.batchSize());
  }

  /** An epoch's optimizer steps: every image once, in batches of {@code batch} (the last one may be short). */
  static int stepsPerEpoch(int trainImages, int batch) {
    return (trainImages + batch - 1) / batch;
  }

  /** What one epoch's rounds added up to. */
  private record Totals(double lossSum, long steps, long images, double seconds) {}

  /**
   * Trains epochs {@code firstEpoch..maxEpochs}, validating {@code global} (the driver's model) after each; returns
   * {@link #COMPLETED}, {@link #STOPPED_EARLY} or {@link #CANCELLED}.
   */
  String run(Replica global, int firstEpoch) throws IOException {
    for (int epoch = firstEpoch; epoch <= cfg.maxEpochs(); epoch++) {
      Totals totals = rounds(epoch);
      if (totals == null) {
        return CANCELLED;
      }
      global.setParameters(exchange.weights());
      endEpoch(global, epoch, totals);
      if (history.stop()) {
        return STOPPED_EARLY;
      }
    }
    return COMPLETED;
  }

  /** The rounds of {@code epoch}, each reported as a {@code step} event; null when a cancel request stopped them. */
  private Totals rounds(int epoch) {
    if (exchange.ring()) {
      return ringRounds(epoch);
    }
    long epochStart = System.nanoTime();
    double lossSum = 0;
    long steps = 0;
    long images = 0;
    for (int first = 0; first < stepsPerEpoch; first += cfg.syncEvery()) {
      if (cancel.check()) {
        return null;
      }
      int last = Math.min(stepsPerEpoch, first + cfg.syncEvery());
      long roundStart = System.nanoTime();
      RoundResult r = exchange.round(epoch, first, last, last == stepsPerEpoch);
      lossSum += r.lossSum;
      steps += r.steps;
      images += r.images;
      double seconds = (System.nanoTime() - roundStart) / 1e9;
      step(epoch, last, r, seconds, (System.nanoTime() - epochStart) / 1e9 / last);
    }
    return new Totals(lossSum, steps, images, (System.nanoTime() - epochStart) / 1e9);
  }

  /**
   * The rounds of {@code epoch} in barrier stages of up to {@link WeightExchange#ringRoundsPerStage} rounds, the replicas
   * averaging in a ring; each round is reported as a {@code step} event when its stage is over. Null when a cancel
   * request stopped them.
   */
  private Totals ringRounds(int epoch) {
    long epochStart = System.nanoTime();
    double lossSum = 0;
    long steps = 0;
    long images = 0;
    int stage = exchange.ringRoundsPerStage() * cfg.syncEvery();
    for (int first = 0; first < stepsPerEpoch; first += stage) {
      if (cancel.check()) {
        return null;
      }
      int end = Math.min(stepsPerEpoch, first + stage);
      List<RoundResult> results = exchange.ringRounds(epoch, first, end, cfg.syncEvery(), end == stepsPerEpoch,
          cancel::check);
      if (results == null) {
        return null;
      }
      double perStep = (System.nanoTime() - epochStart) / 1e9 / end;
      int last = first;
      for (RoundResult r : results) {
        lossSum += r.lossSum;
        steps += r.steps;
        images += r.images;
        last = Math.min(end, last + cfg.syncEvery());
        step(epoch, last, r, Math.max(r.seconds, 1e-9), perStep);
      }
    }
    return new Totals(lossSum, steps, images, (System.nanoTime() - epochStart) / 1e9);
  }

  /**
   * Reports round {@code r}, which ended at step {@code last} of {@code epoch} and took {@code seconds}, as a
   * {@code step} event; the time left is the steps left at {@code perStep} seconds. Its syncShare is the rest of the
   * round beside the slowest replica's steps: weights out, weights back, averaging, scheduling.
   */
  private void step(int epoch, int last, RoundResult r, double seconds, double perStep) {
    long remainingSteps = (long) (cfg.maxEpochs() - epoch) * stepsPerEpoch + (stepsPerEpoch - last);
    progress.write(new TrainEvent.Step(epoch, last, stepsPerEpoch, r.lossSum / Math.max(1, r.steps),
        r.images / seconds, seconds, r.computeSeconds, r.loadSeconds, r.collectSeconds, r.broadcastSeconds,
        r.averageSeconds, Math.max(0, 1 - r.computeSeconds / seconds), Math.round(remainingSteps * perStep)));
  }

  /**
   * Validates {@code global}, which holds the weights after {@code epoch}; records the epoch, writes its checkpoint,
   * the best weights and {@code model.json}, and reports it.
   */
  private void endEpoch(Replica global, int epoch, Totals totals) throws IOException {
    ModelCard.Validation v = validation.evaluate(global);
    double imagesPerSecond = totals.images() / totals.seconds();
    ModelCard.EpochStats stats = new ModelCard.EpochStats(epoch, totals.lossSum() / Math.max(1, totals.steps()),
        v.loss(), v.kappaLinear(), v.auc(), v.accuracy(), TrainRun.hundredths(totals.seconds()),
        TrainRun.hundredths(imagesPerSecond), v.map(), v.ap50(), v.dice(), v.iou());
    boolean improved = history.add(stats, v);
    Path checkpoint = out.resolve(Checkpoint.DIR);
    Checkpoint.write(checkpoint, history.state(epoch, cfg), global, exchange.epochStates());
    if (improved) { // from the checkpoint just committed, so weights.params never runs ahead of it
      AtomicFiles.copyDurably(checkpoint.resolve(Checkpoint.weightsFile(epoch)), out.resolve(TrainJob.WEIGHTS));
    }
    card.get().write(out.resolve(ModelCard.FILE));
    progress.write(new TrainEvent.Epoch(epoch, stats.trainLoss(), v.loss(), v.kappaLinear(), v.auc(), v.accuracy(),
        v.map(), v.ap50(), v.dice(), v.iou(), improved, cfg.maxEpochs(), totals.seconds(), imagesPerSecond));
  }
}
