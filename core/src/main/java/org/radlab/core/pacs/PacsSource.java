package org.radlab.core.pacs;

import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One PACS a site pulls from: its DICOMweb root (the URL QIDO-RS and WADO-RS paths hang from, e.g.
 * {@code https://pacs.example.org/dicom-web}) and, optionally, HTTP basic credentials. It travels to Spark's tasks
 * (they retrieve), so it is serializable; nothing prints the password: {@link #toString} names the source and URL only.
 */
public record PacsSource(String name, String url, String user, String password) implements Serializable {
  public PacsSource {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new IllegalArgumentException("a PACS source's name holds letters, digits, '_', '.' and '-' (at most 64),"
          + " got '" + name + "'");
    }
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
      throw new IllegalArgumentException("PACS source '" + name + "': url must be an http or https URL with a host,"
          + " got '" + url + "'");
    }
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("PACS source '" + name + "': give both \"user\" and \"password\", or"
          + " neither");
    }
    url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The {@code Authorization} header's value, or null without credentials. */
  String authorization() {
    return user == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "PACS source '" + name + "' (" + url + (user == null ? "" : ", as " + user) + ")";
  }
}
