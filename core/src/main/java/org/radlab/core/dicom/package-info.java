/**
 * DICOM reading and the pixel pipeline: {@link org.radlab.core.dicom.DicomReader} turns file bytes into a
 * {@link org.radlab.core.dicom.DicomHeader} or a {@link org.radlab.core.dicom.DecodedImage} (or a
 * {@link org.radlab.core.dicom.DicomRejectException} with a stable reason), {@link
 * org.radlab.core.dicom.PixelPipeline} renders a frame to a grey image in [0,1], {@link
 * org.radlab.core.dicom.ImageResize} resamples it and {@link org.radlab.core.dicom.PngCodec} writes it.
 * Plain Java on PixelMed and ImageIO, with GDCM's {@code gdcmconv} as a child process for JPEG-LS and
 * 12-bit lossy JPEG. Segmentations as DICOM SEG: {@link org.radlab.core.dicom.SegmentationWriter} writes label
 * masks as one, {@link org.radlab.core.dicom.SegmentationReader} reads one back into label masks.
 */
package org.radlab.core.dicom;
