package org.radlab.prep.synth;

import java.time.LocalDate;
import java.time.LocalTime;

/**
 * Everything about one study decided before its pixels are drawn. Planning is sequential and cheap; rendering and
 * writing then run in parallel, each study from its own {@code pixelSeed}, so the output does not depend on thread
 * scheduling.
 *
 * @param fibroglandularFraction target share of the breast area covered by fibroglandular tissue
 * @param syntaxDraws            two uniform draws per view (in {@link MammoView} order) choosing the transfer syntax
 */
record PlannedStudy(int index, PatientIdentity patient, LocalDate studyDate, LocalTime studyTime,
                    String accessionNumber, String studyId, String institution, String referringPhysician,
                    String operator, DeviceProfile device, BiRadsDensity density, BiRadsDensity densityReader2,
                    double fibroglandularFraction, double glandContrast, double fatLevel, double noiseLevel,
                    double thicknessMm, int compressionForceN, int kvp, long pixelSeed, double[] syntaxDraws,
                    String studyInstanceUid, String seriesInstanceUid) {}
