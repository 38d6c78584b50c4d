package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.ValueFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrefixesTest {

    @Test
    void masks() {
        assertEquals(0, Prefixes.mask4(0));
        assertEquals(0x8000_0000, Prefixes.mask4(1));
        assertEquals(0xFFFF_FF00, Prefixes.mask4(24));
        assertEquals(-1, Prefixes.mask4(32));
        assertEquals(0L, Prefixes.mask6Hi(0));
        assertEquals(0L, Prefixes.mask6Lo(64));
        assertEquals(0xFFFF_0000_0000_0000L, Prefixes.mask6Hi(16));
        assertEquals(-1L, Prefixes.mask6Hi(64));
        assertEquals(-1L, Prefixes.mask6Hi(100));
        assertEquals(0x8000_0000_0000_0000L, Prefixes.mask6Lo(65));
        assertEquals(-1L, Prefixes.mask6Lo(128));
    }

    @Test
    void parsesIp4PrefixesAndHosts() {
        assertEquals(new Ip4Prefix(0x0A00_0000, 8), Prefixes.parse4("10.0.0.0/8"));
        assertEquals(new Ip4Prefix(0, 0), Prefixes.parse4("0.0.0.0/0"));
        assertEquals(new Ip4Prefix(0xC0A8_0101, 32), Prefixes.parse4("192.168.1.1"));
        assertEquals(new Ip4Prefix(-1, 32), Prefixes.parse4("255.255.255.255/32"));
        assertEquals("10.1.2.0/24", Prefixes.parse4("10.1.2.0/24").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0/8", "10.0.0.256", "010.0.0.0/8", "10.0.0.0/08",
            "10.0.0.0/", "a.b.c.d", "1.2.3.4.5", "10.0.0.0/-1", " 10.0.0.0/8", "::1"})
    void refusesMalformedIp4(String text) {
        assertThrows(IllegalArgumentException.class, () -> Prefixes.parse4(text));
    }

    @Test
    void parsesIp6PrefixesAndHosts() {
        Ip6Prefix fd = Prefixes.parse6("fd00::/8");
        assertEquals(new Ip6Prefix(0xFD00_0000_0000_0000L, 0, 8), fd);
        assertEquals(new Ip6Prefix(0, 1, 128), Prefixes.parse6("::1"));
        assertEquals(new Ip6Prefix(0x2001_0DB8_0000_0001L, 0x0002_0003_0004_0005L, 128),
                Prefixes.parse6("2001:db8:0:1:2:3:4:5/128"));
        assertEquals(new Ip6Prefix(0, 0x0000_FFFF_0A00_0001L, 128), Prefixes.parse6("::ffff:10.0.0.1"));
        assertEquals(new Ip6Prefix(0, 0, 0), Prefixes.parse6("::/0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fd00::1/8", "fd00::/129", "fe80::1%eth0", "[::1]", "10.0.0.0/8", "1::2::3", "fd00::/",
            "fd00::/008"})
    void refusesMalformedIp6(String text) {
        assertThrows(IllegalArgumentException.class, () -> Prefixes.parse6(text));
    }

    @Test
    void refusalsSayWhatWasExpected() {
        assertEquals("expected a prefix with no bits set after /8 (did you mean 10.0.0.0/8?), got 10.0.0.1/8",
                assertThrows(ValueFormatException.class, () -> Prefixes.parse4("10.0.0.1/8")).getMessage());
        assertEquals("expected an IPv4 prefix length in 0..32, got 10.0.0.0/33",
                assertThrows(ValueFormatException.class, () -> Prefixes.parse4("10.0.0.0/33")).getMessage());
        assertEquals("expected an IPv4 prefix like 10.0.0.0/8 or an IPv4 address, got ::1",
                assertThrows(ValueFormatException.class, () -> Prefixes.parse4("::1")).getMessage());
        assertEquals("expected an IPv6 prefix like fd00::/8 or an IPv6 address, got 10.0.0.0/8",
                assertThrows(ValueFormatException.class, () -> Prefixes.parse6("10.0.0.0/8")).getMessage());
        assertEquals("expected an IPv6 address like fd00::1 without a zone index, got fe80::1%eth0",
                assertThrows(ValueFormatException.class, () -> Prefixes.parse6("fe80::1%eth0")).getMessage());
    }

    @Test
    void formatsIp6Canonically() {
        // RFC 5952 section 4: lower case, no leading zeros, longest zero run compressed, first on a tie.
        assertEquals("::", Prefixes.format6(0, 0));
        assertEquals("::1", Prefixes.format6(0, 1));
        assertEquals("fd00::", Prefixes.format6(0xFD00_0000_0000_0000L, 0));
        assertEquals("2001:db8::1", Prefixes.format6(0x2001_0DB8_0000_0000L, 1));
        assertEquals("2001:db8:0:1:1:1:1:1", Prefixes.format6(0x2001_0DB8_0000_0001L, 0x0001_0001_0001_0001L));
        assertEquals("2001:0:0:1::1", Prefixes.format6(0x2001_0000_0000_0001L, 1));
        assertEquals("1::1:0:0:1:1", Prefixes.format6(0x0001_0000_0000_0001L, 0x0000_0000_0001_0001L));
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Prefixes.format6(-1, -1));
        assertEquals("fd00::/8", Prefixes.parse6("fd00::/8").toString());
        // RFC 5952 section 5: an IPv4-mapped address in mixed notation, as the config prints it.
        assertEquals("::ffff:10.0.0.1", Prefixes.format6(0, 0x0000_FFFF_0A00_0001L));
        assertEquals("::ffff:10.0.0.1/128", Prefixes.parse6("::ffff:10.0.0.1").toString());
    }

    @Test
    void prefixRecordsRefuseHostBitsAndKnowTheirRange() {
        assertThrows(IllegalArgumentException.class, () -> new Ip4Prefix(0x0A00_0001, 8));
        assertThrows(IllegalArgumentException.class, () -> new Ip6Prefix(0, 1, 64));
        Ip4Prefix net = Prefixes.parse4("10.1.0.0/16");
        assertEquals(Prefixes.parse4("10.1.255.255").address(), net.last());
        assertTrue(net.contains(Prefixes.parse4("10.1.2.3").address()));
        assertFalse(net.contains(Prefixes.parse4("10.2.0.0").address()));
        Ip6Prefix site = Prefixes.parse6("fd00:1::/32");
        assertEquals(0xFD00_0001_FFFF_FFFFL, site.lastHi());
        assertEquals(-1L, site.lastLo());
        assertTrue(site.contains(0xFD00_0001_0000_0005L, 9));
    }
}
