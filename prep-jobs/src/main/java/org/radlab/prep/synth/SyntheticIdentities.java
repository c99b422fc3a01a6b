package org.radlab.prep.synth;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Realistic-looking but invented identifiers: the values de-identification has to remove. Every identifier has a
 * recognisable shape so a test can search output for it: patient IDs start with {@code RLX}, accession numbers with
 * {@code RLA}, study IDs with {@code MG}; names, institutions and physicians come from the fixed lists below.
 */
final class SyntheticIdentities {
  static final List<String> FAMILY_NAMES = List.of("Quillfeather", "Marchbanks", "Vantongeren", "Okonkwo-Hale",
      "Threlkeld", "Abernethy", "Castellanos-Reyes", "Lindqvist", "Nakamura-Blythe", "Oyelaran", "Przybylski",
      "Drummond-Vance", "Halvorsen", "Esterhazy", "Moncrieff", "Tadesse", "Vukovich", "Ferreira-Lund",
      "Achterberg", "Ravensworth", "Kowalczyk", "Ishikawa", "Delacroix-Maun", "Brightwater");
  static final List<String> GIVEN_NAMES = List.of("Ottilie", "Marisol", "Henrike", "Adaeze", "Linnea", "Philippa",
      "Yesenia", "Ingeborg", "Rosalind", "Noor", "Thandiwe", "Beatrix", "Solveig", "Imogen", "Esperanza", "Keziah",
      "Valentina", "Wilhelmina", "Aurelie", "Saoirse", "Magdalena", "Temperance", "Oluwaseun", "Clementine");
  static final List<String> INSTITUTIONS = List.of("Ravenscourt Women's Imaging Center", "St. Aldhelm Breast Clinic",
      "Northmere University Hospital", "Calloway Valley Radiology");
  static final List<String> REFERRING_PHYSICIANS = List.of("Pemberton-Ashe^Lucian^^Dr.", "Okafor^Chidinma^^Dr.",
      "Van Rensburg^Hendrik^P^Dr.", "Saltonstall^Margery^^Dr.", "Ilunga^Mwamba^^Dr.", "Farquharson^Elspeth^^Dr.");
  static final List<String> OPERATORS = List.of("Tremblay^Genevieve", "Mbeki^Zodwa", "Harrowgate^Pip",
      "Lindgren^Astrid");

  private static final long ID_SPACE = 10_000_000L;
  private static final long ACCESSION_SPACE = 1_000_000_000L;
  private static final long STUDY_ID_SPACE = 1_000_000L;

  private SyntheticIdentities() {}

  /** {@code RLX} and seven digits, distinct for every patient index below ten million. */
  static String patientId(long seed, int patientIndex) {
    return "RLX" + spread(seed, "patient-id", patientIndex, 3_847_219L, ID_SPACE, 7);
  }

  /** {@code RLA} and nine digits, distinct for every study index of a run. */
  static String accessionNumber(long seed, int studyIndex) {
    return "RLA" + spread(seed, "accession", studyIndex, 387_420_489L, ACCESSION_SPACE, 9);
  }

  /** {@code MG} and six digits, distinct for every study index below a million. */
  static String studyId(long seed, int studyIndex) {
    return "MG" + spread(seed, "study-id", studyIndex, 494_837L, STUDY_ID_SPACE, 6);
  }

  /** Family^Given^MiddleInitial. */
  static String patientName(SplittableRandom rng) {
    String family = FAMILY_NAMES.get(rng.nextInt(FAMILY_NAMES.size()));
    String given = GIVEN_NAMES.get(rng.nextInt(GIVEN_NAMES.size()));
    char middle = (char) ('A' + rng.nextInt(26));
    return family + "^" + given + "^" + middle;
  }

  static <T> T pick(List<T> values, SplittableRandom rng) {
    return values.get(rng.nextInt(values.size()));
  }

  /**
   * {@code (offset + index * stride) mod space}, zero padded: a stride coprime with the (power of ten) space makes
   * the numbers distinct for every index below the space, and the seed-dependent offset makes runs differ.
   */
  private static String spread(long seed, String kind, int index, long stride, long space, int digits) {
    long offset = Math.floorMod(SynthIds.seed(seed, kind), space);
    long value = Math.floorMod(offset + index * stride, space);
    return String.format(Locale.ROOT, "%0" + digits + "d", value);
  }
}
