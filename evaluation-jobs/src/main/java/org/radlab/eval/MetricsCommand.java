package org.radlab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
    PredictionsCsv table = PredictionsCsv.read(csv, 2, "ID,REFERENCE,CLASS1,CLASS2[,...]");
    return MetricsReport.compute(table.classes(), table.reference(), table.probabilities(), options);
  }
}
