package org.radlab.core.pacs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.radlab.core.dicom.DicomHeader;
import org.radlab.core.dicom.DicomReader;

/** Names a retrieved or received instance by what its header says, when that can be trusted to name a file. */
public final class InstanceUids {
  /** How many header bytes are read to name an instance (the rest of the file is not needed). */
  private static final int HEADER_PREFIX = 1 << 20;

  private InstanceUids() {}

  /**
   * The instance's StudyInstanceUID and SOPInstanceUID from its header, or null when it is not readable DICOM or
   * either is not a UID (then neither may name a file or folder).
   */
  public static String[] read(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HEADER_PREFIX);
    }
    DicomHeader header;
    try {
      header = DicomReader.readHeader(head);
    } catch (Exception e) {
      if (head.length < HEADER_PREFIX) {
        return null;
      }
      try {
        header = DicomReader.readHeader(Files.readAllBytes(file));
      } catch (Exception | OutOfMemoryError again) {
        return null;
      }
    }
    String study = header.studyInstanceUid();
    String sop = header.sopInstanceUid();
    return DicomWebClient.isUid(study) && DicomWebClient.isUid(sop) ? new String[] {study, sop} : null;
  }
}
