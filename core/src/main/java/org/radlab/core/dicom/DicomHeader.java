package org.radlab.core.dicom;

import java.io.Serializable;

/**
 * The header fields RadLab uses, read without touching the pixel data. Strings are trimmed; an absent or
 * empty value is {@code null}. Integers that are absent are 0, except {@code numberOfFrames} (1 when
 * absent, 0 when present but not a positive integer) and {@code samplesPerPixel} (1 when absent).
 *
 * @param laterality ImageLaterality (0020,0062), else Laterality (0020,0060), else the first FrameLaterality
 *     of an enhanced multi-frame image; {@code null} if none
 * @param studyDate the raw DA value {@code yyyyMMdd}, or {@code null}
 * @param burnedInAnnotation {@code "YES"}, {@code "NO"} or {@code null}
 * @param transferSyntaxUid from the file meta information, else the one the reader detected
 * @param hasPixelData whether a top-level Pixel Data (7FE0,0010) element is present
 * @param geometry spacing and slice position, for volumes ({@link SliceGeometry}); never null
 */
public record DicomHeader(
    String patientId,
    String studyInstanceUid,
    String seriesInstanceUid,
    String sopInstanceUid,
    String sopClassUid,
    String modality,
    String bodyPartExamined,
    String viewPosition,
    String laterality,
    String studyDate,
    String manufacturer,
    int rows,
    int columns,
    int bitsAllocated,
    int bitsStored,
    int pixelRepresentation,
    String photometricInterpretation,
    int samplesPerPixel,
    int numberOfFrames,
    String burnedInAnnotation,
    String transferSyntaxUid,
    boolean hasPixelData,
    SliceGeometry geometry)
    implements Serializable {}
