package org.radlab.core.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the sources file's errors say: where the mistake is, never the text around it (a password may be there), and
 * a url with credentials in it is refused without repeating them. A PACS query as an input parses into its source and
 * study query.
 */
class PacsSourcesTest {
  @TempDir Path tmp;

  @Test
  void aMalformedFileIsDescribedByLineAndColumnNotByItsText() throws Exception {
    Path file = tmp.resolve("pacs.json");
    // the password left unquoted: a JSON mistake whose text is the password
    Files.writeString(file, "{\"sources\": {\"main\": {\"url\": \"http://pacs/dicom-web\", \"user\": \"u\",\n"
        + "  \"password\": hunter2secret}}}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PacsSources.read(file));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("not valid JSON (line 2, column"), e.getMessage());
  }

  @Test
  void aUrlWithCredentialsIsRefusedWithoutThem() {
    for (String url : new String[] {"https://u:hunter2@pacs/dicom-web", "ftp://u:hunter2@pacs/",
        "http://u:hunter2@pa cs/"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new PacsSource("main", url, null, null));
      assertFalse(e.getMessage().contains("hunter2"), url + ": " + e.getMessage());
    }
  }

  @Test
  void aPacsQueryParsesIntoItsSourceAndStudyQuery() {
    DicomWebInput in = DicomWebInput.parse("dicomweb://main?modality=mg&from=2024-01-01&description=*SCREEN+ING*");
    assertEquals("main", in.source());
    assertEquals(new StudyQuery("MG", LocalDate.of(2024, 1, 1), null, "*SCREEN ING*", null, null), in.query());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DicomWebInput.parse("dicomweb://main?modalty=MG"));
    assertTrue(e.getMessage().contains("unknown key 'modalty'"), e.getMessage());
  }
}
