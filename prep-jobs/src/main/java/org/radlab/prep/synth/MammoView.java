package org.radlab.prep.synth;

/**
 * The four views of a screening mammogram. The left breast's chest wall is on the image's left edge and the right
 * breast's on its right edge (standard hanging); {@link #patientOrientation()} says the same in DICOM terms.
 */
public enum MammoView {
  L_CC("L", "CC", "A", "R"),
  L_MLO("L", "MLO", "A", "FR"),
  R_CC("R", "CC", "P", "L"),
  R_MLO("R", "MLO", "P", "FL");

  private final String laterality;
  private final String viewPosition;
  private final String[] patientOrientation;

  MammoView(String laterality, String viewPosition, String rowDirection, String columnDirection) {
    this.laterality = laterality;
    this.viewPosition = viewPosition;
    this.patientOrientation = new String[] {rowDirection, columnDirection};
  }

  /** ImageLaterality: L or R. */
  public String laterality() {
    return laterality;
  }

  /** ViewPosition: CC or MLO. */
  public String viewPosition() {
    return viewPosition;
  }

  /** PatientOrientation: the directions of the rows and of the columns. */
  public String[] patientOrientation() {
    return patientOrientation.clone();
  }

  public boolean mediolateralOblique() {
    return this == L_MLO || this == R_MLO;
  }

  /** True for the right breast, whose chest wall lies on the image's right edge. */
  public boolean chestWallOnRight() {
    return "R".equals(laterality);
  }

  /** The file name of this view inside a study directory, e.g. {@code L_CC.dcm}. */
  public String fileName() {
    return name() + ".dcm";
  }

  /** SNOMED CT code of the view, for the View Code Sequence. */
  String viewCode() {
    return mediolateralOblique() ? "399368009" : "399162004";
  }

  String viewCodeMeaning() {
    return mediolateralOblique() ? "medio-lateral oblique" : "cranio-caudal";
  }
}
