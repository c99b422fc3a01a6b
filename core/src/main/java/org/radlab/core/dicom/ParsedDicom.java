package org.radlab.core.dicom;

import com.pixelmed.dicom.AttributeList;

/**
 * A data set read up to (not into) its pixel data.
 *
 * @param list every top-level attribute before Pixel Data (nested sequences included)
 * @param datasetTransferSyntax the transfer syntax the data set was actually read with
 * @param pixelDataValueHeader byte offset, in the parsed stream, just after the Pixel Data tag (where its VR
 *     or length starts), or -1 when reading did not stop at Pixel Data
 * @param floatPixelData whether the data set carries Float or Double Float Pixel Data instead
 */
record ParsedDicom(AttributeList list, DicomHeader header, String datasetTransferSyntax,
    long pixelDataValueHeader, boolean floatPixelData) {}
