package org.radlab.core.pacs;

import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One PACS a site pulls from. Either a DICOMweb one: its root (the URL QIDO-RS and WADO-RS paths hang from, e.g.
 * {@code https://pacs.example.org/dicom-web}) and, optionally, HTTP basic credentials; or a DIMSE one ({@link
 * #dimse()} not null): a DICOM application entity reached with C-FIND and C-GET or C-MOVE. It travels to Spark's
 * tasks (they retrieve), so it is serializable; nothing prints the password: {@link #toString} names the source and
 * its address only.
 */
public record PacsSource(String name, String url, String user, String password, Dimse dimse) implements Serializable {
  public PacsSource {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new IllegalArgumentException("a PACS source's name holds letters, digits, '_', '.' and '-' (at most 64),"
          + " got '" + name + "'");
    }
    if (dimse != null) {
      if (url != null || user != null || password != null) {
        throw new IllegalArgumentException("PACS source '" + name + "' is either DICOMweb (\"url\", with \"user\" and"
            + " \"password\" if it asks for them) or DIMSE (\"host\", \"port\", \"aet\"), not both; DIMSE has no"
            + " passwords: the PACS admits RadLab by its AE title");
      }
    } else {
      URI uri;
      try {
        uri = new URI(url == null ? "" : url);
      } catch (java.net.URISyntaxException e) {
        // the reason and where, not the text: a URL may carry credentials
        throw new IllegalArgumentException("PACS source '" + name + "': url is not a URL (" + e.getReason()
            + " at character " + e.getIndex() + ")");
      }
      if (uri.getRawUserInfo() != null || url != null && url.contains("@")) {
        throw new IllegalArgumentException("PACS source '" + name + "': put the credentials in \"user\" and"
            + " \"password\", not in the url");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("PACS source '" + name + "': url must be an http or https URL with a"
            + " host, got '" + url + "'");
      }
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException("PACS source '" + name + "': give both \"user\" and \"password\", or"
            + " neither");
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
  }

  /** A DICOMweb source. */
  public PacsSource(String name, String url, String user, String password) {
    this(name, url, user, password, null);
  }

  /** A DIMSE source. */
  public PacsSource(String name, Dimse dimse) {
    this(name, null, null, null, java.util.Objects.requireNonNull(dimse, "dimse"));
  }

  /** Whether the PACS is reached over DIMSE (C-FIND, C-GET or C-MOVE) rather than DICOMweb. */
  public boolean isDimse() {
    return dimse != null;
  }

  /** How a DIMSE source's studies are retrieved. */
  public enum Retrieve {
    /** C-GET: the PACS sends the instances back on the pull's own association. */
    GET,
    /** C-MOVE: the PACS sends them to a storage node it knows by AE title, here the pull itself, listening. */
    MOVE
  }

  /**
   * A DICOM application entity: the PACS's {@code host}, {@code port} and AE title ({@code aet}, the called AE),
   * RadLab's own AE title ({@code callingAet}, which the PACS must know), how studies are retrieved, and for C-MOVE
   * the port the pull listens on while it runs ({@code receivePort}; the PACS sends to {@code callingAet} at this
   * host and that port). {@code receivePort} is 0 for C-GET.
   */
  public record Dimse(String host, int port, String aet, String callingAet, Retrieve retrieve, int receivePort)
      implements Serializable {
    /** The AE title RadLab calls itself when the source does not say. */
    public static final String DEFAULT_CALLING_AET = "RADLAB";

    public Dimse {
      if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
        throw new IllegalArgumentException("host must be a host name or an IP address, got '" + host + "'");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
      }
      if (!isAeTitle(aet)) {
        throw new IllegalArgumentException("aet (the PACS's AE title) must be 1 to 16 printable characters without a"
            + " backslash, got '" + aet + "'");
      }
      if (callingAet == null) {
        callingAet = DEFAULT_CALLING_AET;
      }
      if (!isAeTitle(callingAet)) {
        throw new IllegalArgumentException("callingAet (RadLab's AE title) must be 1 to 16 printable characters"
            + " without a backslash, got '" + callingAet + "'");
      }
      if (retrieve == null) {
        retrieve = Retrieve.GET;
      }
      if (retrieve == Retrieve.MOVE && (receivePort < 1 || receivePort > 65535)) {
        throw new IllegalArgumentException("a C-MOVE source needs receivePort (1 to 65535): the port the pull listens"
            + " on, which the PACS knows as AE '" + callingAet + "' at this host" + (receivePort == 0 ? ""
                : ", got " + receivePort));
      }
      if (retrieve == Retrieve.GET && receivePort != 0) {
        throw new IllegalArgumentException("receivePort is for C-MOVE only (\"retrieve\": \"C-MOVE\"); C-GET receives"
            + " on its own association");
      }
    }

    /** Whether {@code aet} is a DICOM AE title: 1 to 16 printable ASCII characters, no backslash, not all spaces. */
    public static boolean isAeTitle(String aet) {
      return aet != null && aet.matches("[ -\\[\\]-~]{1,16}") && !aet.isBlank();
    }

    @Override
    public String toString() {
      return "DICOM AE " + aet + " at " + host + ":" + port + ", as " + callingAet + ", C-" + retrieve
          + (retrieve == Retrieve.MOVE ? " to port " + receivePort : "");
    }
  }

  /** The {@code Authorization} header's value, or null without credentials. */
  String authorization() {
    return user == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "PACS source '" + name + "' (" + (dimse != null ? dimse.toString() : url + (user == null ? ""
        : ", as " + user)) + ")";
  }
}
