package org.radlab.prep.pacs;

import org.radlab.core.pacs.DicomWebClient;
import org.radlab.core.pacs.PacsSource;
import org.radlab.core.pacs.PacsSources;
import org.radlab.core.pacs.StudyQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.radlab.core.dataset.Csv;
import org.radlab.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code radlab pull}: studies from a PACS (DICOMweb or DIMSE) into a folder for {@code radlab prep}. */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = {"Find studies on a PACS and retrieve them, in parallel Spark tasks (one per study), into a folder "
        + "that 'radlab prep' reads: with DICOMweb (QIDO-RS, then WADO-RS), or, for a PACS without DICOMweb, over "
        + "DIMSE (a study-level C-FIND, then C-GET, or C-MOVE to this pull, which listens as RadLab's AE title while "
        + "it runs). Incremental: studies already here are not fetched again; a study that grew on the PACS gets "
        + "only its new instances.",
        "The PACS (a DICOMweb url and its credentials, or a DICOM node's host, port and AE titles) comes from a "
            + "sources file readable by its owner only (default $RADLAB_HOME/pacs.json; docs/pacs.md), never from "
            + "the command line.",
        "Prints a JSON summary. Exit status: 0 when every matched study is here, 1 when some failed (the summary "
            + "says why), 2 when the pull could not start (no PACS, refused credentials or association, bad "
            + "options)."},
    footer = {"", "Examples:",
        "  radlab pull --out /data/pulled/mammo --modality MG --from 2024-01-01 --to 2024-12-31",
        "  radlab pull --source main --out /data/pulled/study --studies accessions.csv",
        "  radlab pull --source old-pacs --out /data/pulled/ct --modality CT --from 2024-06-01   (a DIMSE source)",
        "  radlab prep --input /data/pulled/mammo --dataset radlab-home/datasets/mammo"})
public final class PullCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Folder to pull into (created readable by you only); on a cluster, one every executor can write.")
  Path out;

  @Option(names = "--source", paramLabel = "NAME",
      description = "Which PACS of the sources file (default: its only one).")
  String source;

  @Option(names = "--sources", paramLabel = "FILE",
      description = "The sources file (default: $RADLAB_HOME/pacs.json); it must not be readable by others.")
  Path sources;

  @Option(names = "--modality", paramLabel = "CODE", description = "Only studies holding this modality, e.g. MG.")
  String modality;

  @Option(names = "--from", paramLabel = "DATE", description = "Only studies on or after this date (YYYY-MM-DD).")
  String from;

  @Option(names = "--to", paramLabel = "DATE", description = "Only studies on or before this date (YYYY-MM-DD).")
  String to;

  @Option(names = "--description", paramLabel = "TEXT",
      description = "Only studies whose description matches (DICOM wildcards * and ?), e.g. '*SCREENING*'.")
  String description;

  @Option(names = "--studies", paramLabel = "CSV",
      description = "Pull exactly these studies: a CSV whose header names a column study_uid or accession_number. "
          + "The filters above still apply to each.")
  Path studies;

  @Option(names = "--dry-run", description = "Say what would be retrieved; write nothing.")
  boolean dryRun;

  @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
      description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  @Override
  public Integer call() throws Exception {
    PacsSource pacs = PacsSources.read(sources != null ? sources : PacsSources.defaultFile()).get(source);
    StudyQuery filter = new StudyQuery(modality == null ? null : modality.toUpperCase(Locale.ROOT), date(from, "--from"),
        date(to, "--to"), description, null, null);
    List<StudyQuery> queries = studies == null ? List.of(filter) : listed(studies, filter);
    PullJob.Plan plan = PullJob.plan(new PullJob.Request(pacs, queries, out, dryRun), System.err);
    PullJob.Summary summary;
    if (plan.needsSpark()) {
      SparkSession spark = SparkSessions.start("radlab-pull", master);
      try {
        summary = PullJob.retrieve(spark, plan, System.err);
      } finally {
        spark.stop();
      }
    } else {
      summary = plan.nothingRetrieved();
    }
    System.out.println(summary.toJson());
    return summary.failed().isEmpty() ? 0 : 1;
  }

  private static LocalDate date(String text, String option) {
    if (text == null) {
      return null;
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " must be a date as YYYY-MM-DD, got '" + text + "'");
    }
  }

  /** One query per listed study: by StudyInstanceUID or by accession number, as the CSV's header says. */
  static List<StudyQuery> listed(Path csv, StudyQuery filter) throws java.io.IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(csv + " is empty: expected a header naming study_uid or accession_number");
    }
    List<String> header = Csv.fields(lines.get(0)).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    int uid = header.indexOf("study_uid");
    int accession = header.indexOf("accession_number");
    if (uid < 0 && accession < 0) {
      throw new IllegalArgumentException(csv + ": the header " + header + " names neither study_uid nor"
          + " accession_number");
    }
    List<StudyQuery> queries = new ArrayList<>();
    Csv.rows(lines, csv.toString(), header.size(), "the header's " + header.size() + " columns", (where, f) -> {
      if (uid >= 0) {
        if (!DicomWebClient.isUid(f.get(uid))) {
          throw new IllegalArgumentException(where + ": '" + f.get(uid) + "' is not a DICOM UID");
        }
        queries.add(filter.withStudyUid(f.get(uid)));
      } else if (f.get(accession).matches(".*[*?\\\\].*")) {
        throw new IllegalArgumentException(where + ": '" + f.get(accession) + "' is not an accession number (a"
            + " wildcard or a backslash would match other studies)");
      } else if (!f.get(accession).isEmpty()) {
        queries.add(filter.withAccessionNumber(f.get(accession)));
      }
    });
    if (queries.isEmpty()) {
      throw new IllegalArgumentException(csv + " lists no study");
    }
    return queries;
  }
}
