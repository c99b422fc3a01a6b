package org.radlab.core.deid;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudonymizerTest {
  private static final byte[] SECRET_A = "0123456789abcdef0123456789abcdef".getBytes();
  private static final byte[] SECRET_B = "fedcba9876543210fedcba9876543210".getBytes();

  @Test
  void uidsAreConsistentValidAndKeyed() {
    var a = new Pseudonymizer(SECRET_A);
    String original = "1.2.840.113619.2.55.3.604688119.971.1296115416.123";
    String p1 = a.uid(original);
    assertEquals(p1, new Pseudonymizer(SECRET_A).uid(original), "same secret, same pseudonym");
    assertNotEquals(p1, new Pseudonymizer(SECRET_B).uid(original), "another secret, another pseudonym");
    assertNotEquals(p1, a.uid(original + "4"));
    assertTrue(p1.matches("2\\.25\\.[1-9][0-9]*"), p1);
    assertTrue(p1.length() <= 64, "a DICOM UID has at most 64 characters: " + p1);
    assertFalse(p1.contains(original));
    assertNull(a.uid(null));
  }

  @Test
  void patientIdsHideTheOriginal() {
    var a = new Pseudonymizer(SECRET_A);
    String p = a.patientId("MRN-000123");
    assertTrue(p.matches("P-[0-9a-f]{16}"), p);
    assertFalse(p.contains("000123"));
    assertEquals("P-unknown", a.patientId(" "));
  }

  @Test
  void shiftedDatesKeepIntervalsWithinAPatient() {
    var a = new Pseudonymizer(SECRET_A);
    String first = a.date("20240115", "MRN-1", DatePolicy.SHIFT);
    String second = a.date("20250320", "MRN-1", DatePolicy.SHIFT);
    var f = DateTimeFormatter.BASIC_ISO_DATE;
    long originalGap = ChronoUnit.DAYS.between(LocalDate.of(2024, 1, 15), LocalDate.of(2025, 3, 20));
    assertEquals(originalGap, ChronoUnit.DAYS.between(LocalDate.parse(first, f), LocalDate.parse(second, f)));
    long shift = ChronoUnit.DAYS.between(LocalDate.of(2024, 1, 15), LocalDate.parse(first, f));
    assertTrue(shift <= -1 && shift >= -365, "shift " + shift);
    assertEquals("20240115", a.date("20240115", "MRN-1", DatePolicy.KEEP));
    assertNull(a.date("20240115", "MRN-1", DatePolicy.REMOVE));
    assertNull(a.date("2024-13-45", "MRN-1", DatePolicy.SHIFT), "an invalid date is dropped, not guessed");
  }

  @Test
  void differentPatientsUsuallyGetDifferentShifts() {
    var a = new Pseudonymizer(SECRET_A);
    long distinct = java.util.stream.IntStream.range(0, 50)
        .map(i -> a.dateShiftDays("patient-" + i)).distinct().count();
    assertTrue(distinct > 30, "only " + distinct + " distinct shifts over 50 patients");
  }

  @Test
  void shortSecretsAreRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Pseudonymizer(new byte[8]));
    assertTrue(e.getMessage().contains("16 bytes"));
  }

  @Test
  void siteSecretIsCreatedOnceAndPrivate(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("home/site-secret");
    byte[] first = SiteSecret.loadOrCreate(file);
    byte[] again = SiteSecret.loadOrCreate(file);
    assertArrayEquals(first, again);
    assertEquals(32, first.length);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(file)));
    Files.writeString(dir.resolve("short"), "abcd");
    assertThrows(java.io.IOException.class, () -> SiteSecret.load(dir.resolve("short")));
  }
}
