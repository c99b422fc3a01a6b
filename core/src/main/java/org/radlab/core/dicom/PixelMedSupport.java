package org.radlab.core.dicom;

import java.awt.GraphicsEnvironment;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * One-time set-up around PixelMed, done statically the first time any reader class is used.
 *
 * <p>Silencing PixelMed: each PixelMed class logs through its own {@code com.pixelmed.slf4j.Logger}, which
 * forwards to SLF4J when SLF4J is on the class path (Debian's jar names slf4j-jdk14 in its manifest, so
 * java.util.logging; Spark binds SLF4J to Log4j 2) and otherwise prints to {@code System.err}. So we
 * (1) set the java.util.logging logger {@code com.pixelmed} to OFF (keeping a strong reference, since JUL
 * holds loggers weakly) and (2) switch off, by reflection, the logger of every PixelMed class on our decode
 * path, whichever backend it chose. A few PixelMed messages are plain {@code System.err.println} calls
 * (e.g. "Illegal duplicate tag"); those cannot be silenced without hijacking {@code System.err}.
 *
 * <p>Also: {@code java.awt.headless=true} is set when the JVM is headless anyway (otherwise PixelMed asks
 * AWT for a screen and logs a HeadlessException), and the ImageIO readers visible to this class loader
 * (PixelMed's lossless JPEG, jai-imageio's JPEG 2000) are registered explicitly, because on a Spark executor
 * the context class loader that ImageIO scans may not see jars added with {@code --jars}.
 */
final class PixelMedSupport {
  private static final Logger PIXELMED_JUL_LOGGER = Logger.getLogger("com.pixelmed");

  /** PixelMed classes on our decode path that own a static {@code slf4jlogger}. */
  private static final List<String> LOGGING_CLASSES = List.of(
      "com.pixelmed.dicom.Attribute",
      "com.pixelmed.dicom.AttributeList",
      "com.pixelmed.dicom.ClinicalTrialsAttributes",
      "com.pixelmed.dicom.CompressedFrameDecoder",
      "com.pixelmed.dicom.DicomDictionary",
      "com.pixelmed.dicom.DicomInputStream",
      "com.pixelmed.dicom.EncapsulatedInputStream",
      "com.pixelmed.dicom.OtherByteAttributeCompressedSeparateFramesOnDisk",
      "com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames",
      "com.pixelmed.dicom.OtherByteAttributeOnDisk",
      "com.pixelmed.dicom.OtherWordAttributeOnDisk",
      "com.pixelmed.dicom.PersonNameAttribute",
      "com.pixelmed.dicom.SequenceAttribute",
      "com.pixelmed.dicom.SpecificCharacterSet",
      "com.pixelmed.dicom.TransferSyntax",
      "com.pixelmed.dicom.UnknownAttribute",
      "com.pixelmed.display.BufferedImageUtilities");

  static {
    PIXELMED_JUL_LOGGER.setLevel(Level.OFF);
    PIXELMED_JUL_LOGGER.setUseParentHandlers(false);
    if (System.getProperty("java.awt.headless") == null && GraphicsEnvironment.isHeadless()) {
      System.setProperty("java.awt.headless", "true");
    }
    for (String className : LOGGING_CLASSES) {
      silence(className);
    }
    try {
      IIORegistry.getDefaultInstance()
          .registerServiceProviders(
              ServiceLoader.load(ImageReaderSpi.class, PixelMedSupport.class.getClassLoader()).iterator());
    } catch (Throwable ignored) {
      // a broken provider on the class path must not stop DICOM reading; ImageIO's own scan still applies
    }
  }

  private PixelMedSupport() {}

  /** Forces the static set-up; free after the first call. */
  static void ensureInitialised() {
    // the static initialiser does the work
  }

  /**
   * Best effort: a PixelMed version with other internals just keeps logging. Uses VarHandles on single fields:
   * plain reflection would resolve every field type of PixelMed's logger, including SLF4J's, which may be
   * absent.
   */
  private static void silence(String className) {
    try {
      Class<?> owner = Class.forName(className, true, PixelMedSupport.class.getClassLoader());
      Class<?> loggerType = Class.forName("com.pixelmed.slf4j.Logger", false, owner.getClassLoader());
      MethodHandles.Lookup ownerLookup = MethodHandles.privateLookupIn(owner, MethodHandles.lookup());
      Object logger = ownerLookup.findStaticVarHandle(owner, "slf4jlogger", loggerType).get();
      if (logger == null) {
        return;
      }
      MethodHandles.Lookup loggerLookup = MethodHandles.privateLookupIn(loggerType, MethodHandles.lookup());
      for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
        loggerLookup.findVarHandle(loggerType, level + "Enabled", boolean.class).set(logger, false);
      }
      try {
        Class<?> slf4j = Class.forName("org.slf4j.Logger", false, loggerType.getClassLoader());
        loggerLookup.findVarHandle(loggerType, "slf4jlogger", slf4j).set(logger, null);
      } catch (ClassNotFoundException noSlf4j) {
        // then PixelMed never had an SLF4J delegate: the flags above are enough
      }
    } catch (Throwable ignored) {
      // not fatal: the class keeps its logger
    }
  }
}
