package org.radlab.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.Csv;

/**
 * A CSV of predictions, one row per study: some leading columns (an id, …, the reference class last), then one
 * probability column per class, the header naming the classes. A malformed row is an error naming its line.
 *
 * @param leading   each row's leading fields
 * @param reference each row's reference class index
 */
record PredictionsCsv(List<String> classes, List<List<String>> leading, int[] reference, double[][] probabilities) {

  /** Reads a file whose first {@code leadingColumns} columns come before the classes (the last is the reference). */
  static PredictionsCsv read(Path csv, int leadingColumns, String layout) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(csv + " is empty");
    }
    List<String> header = Csv.fields(lines.get(0));
    if (header.size() < leadingColumns + 2) {
      throw new IllegalArgumentException(csv + ": the header must be " + layout + "; got " + lines.get(0));
    }
    List<String> classes = List.copyOf(header.subList(leadingColumns, header.size()));
    Map<String, Integer> index = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      if (index.put(classes.get(c), c) != null) {
        throw new IllegalArgumentException(csv + ": class " + classes.get(c) + " appears twice in the header");
      }
    }
    List<List<String>> leading = new ArrayList<>();
    List<Integer> refs = new ArrayList<>();
    List<double[]> probs = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      List<String> f = Csv.fields(lines.get(i));
      String where = csv + " line " + (i + 1);
      if (f.size() != header.size()) {
        throw new IllegalArgumentException(where + ": " + f.size() + " fields, the header has " + header.size());
      }
      String label = f.get(leadingColumns - 1);
      Integer ref = index.get(label);
      if (ref == null) {
        throw new IllegalArgumentException(where + ": reference label '" + label + "' is not a class of the header "
            + classes);
      }
      double[] p = new double[classes.size()];
      for (int c = 0; c < p.length; c++) {
        try {
          p[c] = Double.parseDouble(f.get(c + leadingColumns));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": probability of " + classes.get(c) + " is not a number: '"
              + f.get(c + leadingColumns) + "'");
        }
        if (!(p[c] >= 0 && p[c] <= 1)) {
          throw new IllegalArgumentException(where + ": probability of " + classes.get(c) + " is outside [0, 1]: "
              + p[c]);
        }
      }
      leading.add(List.copyOf(f.subList(0, leadingColumns)));
      refs.add(ref);
      probs.add(p);
    }
    return new PredictionsCsv(classes, leading, refs.stream().mapToInt(Integer::intValue).toArray(),
        probs.toArray(new double[0][]));
  }
}
