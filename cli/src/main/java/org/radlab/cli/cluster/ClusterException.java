package org.radlab.cli.cluster;

/** A cluster could not be started, reached or stopped; the message says why and what to do. */
public final class ClusterException extends RuntimeException {

  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
