package dev.cipherlane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTest {

    @Test
    void defaultRoutes() {
        IpPrefix v4 = IpPrefix.parse("0.0.0.0/0");
        IpPrefix v6 = IpPrefix.parse("::/0");
        assertEquals(IpFamily.IPV6, v6.family());
        assertEquals("::/0", v6.toString());
        assertTrue(v4.contains(IpAddress.parse("203.0.113.9")));
        assertFalse(v4.contains(IpAddress.parse("::ffff:203.0.113.9")));
        assertTrue(v6.contains(IpAddress.parse("::ffff:203.0.113.9")));
    }

    @Test
    void hostRoutesAndMappedPrefix() {
        assertEquals("192.0.2.1/32", IpPrefix.parse("192.0.2.1/32").toString());
        assertEquals("fd00::1/128", IpPrefix.parse("fd00:0::1/128").toString());
        IpPrefix mapped = IpPrefix.parse("::ffff:0.0.0.0/96");
        assertEquals("::ffff:0.0.0.0/96", mapped.toString());
        assertTrue(mapped.contains(IpAddress.parse("::ffff:10.1.2.3")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.1.0.0/33      | an IPv4 prefix length in 0..32",
        "fd00::/129       | an IPv6 prefix length in 0..128",
        "10.1.0.0/-1      | an IPv4 prefix length in 0..32",
        "10.1.0.0/016     | an IPv4 prefix length in 0..32",
        "10.1.0.0/        | an IPv4 prefix length in 0..32",
        "10.1.0.0         | a prefix like 10.1.0.0/16 or fd00::/48",
        "10.1.0.0/16/2    | a prefix like 10.1.0.0/16 or fd00::/48",
        "10.1.0.256/24    | an IPv4 address like 192.0.2.1 (octets 0..255)",
        "10.1.2.3/16      | a prefix with no bits set after /16 (did you mean 10.1.0.0/16?)",
        "fd00::1/64       | a prefix with no bits set after /64 (did you mean fd00::/64?)",
        "::ffff:1.2.3.4/96 | a prefix with no bits set after /96 (did you mean ::ffff:0.0.0.0/96?)",
    })
    void refusesWithAReason(String text, String expected) {
        ValueFormatException e = assertThrows(ValueFormatException.class, () -> IpPrefix.parse(text));
        assertEquals(expected, e.expected());
        assertEquals(text, e.got());
    }

    @Test
    void ofMasksWhileTheConstructorRefuses() {
        IpAddress host = IpAddress.parse("10.1.2.3");
        assertEquals(IpPrefix.parse("10.1.0.0/16"), IpPrefix.of(host, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(host, 16));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(IpAddress.parse("10.0.0.0"), 33));
    }

    @Test
    void overlapsWhenOneHoldsTheOther() {
        IpPrefix wide = IpPrefix.parse("10.78.0.0/16");
        assertTrue(wide.overlaps(IpPrefix.parse("10.78.1.0/24")));
        assertTrue(IpPrefix.parse("10.78.1.0/24").overlaps(wide));
        assertTrue(wide.overlaps(wide));
        assertTrue(IpPrefix.parse("0.0.0.0/0").overlaps(wide));
        assertFalse(wide.overlaps(IpPrefix.parse("10.79.0.0/16")));
        assertFalse(IpPrefix.parse("::/0").overlaps(wide));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.78.0.0/24   | 10.78.0.255",
        "10.0.0.0/8     | 10.255.255.255",
        "10.1.2.3/32    | 10.1.2.3",
        "0.0.0.0/0      | 255.255.255.255",
        "fd78::/64      | fd78::ffff:ffff:ffff:ffff",
        "fd78:0:0:1::/72 | fd78:0:0:1:ff:ffff:ffff:ffff",
        "fd78::/48      | fd78:0:0:ffff:ffff:ffff:ffff:ffff",
        "fd78::1/128    | fd78::1",
        "::/0           | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    })
    void lastIsTheNetworkWithEveryHostBitSet(String prefix, String last) {
        IpPrefix p = IpPrefix.parse(prefix);
        assertEquals(IpAddress.parse(last), p.last());
        assertTrue(p.contains(p.last()));
    }
}
