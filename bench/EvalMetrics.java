import java.util.List;
import java.util.Random;
import org.radlab.core.metrics.MetricsReport;

/**
 * bench/eval's metrics part: the full metric set (MetricsReport: confusion matrix, three kappas, per-class and macro
 * AUC, the binary view, ROC, and bootstrap intervals for linear kappa, macro AUC and binary AUC) on N synthetic
 * 4-class predictions with R resamples. Prints "cases=N resamples=R seconds=S". Usage: EvalMetrics N R
 */
public class EvalMetrics {
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int resamples = Integer.parseInt(args[1]);
    Random random = new Random(1);
    int[] reference = new int[n];
    double[][] p = new double[n][4];
    for (int i = 0; i < n; i++) {
      reference[i] = random.nextInt(4);
      double sum = 0;
      for (int c = 0; c < 4; c++) {
        p[i][c] = random.nextDouble() + (c == reference[i] ? 0.8 : 0);
        sum += p[i][c];
      }
      for (int c = 0; c < 4; c++) {
        p[i][c] /= sum;
      }
    }
    long t0 = System.nanoTime();
    MetricsReport r = MetricsReport.compute(List.of("A", "B", "C", "D"), reference, p,
        new MetricsReport.Options(List.of("C", "D"), 0.5, resamples, 0.95, 1));
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("cases=%d resamples=%d seconds=%.2f kappa=%.4f ci=[%.4f,%.4f]%n", n, resamples, seconds,
        r.kappa().get("linear"), r.kappaLinearCi().lower(), r.kappaLinearCi().upper());
  }
}
