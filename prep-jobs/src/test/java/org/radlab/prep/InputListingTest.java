package org.radlab.prep;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local listing (java.nio) must name, size and date every file exactly as Hadoop's file system API does: earlier
 * runs recorded Hadoop's spelling, and a file spelled differently would be converted again as a duplicate.
 */
class InputListingTest {
  @TempDir Path tmp;

  @Test
  void localListingEqualsHadoopsOnAwkwardNames() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in put"));
    String[] names = {"plain.dcm", "with space.dcm", "per%20cent.dcm", "hash#tag.dcm", "ümlaut-é.dcm",
        "brackets[1](2){3}.dcm", "a/b/c/deep.dcm", "a/b/sibling.dcm", "q?mark.dcm", "semi;colon&amp.dcm",
        "under_score.dcm", "_hidden.dcm", ".dotfile", "_tmp/inside.dcm", ".git/objects/x", "z/.radlab-synth",
        "trailing.dot."};
    long time = 1_700_000_000_123L;
    for (String name : names) {
      Path f = in.resolve(name);
      Files.createDirectories(f.getParent());
      Files.writeString(f, name.repeat(3));
      Files.setLastModifiedTime(f, FileTime.fromMillis(time += 1001));
    }
    Files.createDirectories(in.resolve("empty/folder"));
    Files.createSymbolicLink(in.resolve("link-to-file.dcm"), in.resolve("plain.dcm"));
    Files.createSymbolicLink(in.resolve("link-to-folder"), in.resolve("a/b"));
    Files.createSymbolicLink(in.resolve("dangling.dcm"), tmp.resolve("nowhere"));

    Configuration conf = new Configuration();
    InputListing local = InputListing.of(conf, in.toString());
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(in.toString());
    FileSystem fs = root.getFileSystem(conf);
    InputListing hadoop = InputListing.hadoop(fs, fs.getFileStatus(root).getPath());
    assertEquals(hadoop, local);

    // worked by hand: 17 names less 5 hidden (_hidden.dcm, .dotfile, z/.radlab-synth, and the folders _tmp/ and
    // .git/, counted once each), plus the link to a file and the link to a folder's 2 files; the dangling link is
    // no file
    assertEquals(15, local.files().size(), local.files().toString());
    assertEquals(5, local.skippedHidden());
    assertTrue(local.files().stream().anyMatch(f -> f.path().endsWith("/in put/with space.dcm")));
    assertTrue(local.files().stream().allMatch(f -> f.path().startsWith("file:/")), local.files().toString());
    SourceFile plain = local.files().stream().filter(f -> f.path().endsWith("/plain.dcm")).findFirst().orElseThrow();
    assertEquals("plain.dcm".length() * 3, plain.length());
    assertEquals(1_700_000_000_123L + 1001, plain.modificationTime());
    List<String> paths = local.files().stream().map(SourceFile::path).toList();
    assertEquals(paths.stream().sorted().toList(), paths, "in path order");
  }

  @Test
  void aLoopOfLinksIsLeftOutAndAnUnreadableInputFails() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("loop/in"));
    Files.writeString(in.resolve("one.dcm"), "1");
    Files.createSymbolicLink(in.resolve("back"), in);
    InputListing listing = InputListing.of(new Configuration(), in.toString());
    assertEquals(1, listing.files().size(), listing.files().toString());

    var missing = assertThrows(java.io.IOException.class,
        () -> InputListing.of(new Configuration(), tmp.resolve("absent").toString()));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
  }
}
