package org.radlab.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file replaced whole, its folder made when missing, and the old file kept when writing the new one fails. */
class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void replacesWholeAndKeepsTheOldFileWhenTheWriterFails() throws IOException {
    Path file = tmp.resolve("a/b/card.json");
    AtomicFiles.writeString(file, "first, longer content\n");
    AtomicFiles.writeString(file, "second\n");
    assertEquals("second\n", Files.readString(file));

    IOException failure = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
      out.write("half of a th".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", failure.getMessage());
    assertEquals("second\n", Files.readString(file));
    try (var names = Files.list(file.getParent())) {
      assertEquals(List.of("card.json"), names.map(p -> p.getFileName().toString()).toList(), "no partial file left");
    }
  }
}
