package org.radlab.core.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A label snapshot: the immutable CSV {@code radlab labels import} and the control API write, a header {@code study_uid,label} and one
 * row per pseudonymous study. Fields may be quoted as in RFC 4180 ({@code "a,b"}, {@code ""} for a quote).
 */
public final class LabelSnapshot {
  private LabelSnapshot() {}

  /** The snapshot's text for {@code labels} (study UID to label), in their order; fields quoted where needed. */
  public static String csv(Map<String, String> labels) {
    StringBuilder text = new StringBuilder("study_uid,label\n");
    labels.forEach((study, label) -> text.append(Csv.quote(study)).append(',').append(Csv.quote(label)).append('\n'));
    return text.toString();
  }

  /** Study UID to label, in file order. */
  public static Map<String, String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("label snapshot " + file + " does not exist (create one with radlab labels import)");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !Csv.fields(lines.get(0)).equals(List.of("study_uid", "label"))) {
      throw new IOException("label snapshot " + file + " must start with the header study_uid,label");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      List<String> f = Csv.fields(lines.get(i));
      if (f.size() != 2 || f.get(0).isBlank()) {
        throw new IOException(file + " line " + (i + 1) + ": expected study_uid,label, got: " + lines.get(i));
      }
      String before = labels.put(f.get(0), f.get(1));
      if (before != null && !before.equals(f.get(1))) {
        throw new IOException(file + " line " + (i + 1) + ": study " + f.get(0) + " is labelled both " + before
            + " and " + f.get(1));
      }
    }
    return labels;
  }

  /**
   * Each class name's index in {@code classes}, after checking that every label names one of them.
   *
   * @param whose who lists the classes, for the error ("the config", "the models")
   * @throws IllegalArgumentException naming the unknown classes and how many studies carry each
   */
  public static Map<String, Integer> classIndex(Map<String, String> labels, List<String> classes, String whose) {
    Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      index.put(classes.get(i), i);
    }
    Map<String, Integer> unknown = new java.util.TreeMap<>();
    labels.values().forEach(l -> {
      if (!index.containsKey(l)) {
        unknown.merge(l, 1, Integer::sum);
      }
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the labels use classes not listed by " + whose + ": " + unknown
          + " (studies per class); the classes listed are " + classes);
    }
    return index;
  }
}
