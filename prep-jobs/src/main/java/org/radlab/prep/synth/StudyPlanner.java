package org.radlab.prep.synth;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides the patients and studies of a run: who has a second study, the dates, identifiers, unit, density class
 * and the second reader's opinion. Every patient and every study draws from its own generator, seeded from the run
 * seed and its index, so study {@code i} is the same whatever the number of studies after it.
 */
final class StudyPlanner {
  /** Share of patients with a second, later study. */
  static final double LONGITUDINAL_SHARE = 0.3;
  /** How often the second reader names a neighbouring class instead of the reference reader's. */
  static final double READER2_DISAGREEMENT = 0.18;
  /** First studies fall between these days; second studies one to two years later. */
  static final LocalDate FIRST_STUDY_FROM = LocalDate.of(2019, 1, 2);
  static final LocalDate FIRST_STUDY_TO = LocalDate.of(2022, 12, 30);

  private StudyPlanner() {}

  static List<PlannedStudy> plan(SynthConfig cfg) {
    long seed = cfg.seed();
    SplittableRandom master = new SplittableRandom(SynthIds.seed(seed, "patients"));
    List<PlannedStudy> studies = new ArrayList<>(cfg.studies());
    int window = (int) (FIRST_STUDY_TO.toEpochDay() - FIRST_STUDY_FROM.toEpochDay());
    for (int p = 0; studies.size() < cfg.studies(); p++) {
      boolean twoStudies = master.nextDouble() < LONGITUDINAL_SHARE && studies.size() + 1 < cfg.studies();
      SplittableRandom prng = new SplittableRandom(SynthIds.seed(seed, "patient", p));
      LocalDate firstDate = FIRST_STUDY_FROM.plusDays(prng.nextInt(window + 1));
      int ageYears = 40 + prng.nextInt(35);
      LocalDate birthDate = firstDate.minusYears(ageYears).minusDays(prng.nextInt(365));
      var patient = new PatientIdentity(p, SyntheticIdentities.patientId(seed, p),
          SyntheticIdentities.patientName(prng), birthDate, prng.nextDouble());
      BiRadsDensity density = BiRadsDensity.fromUniform(prng.nextDouble());
      double fraction = clamp(density.meanFraction() + density.fractionSpread() * gaussian(prng), 0.01, 0.92);
      String institution = SyntheticIdentities.pick(SyntheticIdentities.INSTITUTIONS, prng);
      String referring = SyntheticIdentities.pick(SyntheticIdentities.REFERRING_PHYSICIANS, prng);
      int laterDays = 365 + prng.nextInt(366);

      studies.add(study(cfg, studies.size(), patient, firstDate, institution, referring, density, fraction));
      if (twoStudies) {
        // Density is stable over one or two years: same class, a slightly different share.
        double laterFraction = clamp(fraction + 0.03 * gaussian(prng), 0.01, 0.92);
        studies.add(study(cfg, studies.size(), patient, firstDate.plusDays(laterDays), institution, referring,
            density, laterFraction));
      }
    }
    return studies;
  }

  private static PlannedStudy study(SynthConfig cfg, int index, PatientIdentity patient, LocalDate date,
                                    String institution, String referring, BiRadsDensity density, double fraction) {
    long seed = cfg.seed();
    SplittableRandom r = new SplittableRandom(SynthIds.seed(seed, "study", index));
    LocalTime time = LocalTime.ofSecondOfDay(7 * 3600 + 1800 + r.nextInt(10 * 3600 + 1800));
    DeviceProfile device = DeviceProfile.fromUniform(r.nextDouble());
    BiRadsDensity reader2 = density;
    if (r.nextDouble() < READER2_DISAGREEMENT) {
      // A borderline case: the second reader leans towards the class the tissue share is closer to.
      reader2 = density.neighbour(fraction >= density.meanFraction() ? 1 : -1);
    }
    double thickness = 32 + 38 * patient.breastSize() + 6 * (r.nextDouble() - 0.5);
    int kvp = (int) Math.round(25 + thickness / 10 + r.nextDouble());
    int force = 60 + r.nextInt(90);
    double glandContrast = 0.30 + 0.12 * r.nextDouble();
    double fatLevel = 0.18 + 0.06 * r.nextDouble();
    double noiseLevel = 0.010 + 0.010 * r.nextDouble();
    double[] syntaxDraws = new double[2 * MammoView.values().length];
    for (int i = 0; i < syntaxDraws.length; i++) {
      syntaxDraws[i] = r.nextDouble();
    }
    long pixelSeed = SynthIds.seed(seed, "pixels", index);
    String operator = SyntheticIdentities.pick(SyntheticIdentities.OPERATORS, r);
    Object[] key = {seed, cfg.rows(), cfg.columns(), index};
    return new PlannedStudy(index, patient, date, time, SyntheticIdentities.accessionNumber(seed, index),
        SyntheticIdentities.studyId(seed, index), institution, referring, operator, device, density, reader2,
        fraction, glandContrast, fatLevel, noiseLevel, thickness, force, kvp, pixelSeed, syntaxDraws,
        SynthIds.uid("study", key), SynthIds.uid("series", key));
  }

  /** A standard normal draw (Box-Muller with StrictMath, so every JVM computes the same value). */
  static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
