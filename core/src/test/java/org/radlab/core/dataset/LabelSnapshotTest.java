package org.radlab.core.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelSnapshotTest {
  @TempDir Path dir;

  @Test
  void readsRowsInOrderWithQuotedFields() throws IOException {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "study_uid,label\n2.25.1,A\n2.25.2,\"scattered, fibroglandular\"\n\n2.25.3,\"say \"\"D\"\"\"\n");
    Map<String, String> m = LabelSnapshot.read(f);
    assertEquals(List.of("2.25.1", "2.25.2", "2.25.3"), List.copyOf(m.keySet()));
    assertEquals("scattered, fibroglandular", m.get("2.25.2"));
    assertEquals("say \"D\"", m.get("2.25.3"));
  }

  @Test
  void badFilesAreRefusedWithTheLine() throws IOException {
    Path noHeader = dir.resolve("h.csv");
    Files.writeString(noHeader, "uid,label\n1,A\n");
    assertTrue(assertThrows(IOException.class, () -> LabelSnapshot.read(noHeader)).getMessage()
        .contains("header study_uid,label"));
    Path conflict = dir.resolve("c.csv");
    Files.writeString(conflict, "study_uid,label\n1,A\n1,B\n");
    assertTrue(assertThrows(IOException.class, () -> LabelSnapshot.read(conflict)).getMessage().contains("line 3"));
    assertTrue(assertThrows(IOException.class, () -> LabelSnapshot.read(dir.resolve("missing.csv"))).getMessage()
        .contains("radlab labels import"));
  }
}
