package org.radlab.core.dicom;

/**
 * A DICOM file we refuse to read. {@link #reason()} is a short, stable machine code suitable for a
 * {@code rejects} table; {@link #getMessage()} is the human-readable detail.
 *
 * <p>Reason codes used by {@link DicomReader}: {@value #NOT_DICOM}, {@value #NO_PIXEL_DATA},
 * {@value #UNSUPPORTED_TRANSFER_SYNTAX}, {@value #UNSUPPORTED_PIXEL_FORMAT}, {@value #DECODE_FAILED},
 * {@value #SIZE_MISMATCH}, {@value #EXTERNAL_DECODER_FAILED}, {@value #TOO_LARGE} (beyond the {@link ImageBounds}).
 */
public final class DicomRejectException extends Exception {
  private static final long serialVersionUID = 1L;

  public static final String NOT_DICOM = "not_dicom";
  public static final String NO_PIXEL_DATA = "no_pixel_data";
  public static final String UNSUPPORTED_TRANSFER_SYNTAX = "unsupported_transfer_syntax";
  public static final String UNSUPPORTED_PIXEL_FORMAT = "unsupported_pixel_format";
  public static final String DECODE_FAILED = "decode_failed";
  public static final String SIZE_MISMATCH = "size_mismatch";
  public static final String EXTERNAL_DECODER_FAILED = "external_decoder_failed";
  public static final String TOO_LARGE = ImageBounds.TOO_LARGE;

  private final String reason;

  public DicomRejectException(String reason, String detail) {
    this(reason, detail, null);
  }

  public DicomRejectException(String reason, String detail, Throwable cause) {
    super(detail, cause);
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("reason must not be blank");
    }
    this.reason = reason;
  }

  /** The stable machine code, e.g. {@code "no_pixel_data"}. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "DicomRejectException[" + reason + "]: " + getMessage();
  }
}
