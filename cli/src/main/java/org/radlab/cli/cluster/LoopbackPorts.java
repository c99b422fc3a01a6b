package org.radlab.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The cluster's ports on the master's address: a free one, or a chosen one checked to be free. */
final class LoopbackPorts {
  private LoopbackPorts() {}

  /**
   * {@code port}, once checked to be free; a free port when it is 0.
   *
   * @param host the address the port is on
   * @param what the port's name in the error message, e.g. "master port"
   * @param option the command-line option that chooses another, e.g. "--port"
   */
  static int portOrFree(String host, String what, int port, String option) {
    if (port == 0) {
      return freePort(host);
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return port;
    } catch (IOException e) {
      throw new ClusterException("The " + what + " " + port + " on " + host + " is in use ("
          + e.getMessage() + "). Choose another with " + option + ", or 0 for any free port.");
    }
  }

  static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on " + host, e);
    }
  }
}
