package org.radlab.cli.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's PACS: Debian's Orthanc with its DICOMweb plugin, started by {@code bench/pacs-sim} in a network
 * namespace of its own and reached at 127.0.0.1 through its bridge, with the server's workspace naming it in its
 * sources file ({@code pacs.json}, source {@value #SOURCE}). Needs root (a network namespace) and the packages the
 * bootstrap installs.
 */
public final class DemoPacs implements AutoCloseable {
  /** The source's name in the workspace's sources file. */
  public static final String SOURCE = "pacs-sim";

  private final Path script;
  private final Map<String, String> environment;
  private final String url;

  private DemoPacs(Path script, Map<String, String> environment, String url) {
    this.script = script;
    this.environment = environment;
    this.url = url;
  }

  /**
   * Starts an empty PACS whose state lives in {@code server/pacs-sim}, and writes the server's sources file.
   *
   * @param root   the project folder (where {@code bench/pacs-sim} is)
   * @param server the control API's workspace
   */
  public static DemoPacs start(Path root, Path server) throws IOException {
    Path script = root.resolve("bench/pacs-sim");
    if (!Files.isExecutable(script)) {
      throw new IOException("--pacs needs bench/pacs-sim, which is not at " + script + " (set RADLAB_ROOT to the "
          + "project folder, as bin/radlab does)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    DemoPacs pacs = new DemoPacs(script, Map.of("RADLAB_PACS_NAME", "radlab-demo", "RADLAB_PACS_WORK",
        server.resolve("pacs-sim").toString()), "http://127.0.0.1:" + port);
    pacs.run("up", "--http-port", "8042", "--dicom-port", "4242", "--host-port", String.valueOf(port));
    Path sources = server.resolve("pacs.json");
    Files.copy(server.resolve("pacs-sim/host-pacs.json"), sources, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(sources, PosixFilePermissions.fromString("rw-------"));
    return pacs;
  }

  /** Where the PACS answers (Orthanc's own REST API; DICOMweb is under {@code /dicom-web}). */
  public String url() {
    return url;
  }

  /** Stores every DICOM file under {@code dir} in the PACS; returns how many. */
  public int load(Path dir) throws IOException {
    String out = run("load", dir.toString());
    int at = out.lastIndexOf("stored=");
    return at < 0 ? 0 : Integer.parseInt(out.substring(at + 7).strip().split("\\s")[0]);
  }

  /** Stops Orthanc and removes its namespace and archive. */
  @Override
  public void close() {
    try {
      run("down");
    } catch (IOException e) {
      System.err.println("demo: the PACS did not stop cleanly: " + e.getMessage());
    }
  }

  private String run(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().putAll(environment);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("bench/pacs-sim " + args[0] + " failed:\n" + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }
}
