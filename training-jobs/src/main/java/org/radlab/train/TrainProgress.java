package org.radlab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * {@code jobs/<id>/progress}: one JSON object per line, appended as training goes: {@code event} is {@code start},
 * {@code step} (after each synchronization round), {@code epoch} (after each validation), {@code resume},
 * {@code replica_restart} or {@code finished} (the {@link TrainEvent} records). A short human line goes to stderr as
 * well.
 */
final class TrainProgress {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  TrainProgress(Path jobDir) throws IOException {
    Files.createDirectories(jobDir);
    this.file = jobDir.resolve("progress");
  }

  /** Appends {@code event}'s line: {@code time}, {@code event}, then its fields; and prints its human line. */
  void write(TrainEvent event) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.now().toString());
    line.put("event", event.kind());
    event.addFields(line);
    write(line, event.human());
  }

  private void write(ObjectNode event, String human) {
    try {
      Files.writeString(file, JSON.writeValueAsString(event) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("train: cannot write progress to " + file + ": " + e.getMessage());
    }
    if (human != null) {
      System.err.println("train: " + human);
    }
  }

  Path file() {
    return file;
  }

  /** Empties the file: a run that starts afresh (no checkpoint to resume) does not continue an old log. */
  void reset() throws IOException {
    Files.deleteIfExists(file);
  }
}
