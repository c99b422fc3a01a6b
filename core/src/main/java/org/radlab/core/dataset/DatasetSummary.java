package org.radlab.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The dataset's {@code summary.json}: totals over every run so far, plus what the latest run did. Prep writes it;
 * {@link #read} is how everything else reads it.
 *
 * @param convertedFiles   input files converted (a multi-frame file counts once)
 * @param images           images in {@code images.parquet} (one per frame)
 * @param rejected         input files in {@code private/rejects.parquet}
 * @param transferSyntaxes per transfer syntax UID: its name and its converted and rejected file counts
 * @param rejectReasons    per reject reason: its count
 * @param tensorMean       mean of all tensor values (they lie in [0,1]); training subtracts it
 * @param tensorStd        standard deviation of all tensor values; training divides by it
 * @param skippedHidden    hidden files and folders (names starting with {@code .} or {@code _}) the latest run's
 *                         listing of the input skipped; they are neither converted nor rejected
 * @param lastRun          the latest run: files listed, files it converted or rejected, elapsed seconds, and
 *                         where they went ({@link LastRun#phaseSeconds})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatasetSummary(
    @JsonProperty("converted") long convertedFiles,
    long images,
    long rejected,
    Map<String, SyntaxCount> transferSyntaxes,
    Map<String, Long> rejectReasons,
    Double tensorMean,
    Double tensorStd,
    long skippedHidden,
    LastRun lastRun) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SyntaxCount(String name, long converted, long rejected) {}

  /**
   * @param phaseSeconds seconds per phase of the run, in the order they ran: {@code runs} (finding completed runs and
   *     removing unfinished ones), {@code list} (the input listing), {@code known} (which of the listed files
   *     earlier runs converted), {@code headers} (the Spark job
   *     reading each file's ids), {@code duplicates} (the duplicate decision, with the wait for the earlier runs'
   *     instances, which are read during the listing and the headers), {@code convert} (the Spark job converting), {@code catalog} (the run's catalog part, its marker
   *     and {@code images.csv}), {@code summary}; null in summaries written before it existed. All but
   *     {@code headers} and {@code convert} run on the driver alone.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LastRun(long filesListed, long filesProcessed, double elapsedSeconds,
      Map<String, Double> phaseSeconds) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The summary in {@code file}; fields a later version added are ignored. */
  public static DatasetSummary read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), DatasetSummary.class);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

}
