package org.radlab.api.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The addresses a publication may not reach unless allowed (the attacks over HTTP are in PublishGuardTest). */
class AddressesTest {
  /** Every spelling of an internal address, classified by hand (RFC 1918, 4193, 6890, 6052, 3056, 4291). */
  @Test
  void internalAddressesAreRecognisedInEveryForm() throws Exception {
    Map<String, String> expected = Map.ofEntries(Map.entry("127.0.0.1", "loopback"),
        Map.entry("127.8.9.10", "loopback"), Map.entry("::1", "loopback"), Map.entry("10.1.2.3", "private"),
        Map.entry("172.16.0.1", "private"), Map.entry("192.168.1.1", "private"), Map.entry("169.254.169.254",
            "link-local"), Map.entry("fe80::1", "link-local"), Map.entry("fd12:3456::1", "unique-local"),
        Map.entry("fc00::1", "unique-local"), Map.entry("224.0.0.1", "multicast"), Map.entry("ff02::1",
            "multicast"), Map.entry("0.0.0.0", "unspecified"), Map.entry("::", "unspecified"),
        Map.entry("100.64.0.1", "private (shared address space)"),
        Map.entry("::ffff:10.0.0.1", "private"), // Java turns an IPv4-mapped literal into the IPv4 address
        Map.entry("::127.0.0.1", "loopback (an IPv6 form of 127.0.0.1)"),
        Map.entry("64:ff9b::a9fe:a9fe", "link-local (an IPv6 form of 169.254.169.254)"),
        Map.entry("2002:c0a8:0101::1", "private (an IPv6 form of 192.168.1.1)"));
    for (var e : expected.entrySet()) {
      assertEquals(e.getValue(), Addresses.refusal(InetAddress.getByName(e.getKey())), e.getKey());
    }
    for (String publicAddress : List.of("8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "172.32.0.1",
        "100.128.0.1")) {
      assertNull(Addresses.refusal(InetAddress.getByName(publicAddress)), publicAddress);
    }
  }
}
