package org.radlab.prep.synth;

import java.nio.file.Path;

/**
 * One written image file.
 *
 * @param file           absolute path of the DICOM file
 * @param transferSyntax the syntax the file is encoded in
 * @param photometric    MONOCHROME1 or MONOCHROME2
 * @param lesions        the findings drawn into it (empty without {@code --lesions})
 */
public record SynthImage(MammoView view, Path file, String sopInstanceUid, SynthTransferSyntax transferSyntax,
                         String photometric, int bitsStored,
                         java.util.List<SynthLesion> lesions) {}
