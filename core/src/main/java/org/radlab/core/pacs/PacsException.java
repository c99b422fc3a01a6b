package org.radlab.core.pacs;

import java.io.IOException;

/**
 * A DICOMweb request that failed, with what kind of failure it was, so a caller can say so in its own words (the
 * control API's connection test does, without the source's user name that the message may hold).
 */
public final class PacsException extends IOException {
  /** What went wrong. */
  public enum Kind {
    /** No connection: refused, no route, an unknown host, or no HTTP answer on it (a reset, a TLS failure). */
    UNREACHABLE,
    /** Connected, but no answer in time. */
    TIMEOUT,
    /** HTTP 401 or 403: the credentials (or their absence) were refused. */
    CREDENTIALS_REFUSED,
    /** Another status than 2xx (a redirect, which is never followed, included). */
    HTTP_STATUS,
    /** A 2xx answer that is not what DICOMweb answers (not DICOM JSON, too large, not multipart). */
    NOT_DICOMWEB
  }

  private final Kind kind;
  private final int status;

  PacsException(Kind kind, String message) {
    this(kind, 0, message);
  }

  PacsException(Kind kind, int status, String message) {
    super(message);
    this.kind = kind;
    this.status = status;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status of a {@link Kind#HTTP_STATUS} or {@link Kind#CREDENTIALS_REFUSED} failure; 0 otherwise. */
  public int status() {
    return status;
  }
}
