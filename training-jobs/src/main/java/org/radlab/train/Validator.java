package org.radlab.train;

import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;

/**
 * How the driver judges the model after each epoch, on the held-out images: {@link StudyValidation} for a
 * classifier, {@link DetectionValidation} for a detector, {@link SegmentationValidation} for a segmenter. The
 * result is what the model card keeps of the best epoch, and what the monitored metric is read from.
 */
interface Validator {
  /** Validates {@code model} as it is now. */
  ModelCard.Validation evaluate(Replica model);

  /** The monitored metric of a validation, higher being better (the loss counts negated). */
  static double score(org.radlab.core.jobs.TrainConfig.Monitor monitor, ModelCard.Validation v) {
    return switch (monitor) {
      case AUC -> v.auc();
      case LOSS -> -v.loss();
      case KAPPA -> v.kappaLinear();
      case MAP -> v.map() == null ? Double.NaN : v.map();
      case DICE -> v.dice() == null ? Double.NaN : v.dice();
    };
  }
}
