package org.radlab.core.deid;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.radlab.core.dicom.DicomHeader;

/**
 * Whether an image may carry text burned into its pixels (a name, an id, a date), which no header change removes.
 *
 * <p>BurnedInAnnotation (0028,0301) says so when present: {@code YES} is refused. When it is absent the answer is
 * unknown, and the modality decides: images a detector acquires (MG, DX, CR, CT, MR, NM, PT, ...) rarely carry burned-in
 * text and are accepted, while modalities whose pixels often come from a console or a screen capture (ultrasound,
 * angiography and fluoroscopy, endoscopy, photography, secondary capture and "other") are refused with reason
 * {@value #UNKNOWN}. {@code allowBurnedIn} (prep's {@code --allow-burned-in}, once someone has looked at the images)
 * accepts both.
 */
public final class BurnedInText {
  public static final String MARKED = "burned_in_annotation";
  public static final String UNKNOWN = "burned_in_unknown";
  /** Modalities whose images often hold burned-in text when the header does not say otherwise. */
  public static final Set<String> OFTEN_BURNED_IN = Set.of("US", "IVUS", "XA", "RF", "ES", "XC", "GM", "SC", "OT",
      "DOC", "SM", "OP", "ECG");

  /** A reason and detail to reject the image with, or empty when it may be converted. */
  public record Refusal(String reason, String detail) {}

  private BurnedInText() {}

  public static Optional<Refusal> check(DicomHeader h, boolean allowBurnedIn) {
    if (allowBurnedIn) {
      return Optional.empty();
    }
    String marked = h.burnedInAnnotation();
    if ("YES".equalsIgnoreCase(marked)) {
      return Optional.of(new Refusal(MARKED, "BurnedInAnnotation is YES: text burned into the pixels may identify "
          + "the patient (allow with --allow-burned-in once the images are checked)"));
    }
    String modality = h.modality() == null ? "" : h.modality().trim().toUpperCase(Locale.ROOT);
    if ((marked == null || marked.isBlank()) && (modality.isEmpty() || OFTEN_BURNED_IN.contains(modality))) {
      return Optional.of(new Refusal(UNKNOWN, "the file has no BurnedInAnnotation, and " + (modality.isEmpty()
          ? "no modality" : modality + " images") + " often carry text burned into the pixels that may identify "
          + "the patient (allow with --allow-burned-in once the images are checked)"));
    }
    return Optional.empty();
  }
}
