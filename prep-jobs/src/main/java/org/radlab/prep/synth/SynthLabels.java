package org.radlab.prep.synth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.radlab.core.dataset.Csv;

/** Reads synth's {@code labels.csv}: one reader's density label per original StudyInstanceUID. */
public final class SynthLabels {
  /** The first reader's column (the reference in demos and tests). */
  public static final String READER_1 = "density";
  /** The second reader's column. */
  public static final String READER_2 = "density_reader2";

  private SynthLabels() {}

  /** Original StudyInstanceUID to the label in {@code column}, in file order. */
  public static Map<String, String> byStudy(Path labelsCsv, String column) throws IOException {
    List<String> lines = Files.readAllLines(labelsCsv);
    List<String> header = Csv.fields(lines.get(0));
    int study = header.indexOf("StudyInstanceUID");
    int label = header.indexOf(column);
    if (study < 0 || label < 0) {
      throw new IOException(labelsCsv + " has no StudyInstanceUID or " + column + " column: " + header);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      if (!line.isBlank()) {
        List<String> f = Csv.fields(line);
        labels.put(f.get(study), f.get(label));
      }
    }
    return labels;
  }
}
