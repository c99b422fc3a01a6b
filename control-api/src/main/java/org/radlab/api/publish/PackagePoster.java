package org.radlab.api.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sends a package with one HTTP/1.1 POST to an address checked beforehand: the socket connects to exactly that
 * address (the host name is not looked up again, so a DNS answer cannot change between the check and the
 * connection), TLS checks the certificate against the host name, no redirect is followed, and of the answer only
 * the status code is read.
 */
public final class PackagePoster {
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 120_000;
  private static final int MAX_STATUS_LINE = 1024;

  private PackagePoster() {}

  /**
   * POSTs {@code body} to {@code target}; returns the answer's status code, or -1 when no HTTP answer came (the
   * connection was refused, timed out, TLS failed, or the answer was not HTTP): the reason is not told, so a
   * caller learns nothing more about the far side than whether it took the package.
   */
  public static int post(Destinations.Target target, byte[] body, Map<String, String> headers) {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(target.address(), target.port()), CONNECT_TIMEOUT_MS);
      plain.setSoTimeout(READ_TIMEOUT_MS);
      Socket socket = "https".equals(target.scheme()) ? tls(plain, target) : plain;
      try {
        send(socket.getOutputStream(), target, body, headers);
      } catch (IOException e) {
        // An endpoint may answer (say 401) and close before reading the whole body: its status still counts.
      }
      return status(socket.getInputStream());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static Socket tls(Socket plain, Destinations.Target target) throws IOException {
    SSLSocket ssl;
    try {
      ssl = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, target.hostName(),
          target.port(), true);
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no TLS", e);
    }
    SSLParameters p = ssl.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (!isLiteral(target.hostName())) {
      p.setServerNames(List.of(new SNIHostName(target.hostName())));
    }
    ssl.setSSLParameters(p);
    ssl.startHandshake();
    return ssl;
  }

  private static boolean isLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  private static void send(OutputStream out, Destinations.Target target, byte[] body, Map<String, String> headers)
      throws IOException {
    StringBuilder head = new StringBuilder("POST ").append(target.pathAndQuery()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(target.hostHeader()).append("\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n")
        .append("Connection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** The status of the first final (non-1xx) answer; -1 when what came back is not HTTP. */
  private static int status(InputStream in) throws IOException {
    while (true) {
      String line = line(in);
      if (line == null || !line.matches("HTTP/1\\.[01] [1-5][0-9][0-9]( .*)?")) {
        return -1;
      }
      int code = Integer.parseInt(line.substring(9, 12));
      if (code >= 200) {
        return code;
      }
      for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
        // skips the interim answer's headers
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        return s.toString().strip();
      }
      if (s.length() >= MAX_STATUS_LINE) {
        return null;
      }
      s.append((char) c);
    }
    return s.length() == 0 ? null : s.toString();
  }
}
