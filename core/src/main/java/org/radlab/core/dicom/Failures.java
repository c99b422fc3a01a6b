package org.radlab.core.dicom;

/** Turning third-party failures into reject details, without swallowing the ones that must not be caught. */
final class Failures {
  private Failures() {}

  /**
   * Rethrows errors that leave the JVM in an unknown state ({@link VirtualMachineError} other than a stack
   * overflow, and {@link ThreadDeath}). Everything else a codec throws becomes a reject.
   */
  static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
      throw (VirtualMachineError) t;
    }
    if (t instanceof ThreadDeath) {
      throw (ThreadDeath) t;
    }
  }

  /** {@code SimpleName: message}, on one line and at most 300 characters. */
  static String describe(Throwable t) {
    String message = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\\s+", " ").trim();
    String text = t.getClass().getSimpleName() + message;
    return text.length() > 300 ? text.substring(0, 297) + "..." : text;
  }
}
