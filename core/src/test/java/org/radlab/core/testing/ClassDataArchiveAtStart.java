package org.radlab.core.testing;

import java.io.IOException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.radlab.core.Workspace;
import org.radlab.core.launch.ClassDataArchive;
import org.radlab.core.launch.SparkClasspath;

/**
 * Starts making the class-data archive of this test JVM's job class path as soon as a module's tests start, not when
 * its first test server happens to launch a job, so that the module's early jobs find it too. Only a start: the
 * archive is made in the background (core's ClassDataArchive), and nothing here can fail a test. Registered as a
 * JUnit launcher session listener by the modules whose tests run job drivers (control-api and cli, in their
 * {@code META-INF/services}).
 */
public final class ClassDataArchiveAtStart implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    try {
      ClassDataArchive.launch(SparkClasspath.ofRunningJvm(), Workspace.current().cache());
    } catch (IOException | RuntimeException e) {
      // no archive: the jobs start as they would without one
    }
  }
}
