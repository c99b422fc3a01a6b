package org.radlab.core.pacs;

import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What to pull, as QIDO-RS study-level matching keys: a modality in the study, a study date range (either end may
 * be open), a study description (DICOM wildcards {@code *} and {@code ?}), an accession number or a study's UID.
 * Null keys do not restrict.
 */
public record StudyQuery(String modality, LocalDate from, LocalDate to, String description, String accessionNumber,
    String studyUid) implements Serializable {
  private static final DateTimeFormatter DICOM_DATE = DateTimeFormatter.BASIC_ISO_DATE;

  public StudyQuery {
    if (modality != null && !modality.matches("[A-Z0-9 _]{1,16}")) {
      throw new IllegalArgumentException("modality must be a DICOM code string such as MG or CT, got '" + modality
          + "'");
    }
    if (from != null && to != null && from.isAfter(to)) {
      throw new IllegalArgumentException("the date range ends (" + to + ") before it starts (" + from + ")");
    }
  }

  /** Everything the PACS holds. */
  public static StudyQuery all() {
    return new StudyQuery(null, null, null, null, null, null);
  }

  public StudyQuery withAccessionNumber(String number) {
    return new StudyQuery(modality, from, to, description, number, studyUid);
  }

  public StudyQuery withStudyUid(String uid) {
    return new StudyQuery(modality, from, to, description, accessionNumber, uid);
  }

  /** The QIDO-RS query string's matching keys, URL-encoded, without {@code ?}. */
  String queryString() {
    Map<String, String> keys = new LinkedHashMap<>();
    if (modality != null) {
      keys.put("ModalitiesInStudy", modality);
    }
    if (from != null || to != null) {
      keys.put("StudyDate", (from == null ? "" : from.format(DICOM_DATE)) + "-"
          + (to == null ? "" : to.format(DICOM_DATE)));
    }
    if (description != null) {
      keys.put("StudyDescription", description);
    }
    if (accessionNumber != null) {
      keys.put("AccessionNumber", accessionNumber);
    }
    if (studyUid != null) {
      keys.put("StudyInstanceUID", studyUid);
    }
    return keys.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
        StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }

  @Override
  public String toString() {
    String q = queryString();
    return q.isEmpty() ? "every study" : q;
  }
}
