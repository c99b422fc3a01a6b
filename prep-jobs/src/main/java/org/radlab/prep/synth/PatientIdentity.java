package org.radlab.prep.synth;

import java.time.LocalDate;

/**
 * One synthetic patient.
 *
 * @param index      position in the run, from 0
 * @param breastSize 0 (small) to 1 (large); shapes every image of the patient
 */
record PatientIdentity(int index, String patientId, String patientName, LocalDate birthDate, double breastSize) {}
