package org.radlab.prep;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab labels}: label snapshots for training and evaluation. */
@Command(name = "labels", mixinStandardHelpOptions = true, subcommands = LabelsCommand.Import.class,
    description = "Manage label snapshots (immutable CSV files under $RADLAB_HOME/labels).")
public final class LabelsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Map a label CSV keyed by original StudyInstanceUID onto a dataset's pseudonymous study UIDs "
          + "and write an immutable label snapshot. Unknown studies and classes are reported, not dropped silently.")
  public static final class Import implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Dataset written by radlab prep.")
    String dataset;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "Labels, with a header row.")
    Path csv;

    @Option(names = "--study-column", defaultValue = "StudyInstanceUID", paramLabel = "NAME",
        description = "Column holding the original StudyInstanceUID (default: ${DEFAULT-VALUE}).")
    String studyColumn;

    @Option(names = "--label-column", defaultValue = "density", paramLabel = "NAME",
        description = "Column holding the label (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--classes", split = ",", paramLabel = "A,B,...",
        description = "Allowed labels; others are reported as unknown classes. Default: accept every label.")
    List<String> classes;

    @Option(names = "--private-dir", paramLabel = "DIR", description = "Id map location (default: DATASET/private).")
    String privateDir;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Snapshot file (default: $RADLAB_HOME/labels/<dataset>-<column>-<hash>.csv).")
    Path out;

    @Option(names = "--strict", description = "Exit with status 3 when any row was unusable.")
    boolean strict;

    @Override
    public Integer call() throws Exception {
      var request = new LabelImport.Request(dataset, privateDir, csv, studyColumn, labelColumn, classes,
          org.radlab.core.Workspace.current().labels(), out);
      SparkSession spark = SparkSessions.start("radlab-labels", "local[2]");
      try {
        LabelImport.Report report = LabelImport.run(spark, request);
        System.out.println(LabelImport.describe(report));
        boolean unusable = !report.unknownStudies().isEmpty() || !report.unknownClasses().isEmpty()
            || report.emptyLabels() > 0 || !report.conflictingStudies().isEmpty();
        return strict && unusable ? 3 : 0;
      } finally {
        spark.stop();
      }
    }
  }
}
