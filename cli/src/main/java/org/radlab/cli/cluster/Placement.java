package org.radlab.cli.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a cluster's daemons run: the address the master binds to and, per worker, its address and the command that
 * starts it there. The default is everything on 127.0.0.1, started directly. {@code bench/cluster-sim} uses the rest:
 * each worker in a network namespace and a cgroup of its own, started through a launcher that enters them.
 *
 * @param masterHost the master's address (the workers' too when {@code workerHosts} is empty)
 * @param workerHosts one address per worker, or empty
 * @param workerLauncher a command put before each worker's {@code java}, followed by the worker's number (from 1) and
 *     {@code --}; it must end by executing what follows {@code --} (so the worker keeps its process id); empty for none
 */
public record Placement(String masterHost, List<String> workerHosts, List<String> workerLauncher) {

  private static final Pattern ADDRESS = Pattern.compile("[0-9A-Za-z.:\\-]+");

  /** Everything on 127.0.0.1, started directly. */
  public static final Placement LOOPBACK = new Placement(StandaloneCluster.HOST, List.of(), List.of());

  public Placement {
    workerHosts = List.copyOf(workerHosts);
    workerLauncher = List.copyOf(workerLauncher);
    for (String host : concat(masterHost, workerHosts)) {
      if (host == null || !ADDRESS.matcher(host).matches()) {
        throw new IllegalArgumentException("A daemon's address must be an IP address or a host name, got '" + host
            + "'");
      }
    }
  }

  /** Checks that there is one address per worker, if any are given. */
  void checkWorkers(int workers) {
    if (!workerHosts.isEmpty() && workerHosts.size() != workers) {
      throw new IllegalArgumentException("Give one address per worker: " + workers + " workers, "
          + workerHosts.size() + " addresses (" + String.join(",", workerHosts) + ")");
    }
  }

  /** The address worker {@code number} (from 1) binds to. */
  String workerHost(int number) {
    return workerHosts.isEmpty() ? masterHost : workerHosts.get(number - 1);
  }

  /** What goes before worker {@code number}'s {@code java}: nothing, or the launcher, the number and {@code --}. */
  List<String> workerPrefix(int number) {
    if (workerLauncher.isEmpty()) {
      return List.of();
    }
    List<String> prefix = new ArrayList<>(workerLauncher);
    prefix.add(Integer.toString(number));
    prefix.add("--");
    return prefix;
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
