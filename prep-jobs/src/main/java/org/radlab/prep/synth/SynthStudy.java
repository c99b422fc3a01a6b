package org.radlab.prep.synth;

import java.util.List;

/**
 * One written study: its identifiers (the values de-identification has to remove), labels and images.
 *
 * @param index                  position in the run, from 0; the row order of labels.csv
 * @param studyDate              YYYYMMDD, as in the files
 * @param density                the reference reader's BI-RADS density
 * @param densityReader2         the second reader's BI-RADS density
 * @param fibroglandularFraction the share of the breast the generator aimed to fill with fibroglandular tissue
 * @param images                 the four views, in {@link MammoView} order
 */
public record SynthStudy(int index, String patientId, String patientName, String patientBirthDate,
                         String studyInstanceUid, String seriesInstanceUid, String studyDate, String studyTime,
                         String accessionNumber, String studyId, String institutionName,
                         String referringPhysicianName, String manufacturer, String manufacturerModelName,
                         BiRadsDensity density, BiRadsDensity densityReader2, double fibroglandularFraction,
                         List<SynthImage> images) {
  public SynthStudy {
    images = List.copyOf(images);
  }
}
