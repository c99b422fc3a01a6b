package org.radlab.api.publish;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.radlab.api.db.PublishDestinationDao.Destination;
import org.radlab.api.http.ApiException;

/**
 * Publish URLs: parsed strictly (http or https, a host, no credentials, no dot segments), matched against the
 * destinations an admin allowed, and resolved once to an address that is checked ({@link Addresses}) and then
 * used for the connection.
 */
public final class Destinations {
  /** A URL taken apart: {@code host} lower case (IPv6 in brackets), {@code port} explicit, {@code path} from "/". */
  public record Parsed(String scheme, String host, int port, String path, String rawQuery) {
    /** Where it went, as recorded: no credentials (there are none) and no query (it may hold a key). */
    public String recorded() {
      return scheme + "://" + host + ":" + port + path;
    }
  }

  /** A publication's checked target: the address to connect to, the names to use over it, and how to record it. */
  public record Target(String scheme, String hostName, int port, InetAddress address, String pathAndQuery,
      String recorded) {
    String hostHeader() {
      String h = hostName.contains(":") ? "[" + hostName + "]" : hostName;
      int standard = "https".equals(scheme) ? 443 : 80;
      return port == standard ? h : h + ":" + port;
    }
  }

  private Destinations() {}

  /** Parses a URL from a request; {@code field} names it in the 400s. */
  public static Parsed parse(String url, String field) {
    if (url == null || url.isBlank()) {
      throw ApiException.badRequest("'" + field + "' is required");
    }
    if (url.length() > 2000) {
      throw ApiException.badRequest("'" + field + "' is longer than 2000 characters");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw ApiException.badRequest(field + " is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiException.badRequest(field + " must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      throw ApiException.badRequest(field + " must not hold credentials (user:password@host); they would be stored "
          + "and shown. Send a token with 'token' instead");
    }
    if (uri.getHost() == null) {
      throw ApiException.badRequest(field + " must name a host, like https://models.example.org/upload");
    }
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (rawPath.matches("(?i).*(%2e|%2f|%5c).*") || ("/" + rawPath + "/").matches(".*/\\.{1,2}/.*")) {
      throw ApiException.badRequest(field + " must not hold '.' or '..' segments or encoded '.', '/' or '\\'");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return new Parsed(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, rawPath, uri.getRawQuery());
  }

  /** The allowed destination {@code url} falls under (same scheme, host and port, path under its prefix). */
  public static Destination allowed(Parsed url, List<Destination> allowed) {
    for (Destination d : allowed) {
      String prefix = d.pathPrefix();
      boolean under = url.path().equals(prefix) || url.path().startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
      if (d.scheme().equals(url.scheme()) && d.host().equals(url.host()) && d.port() == url.port() && under) {
        return d;
      }
    }
    throw ApiException.forbidden("publishing to " + url.recorded() + " is not allowed: an admin must allow the "
        + "destination first (POST /api/publish-destinations); GET /api/publish-destinations lists the allowed ones");
  }

  /**
   * Resolves the host once and checks every address it has; the first is the one to connect to. Unless the
   * destination allows private addresses, any loopback, private, link-local, unique-local, multicast, unspecified
   * or reserved address (in any IPv6 form) refuses the publication.
   */
  public static Target resolve(Parsed url, Destination allowed) {
    String bare = url.host().startsWith("[") ? url.host().substring(1, url.host().length() - 1) : url.host();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      throw new ApiException(502, "publication_failed", "the host " + url.host() + " cannot be resolved");
    }
    if (!allowed.allowPrivate()) {
      for (InetAddress a : addresses) {
        String why = Addresses.refusal(a);
        if (why != null) {
          throw ApiException.forbidden(url.host() + " resolves to a " + why + " address, and the allowed "
              + "destination " + allowed.url() + " does not allow private addresses (an admin can allow them)");
        }
      }
    }
    String query = url.rawQuery() == null ? "" : "?" + url.rawQuery();
    return new Target(url.scheme(), bare, url.port(), addresses[0], url.path() + query, url.recorded());
  }
}
