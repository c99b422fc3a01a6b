package org.radlab.core.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void deletesTreesWithoutFollowingLinks() throws Exception {
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "keep me");
    Path tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("a/b/file"), "x");
    Files.createSymbolicLink(tree.resolve("a/link"), outside);

    FileTrees.deleteContents(tree);
    assertTrue(Files.isDirectory(tree));
    try (var entries = Files.list(tree)) {
      assertEquals(0, entries.count());
    }
    assertEquals("keep me", Files.readString(outside));

    Files.createDirectories(tree.resolve("c"));
    FileTrees.delete(tree);
    assertFalse(Files.exists(tree));
    FileTrees.delete(tree); // absent: nothing to do
    assertTrue(Files.exists(outside));
  }
}
