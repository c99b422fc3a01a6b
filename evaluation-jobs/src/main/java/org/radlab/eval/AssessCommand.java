package org.radlab.eval;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.radlab.core.jobs.AssessConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab assess}: a deployed model's recorded predictions against the radiologists' reads, over time. */
@Command(name = "assess", mixinStandardHelpOptions = true,
    description = "Assess a deployed model from its recorded predictions and the radiologists' reads: metrics at "
        + "a threshold, a threshold sweep, the ROC curve, probability over time with false positives and false "
        + "negatives flagged, and a per-period drift table (kappa, AUC, positive rates). Writes assessment.json "
        + "and charts (PNG and SVG). A detector (\"task\": \"detection\" in the config) is assessed by mAP and AP50 "
        + "over all its boxes, and by mean IoU, sensitivity and false positives per case over the boxes it shows (score "
        + "at least the threshold), overall and per period. A segmenter (\"task\": \"segmentation\" and its "
        + "\"classes\") is assessed by Dice, IoU and HD95 per class, overall and per period, and by its volumes' "
        + "Bland-Altman agreement with the reads.",
    footer = {"", "Config fields: docs/evaluation.md. Input CSV: ID,DATE,READ,CLASS1,CLASS2,... e.g.",
        "  study,date,read,A,B,C,D",
        "  1.2.3,2024-03-01,C,0.05,0.25,0.5,0.2",
        "A detector's: case,date,source,x_min,y_min,x_max,y_max,label,score (source: model or read; a case a "
            + "source found nothing on has one row of it with empty box fields), e.g.",
        "  case,date,source,x_min,y_min,x_max,y_max,label,score",
        "  c1,2024-03-01,model,10,12,40,44,mass,0.91",
        "  c1,2024-03-01,read,11,10,42,45,mass,",
        "  c2,2024-03-02,model,,,,,,",
        "  c2,2024-03-02,read,,,,,,",
        "A segmenter's: case,date,source,width,height,slices,row_spacing,column_spacing,slice_spacing,runs (one "
            + "model and one read row per case over the same voxels, runs as in a mask snapshot), e.g.",
        "  " + SegmentationAssessment.LAYOUT,
        "  c1,2024-03-01,model,4,2,1,1,1,2,1*2 0*3 1*1 2*2"})
public final class AssessCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", required = true, description = "The assessment config (JSON).")
  Path config;

  @Override
  public Integer call() throws Exception {
    AssessConfig cfg = AssessConfig.read(config);
    if (cfg.task() == org.radlab.core.task.TaskType.DETECTION) {
      System.out.println(DetectionAssessment.describe(DetectionAssessment.run(cfg)));
      System.out.println("results: " + cfg.output());
      return 0;
    }
    AssessJob.Assessment a = AssessJob.run(cfg);
    System.out.printf("%d studies; at threshold %.2f: sensitivity %.3f, specificity %.3f, kappa %.3f; AUC %.3f%n",
        a.overall().cases(), a.overall().binary().threshold(), a.overall().binary().sensitivity(),
        a.overall().binary().specificity(), a.overall().binary().kappa(), a.overall().binary().auc());
    for (AssessJob.PeriodRow r : a.drift()) {
      System.out.printf("  %-8s studies %4d  kappa %.3f  AUC %.3f  called positive %.2f  read positive %.2f%n",
          r.period(), r.studies(), r.kappaLinear(), r.auc(), r.predictedPositiveRate(), r.referencePositiveRate());
    }
    System.out.println("results: " + cfg.output());
    return 0;
  }
}
