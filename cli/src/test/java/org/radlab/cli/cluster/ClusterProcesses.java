package org.radlab.cli.cluster;

import org.radlab.core.launch.ProcessTrees;
import java.nio.file.Path;
import java.util.List;

/** Test helper: which processes on this machine still carry a cluster's marker. */
final class ClusterProcesses {

  private ClusterProcesses() {}

  /** Every live process whose command line names {@code stateDir} as its cluster. */
  static List<Long> carryingMarker(Path stateDir) {
    String marker = "-D" + StandaloneCluster.MARKER_PROPERTY + "="
        + stateDir.toAbsolutePath().normalize();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> ProcessTrees.hasArgument(p, marker))
        .map(ProcessHandle::pid)
        .toList();
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
