package org.radlab.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.metrics.Auc;
import org.radlab.core.metrics.ConfusionMatrix;
import org.radlab.core.metrics.Kappa;
import org.radlab.core.model.ModelCard;
import org.radlab.core.model.Replica;

/**
 * Study-level validation on the driver: the held-out images go through the model in batches, each study's class
 * probabilities are the mean over its images, and the study's predicted class is the most probable one. Scores
 * linear-weighted kappa, AUC (binary, or else macro one-against-the-rest), accuracy and the mean loss per image.
 */
final class StudyValidation implements Validator {
  private static final int BATCH = 32;

  private final int classes;
  private final int side;
  private final List<TensorShards.Sample> samples;
  private final Map<String, String> studyOf = new LinkedHashMap<>();

  /**
   * Validation on {@code samples}, the preprocessed images of {@code examples} (which give each image's study), as
   * {@code side} × {@code side} model inputs of {@code classes} classes.
   */
  StudyValidation(int classes, int side, List<TrainingSet.Example> examples, List<TensorShards.Sample> samples) {
    this.classes = classes;
    this.side = side;
    this.samples = samples;
    examples.forEach(e -> studyOf.put(e.imageId(), e.studyUid()));
  }

  @Override
  public ModelCard.Validation evaluate(Replica model) {
    Map<String, double[]> studyProbabilities = new LinkedHashMap<>();
    Map<String, Integer> studyImages = new LinkedHashMap<>();
    Map<String, Integer> studyLabel = new LinkedHashMap<>();
    double lossSum = 0;
    for (int from = 0; from < samples.size(); from += BATCH) {
      List<TensorShards.Sample> part = samples.subList(from, Math.min(samples.size(), from + BATCH));
      float[] x = new float[part.size() * side * side];
      int[] y = new int[part.size()];
      for (int i = 0; i < part.size(); i++) {
        System.arraycopy(part.get(i).pixels(), 0, x, i * side * side, side * side);
        y[i] = part.get(i).label();
      }
      Replica.Evaluation batchResult = model.evaluate(x, y);
      float[][] p = batchResult.probabilities();
      lossSum += (double) batchResult.loss() * part.size();
      for (int i = 0; i < part.size(); i++) {
        String study = studyOf.get(part.get(i).imageId());
        double[] acc = studyProbabilities.computeIfAbsent(study, k -> new double[classes]);
        for (int c = 0; c < classes; c++) {
          acc[c] += p[i][c];
        }
        studyImages.merge(study, 1, Integer::sum);
        studyLabel.put(study, y[i]);
      }
    }
    int n = studyProbabilities.size();
    double[][] probs = new double[n][];
    int[] reference = new int[n];
    int[] predicted = new int[n];
    int i = 0;
    for (var e : studyProbabilities.entrySet()) {
      double[] p = e.getValue();
      int count = studyImages.get(e.getKey());
      int arg = 0;
      for (int c = 0; c < classes; c++) {
        p[c] /= count;
        if (p[c] > p[arg]) {
          arg = c;
        }
      }
      probs[i] = p;
      reference[i] = studyLabel.get(e.getKey());
      predicted[i] = arg;
      i++;
    }
    ConfusionMatrix cm = ConfusionMatrix.of(reference, predicted, classes);
    return new ModelCard.Validation(n, Kappa.of(cm, Kappa.Weighting.LINEAR), auc(probs, reference), cm.accuracy(),
        lossSum / Math.max(1, samples.size()), cm.counts(), null, null, null, null);
  }

  private double auc(double[][] probs, int[] reference) {
    int n = probs.length;
    if (classes == 2) {
      double[] s = new double[n];
      boolean[] pos = new boolean[n];
      for (int k = 0; k < n; k++) {
        s[k] = probs[k][1];
        pos[k] = reference[k] == 1;
      }
      return Auc.binary(s, pos);
    }
    return Auc.macroOneVsRest(probs, reference, classes);
  }
}
