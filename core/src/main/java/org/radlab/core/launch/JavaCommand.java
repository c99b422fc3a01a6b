package org.radlab.core.launch;

import java.nio.file.Path;

/** The {@code java} executable of the running JVM, so child JVMs match it. */
public final class JavaCommand {

  private JavaCommand() {}

  public static String executable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
