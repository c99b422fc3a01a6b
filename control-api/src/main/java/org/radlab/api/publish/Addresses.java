package org.radlab.api.publish;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which network addresses a publication may not go to unless an admin allowed it: anything that reaches this
 * machine or its private networks rather than the public internet, in every IPv4 and IPv6 spelling of it.
 */
public final class Addresses {
  private Addresses() {}

  /** Why {@code a} is refused (for example "loopback"), or null when it is a public address. */
  public static String refusal(InetAddress a) {
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      Inet4Address embedded = embeddedIpv4(b);
      if (embedded != null) {
        String r = refusal(embedded);
        if (r != null) {
          return r + " (an IPv6 form of " + embedded.getHostAddress() + ")";
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "unique-local";
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
        return "reserved (documentation)";
      }
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress()) {
      return "private";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    if (a instanceof Inet4Address) {
      return ipv4Special(a.getAddress());
    }
    return null;
  }

  private static String ipv4Special(byte[] b) {
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    int b2 = b[2] & 0xff;
    if (b0 == 0) {
      return "unspecified";
    }
    if (b0 == 100 && b1 >= 64 && b1 < 128) {
      return "private (shared address space)";
    }
    if (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2) || b0 == 198 && (b1 == 18 || b1 == 19)
        || b0 == 198 && b1 == 51 && b2 == 100 || b0 == 203 && b1 == 0 && b2 == 113 || b0 >= 240) {
      return "reserved";
    }
    return null;
  }

  /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 address; else null. */
  static Inet4Address embeddedIpv4(byte[] b) {
    boolean zero80 = true;
    for (int i = 0; i < 10; i++) {
      zero80 &= b[i] == 0;
    }
    int from = -1;
    if (zero80 && (b[10] == (byte) 0xff && b[11] == (byte) 0xff || b[10] == 0 && b[11] == 0)) {
      from = 12;
    } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
      from = 12;
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      from = 2;
    }
    if (from < 0) {
      return null;
    }
    byte[] v4 = {b[from], b[from + 1], b[from + 2], b[from + 3]};
    try {
      return (Inet4Address) InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }
}
