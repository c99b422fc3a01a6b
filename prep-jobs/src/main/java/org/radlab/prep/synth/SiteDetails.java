package org.radlab.prep.synth;

import java.util.List;
import java.util.Locale;

/**
 * Identifying attributes a real site's modality writes besides the patient's and the study's own: the institution's
 * address and department, the performing physician, and the hospital's other patient identifier. Each is derived
 * from values a study already has, so adding them changes no other draw of a synthetic run.
 */
final class SiteDetails {
  static final List<String> ADDRESSES = List.of("14 Quarry Bank Lane, Ravenscourt RC4 7JD",
      "221 Aldhelm Crescent, Wexbury WX9 2PL", "1 Northmere Infirmary Road, Northmere NM2 8QT",
      "78 Calloway Parkway, Suite 300, Calloway Valley CV1 5HZ");
  static final List<String> DEPARTMENTS = List.of("Ravenscourt Breast Screening Unit",
      "Aldhelm Mammography Suite", "Northmere Department of Breast Imaging", "Calloway Women's Radiology");
  static final List<String> PERFORMING_PHYSICIANS = List.of("Wetherspoon^Cordelia^^Dr.", "Adeyemi^Folasade^^Dr.",
      "Grimaldi-Hart^Orsolya^^Dr.", "Sandoval^Teodoro^^Dr.");

  private SiteDetails() {}

  static String address(String institution) {
    return ADDRESSES.get(site(institution));
  }

  static String department(String institution) {
    return DEPARTMENTS.get(site(institution));
  }

  static String performingPhysician(int studyIndex) {
    return PERFORMING_PHYSICIANS.get(Math.floorMod(studyIndex, PERFORMING_PHYSICIANS.size()));
  }

  /** The hospital's own record number for the patient: {@code HRN} and eight digits, distinct per patient id. */
  static String otherPatientId(String patientId) {
    long digits = Long.parseLong(patientId.replaceAll("\\D", "").isEmpty() ? "0" : patientId.replaceAll("\\D", ""));
    return String.format(Locale.ROOT, "HRN%08d", Math.floorMod(digits * 7919L + 13_579_246L, 100_000_000L));
  }

  private static int site(String institution) {
    int i = SyntheticIdentities.INSTITUTIONS.indexOf(institution);
    return i >= 0 ? i : Math.floorMod(institution.hashCode(), ADDRESSES.size());
  }
}
