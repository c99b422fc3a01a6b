package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.radlab.core.dataset.Csv;
import org.radlab.core.metrics.MetricsReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab metrics}: the full metric set for predictions made anywhere, from a CSV file. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = "Compute kappa, AUC, the confusion matrix, sensitivity, specificity, PPV, NPV, F1 and the ROC "
        + "curve, with bootstrap confidence intervals, for predictions made anywhere (for example by a vendor's AI "
        + "product). Input: a CSV with one row per study: an id, the reference label, then one probability column "
        + "per class, the header naming the classes. Output: JSON on stdout (the shape of metrics.json).",
    footer = {"", "Example (breast density, dense = C and D):",
        "  radlab metrics --predictions vendor.csv --positive C,D --threshold 0.5",
        "  with vendor.csv:  study,reference,A,B,C,D",
        "                    1.2.3,B,0.1,0.6,0.2,0.1"})
public final class MetricsCommand implements Callable<Integer> {
  @Option(names = "--predictions", required = true, paramLabel = "FILE.csv", description = "The predictions.")
  Path predictions;

  @Option(names = "--positive", split = ",", paramLabel = "CLASS[,CLASS]",
      description = "Positive class(es) of the binary view (default: the last class).")
  List<String> positive = new ArrayList<>();

  @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "P",
      description = "Positive when the positive classes' summed probability is at least P (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N",
      description = "Bootstrap resamples of the studies for the confidence intervals; 0 for none "
          + "(default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(names = "--level", defaultValue = "0.95", paramLabel = "L",
      description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
  double level;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--charts", paramLabel = "DIR",
      description = "Also write the confusion matrix and the ROC curve as PNG and SVG into DIR.")
  Path charts;

  @Override
  public Integer call() throws IOException {
    MetricsReport report = compute(predictions, new MetricsReport.Options(positive, threshold, resamples, level, seed));
    System.out.println(JSON.writeValueAsString(report));
    if (charts != null) {
      for (Path p : Charts.forReport(report, predictions.getFileName().toString(), charts)) {
        System.err.println("metrics: wrote " + p);
      }
    }
    return 0;
  }

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Reads the CSV and computes the report; a malformed file is an error naming the line. */
  static MetricsReport compute(Path csv, MetricsReport.Options options) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(csv + " is empty");
    }
    List<String> header = Csv.fields(lines.get(0));
    if (header.size() < 4) {
      throw new IllegalArgumentException(csv + ": the header must be ID,REFERENCE,CLASS1,CLASS2[,...]; got "
          + lines.get(0));
    }
    List<String> classes = header.subList(2, header.size());
    Map<String, Integer> index = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      if (index.put(classes.get(c), c) != null) {
        throw new IllegalArgumentException(csv + ": class " + classes.get(c) + " appears twice in the header");
      }
    }
    List<int[]> refs = new ArrayList<>();
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
      Integer ref = index.get(f.get(1));
      if (ref == null) {
        throw new IllegalArgumentException(where + ": reference label '" + f.get(1) + "' is not a class of the header "
            + classes);
      }
      double[] p = new double[classes.size()];
      for (int c = 0; c < p.length; c++) {
        try {
          p[c] = Double.parseDouble(f.get(c + 2));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": probability of " + classes.get(c) + " is not a number: '"
              + f.get(c + 2) + "'");
        }
        if (!(p[c] >= 0 && p[c] <= 1)) {
          throw new IllegalArgumentException(where + ": probability of " + classes.get(c) + " is outside [0, 1]: "
              + p[c]);
        }
      }
      refs.add(new int[] {ref});
      probs.add(p);
    }
    int[] reference = refs.stream().mapToInt(r -> r[0]).toArray();
    return MetricsReport.compute(classes, reference, probs.toArray(new double[0][]), options);
  }
}
