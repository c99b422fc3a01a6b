package org.radlab.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * The events of a run's {@code jobs/<id>/progress} file, one record per kind, each knowing its line's fields and its
 * short human line for stderr. {@link TrainProgress} writes a line as {@code time}, {@code event} (the kind), then
 * the fields in the order {@link #addFields} puts them. The control API, its web pages and {@code radlab} read these
 * lines: field names, their order and their JSON types (whole numbers stay whole) are an agreement.
 */
sealed interface TrainEvent {
  /** The line's {@code event} value. */
  String kind();

  /** Appends the event's fields to its line, after {@code time} and {@code event}. */
  void addFields(ObjectNode line);

  /** The line for stderr (without the {@code train: } prefix), or null for none. */
  String human();

  /** The run has its data and its replicas, and is about to train. */
  record Start(int trainImages, int trainStudies, int validationImages, int validationStudies, int replicas,
      int threadsPerReplica, String exchange) implements TrainEvent {
    @Override
    public String kind() {
      return "start";
    }

    @Override
    public void addFields(ObjectNode line) {
      line.put("trainImages", trainImages);
      line.put("validationImages", validationImages);
      line.put("replicas", replicas);
      line.put("threadsPerReplica", threadsPerReplica);
      line.put("exchange", exchange);
    }

    @Override
    public String human() {
      return String.format("%d training images (%d studies), %d validation images (%d studies); "
          + "%d replica(s), %d thread(s) each%s", trainImages, trainStudies, validationImages, validationStudies,
          replicas, threadsPerReplica, replicas > 1 ? ", averaged through the " + exchange : "");
    }
  }

  /**
   * One synchronization round ended at {@code step} of the epoch's {@code steps}. The times of the slowest replica:
   * {@code computeSeconds} in its optimizer steps, {@code loadSeconds} taking in the round's weights,
   * {@code collectSeconds} handing out its own; the driver's: {@code broadcastSeconds} making and removing the
   * round's broadcasts, {@code averageSeconds} averaging what came back; {@code syncShare} is the share of the round
   * outside the slowest replica's steps.
   */
  record Step(int epoch, int step, int steps, double loss, double imagesPerSecond, double roundSeconds,
      double computeSeconds, double loadSeconds, double collectSeconds, double broadcastSeconds,
      double averageSeconds, double syncShare, long etaSeconds)
      implements TrainEvent {
    @Override
    public String kind() {
      return "step";
    }

    @Override
    public void addFields(ObjectNode line) {
      line.put("epoch", epoch);
      line.put("step", step);
      line.put("steps", steps);
      line.put("loss", loss);
      line.put("imagesPerSecond", imagesPerSecond);
      line.put("roundSeconds", roundSeconds);
      line.put("computeSeconds", computeSeconds);
      line.put("loadSeconds", loadSeconds);
      line.put("collectSeconds", collectSeconds);
      line.put("broadcastSeconds", broadcastSeconds);
      line.put("averageSeconds", averageSeconds);
      line.put("syncShare", syncShare);
      line.put("etaSeconds", etaSeconds);
    }

    @Override
    public String human() {
      return null;
    }
  }

  /** An epoch was validated; {@code best}: its weights are the best so far. The last three are for stderr only. */
  record Epoch(int epoch, double trainLoss, double validationLoss, double kappa, double auc, double accuracy,
      Double map, Double ap50, Double dice, Double iou, boolean best, int maxEpochs, double seconds,
      double imagesPerSecond)
      implements TrainEvent {
    @Override
    public String kind() {
      return "epoch";
    }

    @Override
    public void addFields(ObjectNode line) {
      line.put("epoch", epoch);
      line.put("trainLoss", trainLoss);
      line.put("validationLoss", validationLoss);
      if (map != null) { // a detector's
        line.put("map", map);
        line.put("ap50", ap50);
      } else if (dice != null) { // a segmenter's
        line.put("dice", dice);
        line.put("iou", iou);
      } else {
        line.put("kappa", kappa);
        line.put("auc", auc);
        line.put("accuracy", accuracy);
      }
      line.put("best", best);
    }

    @Override
    public String human() {
      String scores = map != null ? String.format("mAP %.3f, AP50 %.3f", map, ap50)
          : dice != null ? String.format("Dice %.3f, IoU %.3f", dice, iou)
          : String.format("kappa %.3f, AUC %.3f", kappa, auc);
      return String.format("epoch %d/%d: train loss %.4f, validation loss %.4f, %s%s (%.1f s, %.1f images/s)",
          epoch, maxEpochs, trainLoss, validationLoss, scores, best ? ", best so far" : "", seconds,
          imagesPerSecond);
    }
  }

  /** The run continues after {@code epoch} from the checkpoint's {@code weights}, with this many optimizer states. */
  record Resume(int epoch, int optimizerStates, Path weights) implements TrainEvent {
    @Override
    public String kind() {
      return "resume";
    }

    @Override
    public void addFields(ObjectNode line) {
      line.put("epoch", epoch);
      line.put("optimizerStates", optimizerStates);
    }

    @Override
    public String human() {
      return "resuming after epoch " + epoch + " from " + weights + (optimizerStates == 0
          ? " (no optimizer state saved: the optimizer starts afresh)"
          : " with the optimizer state of " + optimizerStates + " replica(s)");
    }
  }

  /** A replica lost its state with its executor: every replica restarts from the driver's weights. */
  record ReplicaRestart() implements TrainEvent {
    @Override
    public String kind() {
      return "replica_restart";
    }

    @Override
    public void addFields(ObjectNode line) {}

    @Override
    public String human() {
      return "a replica lost its state; restarting the replicas from the weights of the last synchronization";
    }
  }

  /** The run ended with {@code status}; {@code message} (or null) says why it failed. */
  record Finished(String status, int bestEpoch, String message) implements TrainEvent {
    @Override
    public String kind() {
      return "finished";
    }

    @Override
    public void addFields(ObjectNode line) {
      line.put("status", status);
      line.put("bestEpoch", bestEpoch);
      if (message != null) {
        line.put("message", message);
      }
    }

    @Override
    public String human() {
      return "finished: " + status + (bestEpoch > 0 ? ", best epoch " + bestEpoch : "")
          + (message != null ? ": " + message : "");
    }
  }
}
