package org.radlab.core.pacs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What RadLab needs of a PACS, whichever protocol it speaks: the studies a query matches, a study's instances
 * retrieved into a folder, a study's attributes, and objects stored back. {@link DicomWebClient} (QIDO-RS, WADO-RS) and {@link DimseClient} (C-FIND,
 * C-GET or C-MOVE) are the two.
 */
public interface PacsClient {
  /** A study the PACS matched: its UID and how many instances it holds (-1 when the PACS does not say). */
  record StudyMatch(String studyUid, int instances) implements java.io.Serializable {}

  /** Every study matching {@code query}. */
  List<StudyMatch> studies(StudyQuery query) throws IOException;

  /**
   * Retrieves study {@code studyUid} into {@code dir}, each instance a new hidden file ({@code .part-*}) there, and
   * returns those files in the order they came. Nothing a PACS sends names a file.
   */
  List<Path> retrieveTo(String studyUid, Path dir) throws IOException;

  /**
   * The named attributes (DICOM keywords) of one study as the PACS holds them (keyword to value; a person name as
   * its alphabetic form; an attribute the PACS leaves out is absent), or null when the PACS does not have the study.
   */
  java.util.Map<String, String> studyAttributes(String studyUid, List<String> keywords) throws IOException;

  /** Stores DICOM objects on the PACS (STOW-RS or C-STORE); throws, naming them, when any is not stored. */
  void store(List<byte[]> objects) throws IOException;

  /**
   * The client for {@code source}. {@code moved} is where a C-MOVE source's objects arrive (the folder a {@link
   * MoveReceiver} fills); other sources ignore it.
   */
  static PacsClient of(PacsSource source, Path moved) {
    return source.isDimse() ? new DimseClient(source, moved) : new DicomWebClient(source);
  }
}
